"""The published Fairtrade terms a data migration loads, for tests that commit (and so lose them)."""

from importlib import import_module

from django.apps import apps


class _Today:
    """What a data migration asks of its historical apps, answered by today's: the terms were the
    ledger's when the migration was written and are the sales app's now."""

    @staticmethod
    def get_model(app_label, name):
        return apps.get_model("sales", name)


def reload_published_fairtrade_terms() -> None:
    import_module("ledger.migrations.0007_published_fairtrade_terms").load(_Today, None)
    import_module("sales.migrations.0003_fairtrade_terms_2025_2026").load(_Today, None)
