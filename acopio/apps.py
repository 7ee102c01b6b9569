from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcopioConfig(AppConfig):
    """Collection: centres, the price list, deliveries, receipts, voids, imports, yield control, lots."""

    name = "acopio"
    verbose_name = _("Acopio")
