"""Real parallel posting transactions on PostgreSQL: numbers stay gapless, a document posts once."""

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ledger.models import JournalEntry
from ledger.services import post_entry
from ledger.verification import verify_ledger

from .conftest import DAY, make_accounts

THREADS = 8
OWN_ENTRIES = 5
SHARED_KEYS = [f"payment:PAG-{n:04d}" for n in range(1, 4)]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_posters_get_gapless_numbers_and_each_document_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    chart = make_accounts()
    barrier = threading.Barrier(THREADS)
    posted, refused, failures = [], [], []

    def poster(worker: int):
        try:
            barrier.wait()
            keys = [f"delivery:W{worker}-{n}" for n in range(OWN_ENTRIES)] + SHARED_KEYS
            for key in keys:
                lines = [(chart["cash"], 100 + worker), (chart["member"], -100 - worker)]
                try:
                    posted.append(post_entry(date=DAY, description="Entrega", source_key=key, lines=lines))
                except ValidationError:
                    refused.append(key)
        except Exception as exc:  # reported by the main thread, which asserts none
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poster, args=(worker,)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    total = THREADS * OWN_ENTRIES + len(SHARED_KEYS)
    assert sorted(entry.number for entry in posted) == list(range(1, total + 1))
    assert list(JournalEntry.objects.values_list("number", flat=True)) == list(range(1, total + 1))
    per_key = Counter(JournalEntry.objects.values_list("source_key", flat=True))
    assert set(per_key.values()) == {1}
    assert all(per_key[key] == 1 for key in SHARED_KEYS)
    assert Counter(refused) == {key: THREADS - 1 for key in SHARED_KEYS}
    assert verify_ledger().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_inserts_into_a_chained_table_chain_one_after_another(django_user_model):
    """Rows of an append-only table added at once (save and bulk_create) get numbers 1..N and a chain
    that verifies: the head row is locked in the insert's transaction (toolkit.row_chain)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    from sales.models import FairtradeTermsCheck

    admin = django_user_model.objects.create_user(username="revisora", password="clave-de-prueba-123")
    barrier = threading.Barrier(THREADS)
    failures = []

    def writer(worker: int):
        try:
            barrier.wait()
            for n in range(OWN_ENTRIES):
                FairtradeTermsCheck.objects.create(checked_on=DAY, checked_by=admin, note=f"{worker}-{n}")
            FairtradeTermsCheck.objects.bulk_create(
                [
                    FairtradeTermsCheck(checked_on=DAY, checked_by=admin, note=f"{worker}-lote-{n}")
                    for n in (1, 2)
                ]
            )
        except Exception as exc:  # reported by the main thread, which asserts none
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    numbers = sorted(FairtradeTermsCheck.objects.values_list("chain_number", flat=True))
    assert numbers == list(range(1, THREADS * (OWN_ENTRIES + 2) + 1))
    check = verify_ledger()
    assert check.ok, check.message
    assert check.chain_heads[FairtradeTermsCheck._meta.db_table][0] == len(numbers)
