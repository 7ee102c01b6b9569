from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """Read-only views and exports for certifiers and buyers."""

    name = "certification"
    verbose_name = _("Certificación")
