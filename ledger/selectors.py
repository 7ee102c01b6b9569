"""Balances read from the journal, and its chain head."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Sum

from ledger.models import Account, Currency, EntryCounter, JournalLine


def account_balance(account: Account) -> int:
    """Debits minus credits on one account, in minor units of its currency."""
    total = JournalLine.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    # PostgreSQL's sum(bigint) is numeric (a Decimal here); int() of it is exact.
    return int(total or 0)


def balances_by_currency(*, accounts: Iterable[Account] | None = None) -> dict[str, int]:
    """Sum of lines per currency, over ``accounts`` or the whole ledger (all zeros when it balances)."""
    lines = JournalLine.objects.all()
    if accounts is not None:
        lines = lines.filter(account__in=accounts)
    totals = lines.order_by().values("currency").annotate(total=Sum("amount"))
    return {row["currency"]: int(row["total"]) for row in totals}


def owed_to_members_minor() -> int:
    """Céntimos the cooperative owes its members in all (their accounts added up; a member who owes
    the cooperative counts against it): one query."""
    total = JournalLine.objects.filter(
        account__member__isnull=False, account__currency=Currency.PEN
    ).aggregate(total=Sum("amount"))["total"]
    return -int(total or 0)


@dataclass(frozen=True)
class ChainHead:
    """The journal's chain head as printed on papers: the last entry's number and its hash's start.

    A paper carrying it anchors the ledger outside the database: a journal that later lacks that
    entry, or holds it with another hash, was cut or rewritten after the paper was printed."""

    number: int
    hash: str

    SHORT = 16

    @property
    def short_hash(self) -> str:
        return self.hash[: self.SHORT]


def chain_head() -> ChainHead:
    """The counter's last entry number and hash (one query; zero and empty on an empty ledger)."""
    head = EntryCounter.objects.filter(pk=1).values_list("last_number", "last_hash").first()
    return ChainHead(*(head or (0, "")))
