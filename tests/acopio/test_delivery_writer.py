"""The one delivery writer: the clerk's delivery, a non-member purchase and the import are numbered,
written and posted the same way, within the statement budget each had before it was one."""

import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext

from acopio import services as purchases
from acopio.models import CocoaForm, Delivery, Grade
from ledger.models import JournalEntry
from ledger.verification import verify_ledger
from tests.acopio.factories import DAY
from tests.acopio.test_import_deliveries import GOOD, csv_bytes
from tests.acopio.test_non_member_purchases import buy, supplier


def test_a_purchase_from_a_non_member_stays_within_its_statement_budget(
    coop, admin_user_minka, django_assert_max_num_queries
):
    who = supplier(admin_user_minka)
    buy(coop, admin_user_minka, who)  # the non-member stock account exists from the first purchase on
    # 13, as before the writer was one: the test's own savepoint and its release, the receipt
    # number, the resent-form check, the season, the price, the stock account, the delivery, the
    # ledger counter lock, the two accounts read again, the entry, its lines, the counter update.
    with django_assert_max_num_queries(13):
        purchase = buy(coop, admin_user_minka, who, submission_token=uuid.uuid4())
    assert purchase.receipt_code == "C01-000002"
    assert purchase.supplier == who and purchase.member is None
    assert JournalEntry.objects.get(source_key=purchase.source_key).lines.count() == 2


def test_an_import_costs_no_more_statements_for_more_rows(coop, django_assert_max_num_queries):
    header, *body = GOOD.strip().splitlines()
    # Both files have rows of the two centres: the statements are those of a batch, not of a row.
    small = [body[0], body[2]]
    with CaptureQueriesContext(connection) as first:
        report = purchases.import_deliveries(
            source=csv_bytes("\n".join([header, *small]) + "\n"), filename="a.csv", user=None
        )
    assert report.ok and report.created == 2
    more = [row.replace("BAL-000", f"BAL-1{n}") for n in range(5) for row in body]
    with django_assert_max_num_queries(len(first)):
        report = purchases.import_deliveries(
            source=csv_bytes("\n".join([header, *more]) + "\n"), filename="b.csv", user=None
        )
    assert report.ok and report.created == len(more)
    assert verify_ledger().ok


def test_the_clerk_the_purchase_and_the_import_share_one_gapless_receipt_series(coop, admin_user_minka):
    clerk = purchases.record_delivery(
        member=coop["rosa"],
        plot=None,
        centre=coop["centre"],
        date=DAY,
        form=CocoaForm.DRY,
        grade=Grade.GRADE_1,
        gross_kg="50",
        tare_kg="1",
        moisture_pct="7",
        user=admin_user_minka,
    )
    purchase = buy(coop, admin_user_minka, supplier(admin_user_minka))
    report = purchases.import_deliveries(source=csv_bytes(GOOD), filename="b.csv", user=admin_user_minka)
    assert report.ok
    numbers = sorted(Delivery.objects.filter(centre=coop["centre"]).values_list("receipt_number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert (clerk.receipt_number, purchase.receipt_number) == (1, 2)
    for delivery in Delivery.objects.all():
        entry = JournalEntry.objects.get(source_key=delivery.source_key)
        assert entry.posted_by_id == admin_user_minka.pk
        assert sum(line.amount for line in entry.lines.all()) == 0
    assert verify_ledger().ok
