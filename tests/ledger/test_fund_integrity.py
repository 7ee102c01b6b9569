"""Plan lines and spending change status, so they are not append-only rows; what the assembly
approved and what was paid is still tied to chained records: verify_ledger finds an authorized line or
a paid amount changed behind Minka's back (raw SQL, as someone with database access would)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fund.models import BudgetLine, PremiumAuthorization, Spending
from fund.services import approve_spending, draft_budget_line
from tests.ledger.factories import activity, fund_with_soles
from tests.ledger.test_premium_fund import authorized_line, spend

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(make_user):
    fund = fund_with_soles(make_user)
    line = authorized_line(fund)
    spending = spend(fund, line)
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    approve_spending(spending=spending, capacity="treasurer", user=fund["treasurer"])
    spending.refresh_from_db()
    return {"fund": fund, "line": line, "spending": spending}


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("verify_ledger")


AUTHORIZATION = (
    "Autorización «Asamblea General Ordinaria del 15/03/2020, acuerdo 4»: las actividades del plan"
)


def test_the_untouched_fund_verifies(paid, capsys):
    assert PremiumAuthorization.objects.get().lines_digest  # recorded when the assembly authorized
    call_command("verify_ledger")
    assert "íntegra" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("amount_minor", 2_500_000),
        ("purpose", "Camioneta"),
        ("category", "community"),
        ("objective", "Comprar una camioneta para el gerente"),
        ("responsible", "Otro responsable"),
        ("beneficiaries_women", 0),
        ("ends_on", "2022-12-31"),
        ("indicators", ""),
    ],
)
def test_an_authorized_line_changed_behind_minkas_back_is_found(paid, column, value):
    raw(f"UPDATE {BudgetLine._meta.db_table} SET {column} = %s WHERE id = %s", [value, paid["line"].pk])  # noqa: S608
    refused(AUTHORIZATION)


def test_a_line_slipped_under_an_authorization_is_found(paid):
    fund = paid["fund"]
    extra = draft_budget_line(
        season=fund["season"],
        purpose="Viaje",
        category="organisation",
        amount="500",
        **activity(),
        user=fund["admin"],
    )
    raw(
        f"UPDATE {BudgetLine._meta.db_table} SET authorization_id = %s WHERE id = %s",  # noqa: S608
        [paid["line"].authorization_id, extra.pk],
    )
    refused(AUTHORIZATION)


def test_a_paid_spending_whose_amount_changed_is_found(paid):
    spending = paid["spending"]
    table = Spending._meta.db_table
    raw(f"UPDATE {table} SET amount_minor = %s WHERE id = %s", [100, spending.pk])  # noqa: S608
    number = spending.entry.number
    refused(f"Gasto del fondo n.º {spending.pk}: su monto no es el que registró el asiento {number}")


def test_an_activity_moved_under_another_activity_by_a_reallocation_is_found(paid):
    """A reallocation's source is part of what the assembly approved: pointing it elsewhere is found."""
    fund = paid["fund"]
    other = draft_budget_line(
        season=fund["season"],
        purpose="Viaje",
        category="organisation",
        amount="500",
        **activity(),
        user=fund["admin"],
    )
    raw(
        f"UPDATE {BudgetLine._meta.db_table} SET reallocated_from_id = %s WHERE id = %s",  # noqa: S608
        [other.pk, paid["line"].pk],
    )
    refused(AUTHORIZATION)


def test_an_authorization_recorded_before_activities_keeps_verifying_on_its_own_facts(paid, capsys):
    """An authorization recorded before the plan had activities (no digest version: season, words and
    amount only) still verifies, and a changed amount under it is still found."""
    from fund.integrity import lines_digest

    fund = paid["fund"]
    line = BudgetLine(season=fund["season"], purpose="Almacén", category="organisation", amount_minor=90_000)
    line.save()
    facts = BudgetLine.objects.filter(pk=line.pk).values(
        "id", "season_id", "purpose", "category", "amount_minor"
    )
    old = PremiumAuthorization(
        decision="Asamblea de 2019, acuerdo 2",
        decided_on=date(2020, 3, 1),
        lines_digest=lines_digest(facts, 1),
    )
    old.save()
    assert old.lines_digest_version is None
    line.authorization = old
    line.save(update_fields=["authorization"])
    call_command("verify_ledger")
    assert "íntegra" in capsys.readouterr().out
    raw(f"UPDATE {BudgetLine._meta.db_table} SET amount_minor = %s WHERE id = %s", [95_000, line.pk])  # noqa: S608
    refused("Autorización «Asamblea de 2019, acuerdo 2»: las actividades del plan")
