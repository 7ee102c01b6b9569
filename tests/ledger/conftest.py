from datetime import date

import pytest

from ledger.models import Account, AccountKind, Currency
from ledger.services import post_entry

DAY = date(2026, 3, 2)


def make_accounts() -> dict[str, Account]:
    """A small chart: cash and a member's payable in soles, bank and sales in dollars."""
    specs = [
        ("1011-CAJ", "Caja", AccountKind.ASSET, Currency.PEN),
        ("2101-CHZ-00001", "Cuenta por pagar socio 00001", AccountKind.LIABILITY, Currency.PEN),
        ("1041-BCP-USD", "Banco BCP dólares", AccountKind.ASSET, Currency.USD),
        ("7011-VEN-USD", "Ventas de cacao", AccountKind.INCOME, Currency.USD),
    ]
    made = [Account.objects.create(code=c, name=n, kind=k, currency=cur) for c, n, k, cur in specs]
    return dict(zip(["cash", "member", "bank", "sales"], made, strict=True))


@pytest.fixture
def accounts(db):
    return make_accounts()


@pytest.fixture
def post(accounts):
    """Post a simple two-line entry: debit cash, credit the member, for ``amount`` céntimos."""

    def make(source_key: str, amount: int = 12_345, **extra):
        lines = extra.pop("lines", [(accounts["cash"], amount), (accounts["member"], -amount)])
        return post_entry(
            date=DAY, description=f"Entrega {source_key}", source_key=source_key, lines=lines, **extra
        )

    return make
