from django.apps import AppConfig


class SalesConfig(AppConfig):
    """Trade: Fairtrade terms, exchange rates, contracts, invoices and payments, the mass balance."""

    name = "sales"
    verbose_name = "Ventas"
