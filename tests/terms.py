"""The published Fairtrade terms a data migration loads, for tests that commit (and so lose them)."""

from importlib import import_module

from django.apps import apps


def reload_published_fairtrade_terms() -> None:
    """The shipped rows, one per component, as migration sales 0006 leaves them."""
    import_module("sales.migrations.0006_terms_by_component").load_published(
        apps.get_model("sales", "FairtradeTerms")
    )
