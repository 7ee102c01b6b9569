from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Money: Fairtrade terms, contracts, the journal, member accounts, the premium fund."""

    name = "ledger"
    verbose_name = "Contabilidad"

    def ready(self):
        from django.db.models.signals import post_migrate

        from ledger.triggers import ensure_triggers

        post_migrate.connect(ensure_triggers, sender=self, dispatch_uid="minka_ledger_triggers")
