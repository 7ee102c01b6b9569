from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Money: Fairtrade terms, contracts, the journal, member accounts, the premium fund."""

    name = "ledger"
    verbose_name = "Contabilidad"
