from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """Read-only views and exports for certifiers and buyers."""

    name = "certification"
    verbose_name = _("Certificación")

    def ready(self):
        from certification import integrity
        from ledger.verification import register_record_check

        integrity.register()
        register_record_check(integrity.check_issued_documents)
