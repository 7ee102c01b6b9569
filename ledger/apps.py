from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The journal: accounts, entries and lines, posting, verification, member accounts."""

    name = "ledger"
    verbose_name = _("Contabilidad")

    def ready(self):
        from django.db.models.signals import post_migrate

        from ledger.triggers import ensure_triggers

        post_migrate.connect(ensure_triggers, sender=self, dispatch_uid="minka_ledger_triggers")
