from django.apps import AppConfig


class AcopioConfig(AppConfig):
    """Collection: centres, the price list, deliveries, receipts, voids, imports, yield control, lots."""

    name = "acopio"
    verbose_name = "Acopio"
