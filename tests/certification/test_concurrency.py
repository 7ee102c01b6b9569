"""Two printers at once on PostgreSQL: every document gets its own number, none skipped, none repeated;
two clicks on «Imprimir» start one run."""

import pytest
from django.db import connection

from certification import printing
from certification.documents import issue
from certification.models import IssuedDocument, StatementRun
from certification.statements import statement_draft
from tests.concurrency import at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def delivered(coop, deliver):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    deliver()
    return coop


def test_six_statements_issued_at_once_get_six_consecutive_numbers(delivered):
    season = delivered["seasons"]["2026"]
    outcomes = at_once(6, lambda i: issue(statement_draft(member=delivered["maria"], season=season)))
    assert outcomes == ["done"] * 6
    numbers = sorted(IssuedDocument.objects.values_list("number", flat=True))
    assert numbers == [f"EC-{n:07d}" for n in range(1, 7)]


def test_two_clicks_on_print_start_one_run(delivered, admin_user_minka):
    season = delivered["seasons"]["2026"]
    outcomes = at_once(4, lambda i: printing.start_statement_run(season=season, user=admin_user_minka))
    assert outcomes == ["done"] + ["refused"] * 3
    assert StatementRun.objects.count() == 1
