from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoopConfig(AppConfig):
    """The register: members, plots, status history, seasons."""

    name = "coop"
    verbose_name = _("Cooperativa")
