from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Trade: Fairtrade terms, exchange rates, contracts, invoices and payments, the mass balance."""

    name = "sales"
    verbose_name = _("Ventas")

    def ready(self):
        from ledger.verification import register_record_check
        from sales import integrity

        integrity.register()
        register_record_check(integrity.check_sales_contracts)
