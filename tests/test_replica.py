"""A read replica (DATABASE_REPLICA_URL): the certifier's portal and reports read from it, writes never
go there. On PostgreSQL the test's «replica» alias is a second connection to the same server
(tests/conftest.py), which is what the router sees when a real replica is configured."""

import os
from datetime import date

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.models import DownloadLog, IssuedDocument

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL: the replica alias is a second connection to the PostgreSQL test database",
    ),
]

WRITES = ("INSERT", "UPDATE", "DELETE")


def statements(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"].lstrip().upper() for query in context.captured_queries]


@pytest.fixture
def replica(settings):
    settings.MINKA_REPORT_DATABASE = "replica"
    return connections["replica"]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_report_reads_go_to_the_replica_and_their_writes_to_the_primary(
    client, replica, make_user, coop, deliver
):
    deliver(date=date(2026, 3, 10))
    client.force_login(make_user("certificador", username="auditora"))
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(reverse("certification:season_report_pdf", args=["2026"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    read_there = statements(on_replica)
    # The report's rows (the season, the members by status) were read on the replica, nothing else...
    assert any('"COOP_SEASON"' in sql for sql in read_there), read_there
    assert any('"COOP_MEMBER"' in sql for sql in read_there), read_there
    assert all(sql.startswith("SELECT") for sql in read_there), read_there
    # ...and the document's number, record and the download log were written on the primary.
    assert any(sql.startswith("INSERT") for sql in statements(on_primary))
    assert IssuedDocument.objects.count() == 1 and DownloadLog.objects.count() == 1

    with CaptureQueriesContext(replica) as on_replica:
        page = client.get(reverse("certification:portal") + "?campana=2026")
    assert page.status_code == 200 and "Documentos de la Campaña 2026" in page.content.decode()
    assert on_replica.captured_queries and all(sql.startswith("SELECT") for sql in statements(on_replica))


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_pages_that_are_not_reports_and_every_write_stay_on_the_primary(client, replica, make_user, coop):
    client.force_login(make_user("acopiador"))
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("acopio:delivery_new")).status_code == 200
        client.post(reverse("certification:audit_pack_start", args=["2026"]))
    assert statements(on_replica) == []
    assert not any(sql.startswith(WRITES) for sql in statements(on_replica))
