"""Random sequences of postings, reversals and refused postings keep the ledger's invariants."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.models import JournalEntry, JournalLine
from ledger.selectors import balances_by_currency
from ledger.services import post_entry, reverse_entry
from ledger.verification import verify_ledger

from .conftest import DAY, make_accounts

amounts = st.integers(min_value=1, max_value=10**12)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("post"), amounts, st.booleans()),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50), st.booleans()),
        st.tuples(st.just("unbalanced"), amounts, st.booleans()),
        st.tuples(st.just("repeat_source"), st.integers(min_value=0, max_value=50), st.booleans()),
    ),
    max_size=12,
)


def lines_for(chart, amount: int, dollars: bool, *, off_by: int = 0):
    if dollars:
        return [(chart["bank"], amount), (chart["sales"], -amount - off_by)]
    return [(chart["cash"], amount), (chart["member"], -amount - off_by)]


def apply(chart, operation, posted: list[JournalEntry]) -> None:
    """Run one operation; an operation the ledger must refuse raises ValidationError."""
    kind, value, dollars = operation
    if kind == "post":
        posted.append(
            post_entry(
                date=DAY,
                description="Entrega",
                source_key=f"delivery:{len(posted)}",
                lines=lines_for(chart, value, dollars),
            )
        )
    elif kind == "unbalanced":
        post_entry(
            date=DAY, description="Mal", source_key="bad:1", lines=lines_for(chart, value, dollars, off_by=1)
        )
    elif kind == "repeat_source" and posted:
        taken = posted[value % len(posted)].source_key
        post_entry(date=DAY, description="Repetido", source_key=taken, lines=lines_for(chart, 1, dollars))
    elif kind == "reverse" and posted:
        posted.append(reverse_entry(entry=posted[value % len(posted)], date=DAY, reason="Corrección"))


def expected_refusal(operation, posted: list[JournalEntry]) -> bool:
    kind, value, _ = operation
    if kind == "unbalanced":
        return True
    if not posted or kind == "post":
        return False
    if kind == "repeat_source":
        return True
    target = posted[value % len(posted)]
    return target.reverses_id is not None or JournalEntry.objects.filter(reverses=target).exists()


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(ops=operations)
def test_random_histories_keep_the_ledger_balanced_gapless_and_verifiable(ops):
    with transaction.atomic():
        chart = make_accounts()
        posted: list[JournalEntry] = []
        for operation in ops:
            before = (JournalEntry.objects.count(), JournalLine.objects.count())
            refused = expected_refusal(operation, posted)
            try:
                apply(chart, operation, posted)
            except ValidationError:
                assert refused, operation
                assert (JournalEntry.objects.count(), JournalLine.objects.count()) == before
            else:
                assert not refused, operation

        assert all(total == 0 for total in balances_by_currency().values())
        numbers = list(JournalEntry.objects.values_list("number", flat=True))
        assert numbers == list(range(1, len(posted) + 1))
        assert verify_ledger().ok
        reversed_ids = [e.reverses_id for e in posted if e.reverses_id]
        assert len(reversed_ids) == len(set(reversed_ids))
        transaction.set_rollback(True)
