"""Balances read from the journal."""

from collections.abc import Iterable

from django.db.models import Sum

from ledger.models import Account, Currency, JournalLine


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
