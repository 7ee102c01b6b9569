"""What verify_ledger checks of sales beyond the row chains (amendments, fixings and payments are
chained, invoices are journal entries): a sales contract — its quantity, price, value, premium,
terms rows, shipment, invoice and lots — is as Minka last wrote it. A contract changes status
(priced, shipped, invoiced), so it is not append-only; every save seals it (toolkit.seals)."""

from sales.models import SalesContract
from toolkit.seals import ALL, check_sealed, register_sealed, related_rows

LOTS = related_rows("sales.SalesContract_lots", key="salescontract_id", fields=("lot_id",), order="lot_id")


def register() -> None:
    register_sealed(SalesContract, fields=(ALL,), related=LOTS, m2m=("lots",))


def check_sales_contracts() -> str | None:
    return check_sealed(SalesContract)
