"""Two clerks at once on PostgreSQL, in real parallel transactions: gapless receipts, a form saves once."""

import threading
import uuid
from collections import Counter

import pytest
from django.db import connection, connections

from acopio.models import Delivery
from ledger.member_accounts import owed_to_member
from ledger.verification import verify_ledger
from tests.acopio.factories import make_coop, record

THREADS = 6
OWN_DELIVERIES = 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_clerks_get_gapless_receipts_and_a_resent_form_saves_once(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    coop = make_coop()
    clerk = make_user("acopiador", username="clerk")
    shared_token = uuid.uuid4()  # the same form, sent from every thread at once
    barrier = threading.Barrier(THREADS)
    made, failures = [], []

    def clerk_at_the_scale(worker: int):
        try:
            barrier.wait()
            made.append(record(coop, clerk, submission_token=shared_token))
            for _ in range(OWN_DELIVERIES):
                made.append(record(coop, clerk, gross_kg=str(10 + worker), tare_kg="0"))
        except Exception as exc:  # reported by the main thread, which asserts none
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk_at_the_scale, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    total = 1 + THREADS * OWN_DELIVERIES
    numbers = sorted(Delivery.objects.values_list("receipt_number", flat=True))
    assert numbers == list(range(1, total + 1))
    assert Counter(d.pk for d in made)[Delivery.objects.get(submission_token=shared_token).pk] == THREADS
    assert owed_to_member(coop["maria"]) == sum(d.amount_minor for d in Delivery.objects.all())
    assert verify_ledger().ok
