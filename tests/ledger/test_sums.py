"""Sums over many lines are exact integers on SQLite and PostgreSQL alike."""

from ledger.models import JournalLine
from ledger.selectors import account_balance, balances_by_currency

LINES = 100_000
# One céntimo beside amounts near the line cap: a float sum would lose the céntimos.
PATTERN = [1, -1, 99_999_999_999_999, 1, 12_345_678_901_234, -7, 2]


def test_an_account_sum_over_100_000_lines_is_exact(post, accounts):
    entry = post("delivery:CHZ-A-000001", 1)
    amounts = [PATTERN[i % len(PATTERN)] for i in range(LINES)]
    # Setup only: the lines are inserted directly (INSERT is allowed), not posted one by one.
    JournalLine.objects.bulk_create(
        (
            JournalLine(entry=entry, account=accounts["bank"], amount=amount, currency="USD")
            for amount in amounts
        ),
        batch_size=5_000,
    )
    expected = sum(amounts)
    assert expected > 2**53, "the total must be beyond what a float holds exactly"

    assert account_balance(accounts["bank"]) == expected
    assert balances_by_currency(accounts=[accounts["bank"]]) == {"USD": expected}
    assert balances_by_currency() == {"PEN": 0, "USD": expected}
    assert type(account_balance(accounts["bank"])) is int
