"""The balance rule, one copy for posting and for verify_ledger: an entry has at least two lines,
and its lines sum to zero in each currency."""

from collections import defaultdict
from collections.abc import Iterable

MIN_LINES = 2


def imbalances(amounts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Per currency, what the (currency, amount) lines sum to, for the currencies that do not balance."""
    totals: dict[str, int] = defaultdict(int)
    for currency, amount in amounts:
        totals[currency] += amount
    return {currency: total for currency, total in sorted(totals.items()) if total}
