"""A member's account: what the cooperative owes them, and the accounts its movements post against.

Deliveries credit the account (acopio.services). Advances and payments
debit it against cash, bank or mobile wallet; agreed deductions debit it
against what the member owes the cooperative for inputs or loans
(ledger.services.record_movement and reverse_movement write them).
"""

from datetime import date as Date

from django.db.models import Sum

from coop.models import Member
from ledger import chart
from ledger.models import (
    Currency,
    JournalLine,
    MovementKind,
    PaymentMethod,
)

METHOD_ACCOUNTS = {
    PaymentMethod.CASH: chart.CASH,
    PaymentMethod.BANK: chart.BANK,
    PaymentMethod.MOBILE_WALLET: chart.MOBILE_WALLET,
}
DEDUCTION_ACCOUNTS = {
    MovementKind.INPUT_CREDIT: chart.INPUT_CREDIT_RECEIVABLE,
    MovementKind.LOAN_INSTALMENT: chart.LOANS_RECEIVABLE,
}


def owed_to_member(member: Member, *, on: Date | None = None) -> int:
    """Céntimos the cooperative owes the member (negative: the member owes the cooperative), as of ``on``."""
    lines = JournalLine.objects.filter(account__member=member, account__currency=Currency.PEN)
    if on is not None:
        lines = lines.filter(entry__date__lte=on)
    total = lines.aggregate(total=Sum("amount"))["total"]
    return -int(total or 0)
