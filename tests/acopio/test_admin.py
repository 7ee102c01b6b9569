"""The admin shows the collection and ledger records, and lets nothing that has been used change."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from acopio.models import PriceRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_minka(client, admin_user_minka):
    client.force_login(admin_user_minka)
    return client


def test_every_collection_and_ledger_list_opens(admin_client_minka, deliver):
    deliver()
    for name in (
        "coop_season",
        "acopio_collectioncentre",
        "acopio_pricerow",
        "acopio_delivery",
        "ledger_account",
        "ledger_journalentry",
        "ledger_membermovement",
    ):
        response = admin_client_minka.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
    assert (
        "C01-000001" in admin_client_minka.get(reverse("admin:acopio_delivery_changelist")).content.decode()
    )


def test_a_used_price_row_is_read_only_and_an_unused_one_is_editable(admin_client_minka, deliver):
    used = deliver().price_row
    unused = PriceRow.objects.exclude(deliveries__isnull=False).first()

    def change_page(row):
        return admin_client_minka.get(reverse("admin:acopio_pricerow_change", args=[row.pk])).content.decode()

    used_page, unused_page = change_page(used), change_page(unused)
    assert 'name="price_per_kg"' not in used_page
    assert 'name="price_per_kg"' in unused_page
    response = admin_client_minka.post(
        reverse("admin:acopio_pricerow_delete", args=[used.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert PriceRow.objects.filter(pk=used.pk).exists()


def test_deliveries_and_entries_cannot_be_added_or_changed_in_the_admin(admin_client_minka, deliver):
    delivery = deliver()
    assert admin_client_minka.get(reverse("admin:acopio_delivery_add")).status_code == 403
    page = admin_client_minka.get(
        reverse("admin:acopio_delivery_change", args=[delivery.pk])
    ).content.decode()
    assert 'name="gross_g"' not in page
    assert admin_client_minka.get(reverse("admin:ledger_journalentry_add")).status_code == 403
    import_link = admin_client_minka.get(reverse("admin:acopio_delivery_import"))
    assert import_link.status_code == 302 and import_link.url == reverse("acopio:delivery_import")


def test_the_journal_list_shows_the_newest_entries_first_reading_as_much_for_many_as_for_one(
    admin_client_minka, deliver
):
    url = reverse("admin:ledger_journalentry_changelist")
    deliver()
    with CaptureQueriesContext(connection) as one:
        admin_client_minka.get(url)
    deliver(date=date(2026, 3, 11))
    deliver(date=date(2026, 3, 12))
    with CaptureQueriesContext(connection) as three:
        page = admin_client_minka.get(url).content.decode()
    assert page.count("admin_minka") >= 3  # who posted each entry, without a query per entry
    assert len(three.captured_queries) == len(one.captured_queries)
    # No row of years read from the whole journal on each page.
    assert not [q for q in three.captured_queries if "DISTINCT" in q["sql"]]
    assert page.index("delivery:C01-000003") < page.index("delivery:C01-000001")
