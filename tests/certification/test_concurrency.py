"""Two printers at once on PostgreSQL: every document gets its own number, none skipped, none repeated;
two clicks on «Imprimir» start one run."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from certification import printing
from certification.documents import issue
from certification.models import IssuedDocument, StatementRun
from certification.statements import statement_draft

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def at_once(n, action):
    barrier, outcomes = threading.Barrier(n), []

    def attempt(i):
        try:
            barrier.wait()
            action(i)
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


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
