"""The premium fund: dollars to soles, the assembly's authorization, spending with two signatures,
and cash distributions that add up to the céntimo."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.models import Member, Plot
from fund.figures import split_by_weight
from fund.models import BudgetLine, PremiumCategory, Spending, SpendingStatus
from fund.ruc import ruc_problem
from fund.selectors import fund_position, fund_report, line_remaining_minor
from fund.services import (
    approve_spending,
    authorize_budget_lines,
    convert_premium,
    draft_budget_line,
    register_distribution,
    register_spending,
    reject_spending,
    reverse_spending,
)
from ledger import chart
from ledger.member_accounts import owed_to_member
from ledger.models import JournalEntry
from ledger.selectors import account_balance
from tests.acopio.factories import record
from tests.ledger.factories import activity, fund_with_soles
from tests.terms import reload_published_fairtrade_terms
from toolkit.append_only import AppendOnlyError

D = Decimal
RUC = "20131312955"  # a valid RUC (check digit 5)


@pytest.fixture
def fund(db, make_user):
    return fund_with_soles(make_user)


def authorized_line(fund, *, amount="10000", category=PremiumCategory.ORGANISATION, purpose="Secadora solar"):
    line = draft_budget_line(
        season=fund["season"],
        purpose=purpose,
        category=category,
        amount=amount,
        **activity(),
        user=fund["admin"],
    )
    authorize_budget_lines(
        lines=[line],
        decision="Asamblea General Ordinaria del 15/03/2020, acuerdo 4",
        decided_on=date(2020, 3, 15),
        user=fund["admin"],
    )
    line.refresh_from_db()
    return line


def spend(fund, line, **overrides):
    arguments = {
        "line": line,
        "amount": "4000",
        "supplier": "Ferretería El Constructor SAC",
        "ruc": RUC,
        "document": "F001-000321",
        "document_date": date(2020, 7, 1),
        "description": "Calaminas y madera para la secadora",
        "user": fund["admin"],
    }
    arguments.update(overrides)
    return register_spending(**arguments)


def test_selling_premium_dollars_moves_them_into_the_fund_in_soles(fund):
    assert fund["conversion"].pen_minor == 1_750_000
    assert account_balance(chart.account(chart.PREMIUM_FUND_USD)) == -100_000  # US$ 1,000.00 left
    assert account_balance(chart.account(chart.PREMIUM_FUND_PEN)) == -1_750_000
    assert (fund_position().usd_cents, fund_position().pen_minor) == (100_000, 1_750_000)
    entries = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        convert_premium(
            usd="1000.01", rate="3.5", on=date(2020, 6, 21), document="CAMBIO-001", user=fund["admin"]
        )
    assert refused.value.message_dict == {
        "usd": ["El fondo tiene US$ 1,000.00 en dólares; no se pueden cambiar US$ 1,000.01."],
        "document": ["La operación CAMBIO-001 ya está registrada."],
    }
    with pytest.raises(ValidationError, match="como máximo 4 decimales"):
        convert_premium(usd="10", rate="3.50001", on=date(2020, 6, 21), document="C2", user=fund["admin"])
    assert JournalEntry.objects.count() == entries


def test_an_unauthorized_line_cannot_be_spent_and_an_authorized_one_never_changes(fund):
    draft = draft_budget_line(
        season=fund["season"],
        purpose="Almacén de acopio",
        amount="5000,00",
        category=PremiumCategory.ORGANISATION,
        **activity(),
        user=fund["admin"],
    )
    with pytest.raises(ValidationError) as refused:
        spend(fund, draft)
    assert refused.value.message_dict["line"] == [
        "La línea «Almacén de acopio» no está autorizada por la asamblea; no se puede gastar contra ella."
    ]
    draft.amount_minor = 600_000
    draft.save()  # a draft may still be corrected
    line = authorized_line(fund)
    line.amount_minor = 1
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    assert Spending.objects.count() == 0


def test_the_assembly_cannot_authorize_more_than_the_unallocated_soles(fund):
    authorized_line(fund, amount="10000")  # S/ 7,500.00 left unallocated
    big = draft_budget_line(
        season=fund["season"],
        purpose="Vivero",
        amount="7500.01",
        category=PremiumCategory.MEMBER_SERVICES,
        **activity(),
        user=fund["admin"],
    )
    with pytest.raises(ValidationError) as refused:
        authorize_budget_lines(
            lines=[big], decision="Acuerdo 5", decided_on=date(2020, 3, 15), user=fund["admin"]
        )
    assert refused.value.message_dict["lines"] == [
        "Las líneas suman S/ 7,500.01 y el fondo tiene S/ 7,500.00 sin asignar. "
        "Cambie dólares de la prima a soles o reduzca el plan."
    ]
    with pytest.raises(ValidationError, match="Indique el acuerdo de asamblea"):
        authorize_budget_lines(lines=[big], decision=" ", decided_on=date(2020, 3, 15), user=fund["admin"])
    big.refresh_from_db()
    assert not big.is_authorized


@pytest.mark.parametrize(
    ("ruc", "problem"),
    [
        ("20131312955", None),
        ("20100070970", None),
        ("2013131295", "El RUC tiene 11 dígitos."),
        ("30131312955", "El RUC empieza con 10, 15, 16, 17 o 20."),
        ("20131312954", "El RUC 20131312954 no es válido (dígito verificador)."),
    ],
)
def test_ruc_check_digit(ruc, problem):
    assert ruc_problem(ruc) == problem


def test_a_spending_without_its_document_is_refused_naming_every_field(fund):
    line = authorized_line(fund)
    with pytest.raises(ValidationError) as refused:
        spend(fund, line, supplier="", ruc="20131312954", document="", document_date=None, description="")
    assert set(refused.value.message_dict) == {"supplier", "ruc", "document", "document_date", "description"}
    assert Spending.objects.count() == 0
    spend(fund, line)  # S/ 4,000.00 of the line's 10,000.00
    with pytest.raises(ValidationError) as refused:
        spend(fund, line, amount="6000.01", document="F001-000322")
    assert refused.value.message_dict["amount"] == [
        "El monto (S/ 6,000.01) supera lo que queda en la línea «Secadora solar» (S/ 6,000.00)."
    ]
    with pytest.raises(ValidationError) as refused:
        spend(fund, line, amount="10")
    assert refused.value.message_dict["document"] == [
        "El comprobante F001-000321 de este proveedor ya está registrado."
    ]
    assert Spending.objects.count() == 1


def test_spending_moves_money_only_with_two_signatures_from_two_people(fund, make_user):
    line = authorized_line(fund)
    spending = spend(fund, line)
    entries = JournalEntry.objects.count()
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    assert JournalEntry.objects.count() == entries  # one signature moves nothing
    with pytest.raises(ValidationError, match="Usted ya aprobó este gasto"):
        approve_spending(spending=spending, capacity="treasurer", user=fund["board"])
    with pytest.raises(ValidationError, match="no tiene el rol de tesorería"):
        approve_spending(spending=spending, capacity="treasurer", user=fund["admin"])
    second_board = make_user("consejo_administracion", username="vocal")
    with pytest.raises(ValidationError, match="ya tiene la aprobación de consejo de administración"):
        approve_spending(spending=spending, capacity="board", user=second_board)
    assert JournalEntry.objects.count() == entries and spending.approvals.count() == 1
    approve_spending(spending=spending, capacity="treasurer", user=fund["treasurer"])
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.PAID
    assert [(line.account.code, line.amount) for line in spending.entry.lines.order_by("id")] == [
        (chart.PREMIUM_FUND_PEN, 400_000),
        (chart.BANK, -400_000),
    ]
    assert fund_position().pen_minor == 1_350_000
    with pytest.raises(ValidationError, match="ya está aprobado y contabilizado"):
        reject_spending(spending=spending, reason="tarde", user=fund["board"])


def test_a_rejected_spending_frees_its_amount_on_the_line(fund):
    line = authorized_line(fund)
    first = spend(fund, line, amount="10000")
    with pytest.raises(ValidationError, match="supera lo que queda"):
        spend(fund, line, amount="1", document="F001-000400")
    with pytest.raises(ValidationError, match="Indique el motivo"):
        reject_spending(spending=first, reason="", user=fund["treasurer"])
    reject_spending(spending=first, reason="Proforma sin firma", user=fund["treasurer"])
    again = spend(fund, line, amount="10000")  # the same invoice, corrected, may come back
    assert again.status == SpendingStatus.PENDING and fund_position().pending_minor == 1_000_000


def test_a_spending_cannot_exceed_the_soles_in_the_fund(fund):
    line = authorized_line(fund, amount="17500")
    spend(fund, line, amount="17000")
    # Money can only have gone if another line took it: the fund check counts what awaits approval.
    assert fund_position().pen_minor - fund_position().pending_minor == 50_000
    with pytest.raises(ValidationError) as refused:
        spend(fund, line, amount="500.01", document="F001-000999")
    assert "supera lo que queda en la línea" in refused.value.message_dict["amount"][0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_people_spending_sixty_percent_of_a_line_at_once_give_one_success(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    # An earlier committing test's flush emptied the table its data migration filled.
    reload_published_fairtrade_terms()
    fund = fund_with_soles(make_user)
    line = authorized_line(fund, amount="10000")
    barrier, outcomes = threading.Barrier(20), []

    def attempt(n):
        try:
            barrier.wait()
            spend(fund, line, amount="6000", document=f"F001-{n:06d}")
            outcomes.append("spent")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 19 + ["spent"]
    assert list(Spending.objects.values_list("amount_minor", flat=True)) == [600_000]


def test_a_distribution_splits_by_fairtrade_kilos_and_adds_up_to_the_centimo(fund):
    # Juana delivered 30 t dry (Fairtrade + organic), Rosa 10 t (Fairtrade); add a small third member.
    pedro = Member.objects.create(code="S-00020", dni="45556666", name="Pedro Sangama Tapullima")
    plot = Plot.objects.create(
        member=pedro,
        code="S-00020-P1",
        cocoa_producing_ha=D("1"),
        fairtrade_certified=True,
        fairtrade_since=date(2015, 1, 1),
    )
    record(fund, fund["admin"], member=pedro, plot=plot, date=date(2020, 5, 2), gross_kg="1", tare_kg="0")
    line = authorized_line(
        fund, amount="1000", category=PremiumCategory.CASH_TO_MEMBERS, purpose="Reparto en efectivo 2020"
    )
    with pytest.raises(ValidationError, match="sale de una línea de «Pagos en efectivo a los socios»"):
        register_distribution(
            line=authorized_line(fund, amount="1", purpose="Otra"),
            season=fund["season"],
            amount="1",
            document="PL-0",
            document_date=date(2020, 8, 1),
            description="x",
            user=fund["admin"],
        )
    spending = register_distribution(
        line=line,
        season=fund["season"],
        amount="1000",
        document="PL-2020-01",
        document_date=date(2020, 8, 1),
        description="Reparto acordado",
        user=fund["admin"],
    )
    # 100,000 céntimos over 30,000 + 10,000 + 1 kg: 74,998.12… / 24,999.37… / 2.49… → remainders decide.
    shares = {s.member.code: s.amount_minor for s in spending.shares.select_related("member")}
    assert shares == {"S-00010": 74_998, "S-00003": 24_999, "S-00020": 3}
    before = {code: owed_to_member(Member.objects.get(code=code)) for code in shares}
    approve_spending(spending=spending, capacity="treasurer", user=fund["treasurer"])
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    for code, amount in shares.items():
        assert owed_to_member(Member.objects.get(code=code)) - before[code] == amount
    assert fund_position().pen_minor == 1_750_000 - 100_000


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**9),
    grams=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=40),
)
def test_largest_remainder_parts_add_up_and_stay_within_a_centimo(total, grams):
    weights = list(enumerate(grams, start=1))
    shares = split_by_weight(total, weights)
    assert sum(s.amount_minor for s in shares) == total
    grams_total = sum(grams)
    for share in shares:
        exact = Decimal(total) * share.fairtrade_g / grams_total
        assert abs(share.amount_minor - exact) < 1


def test_the_fund_report_equals_the_ledger(fund):
    line = authorized_line(fund, amount="10000")
    paid = spend(fund, line, amount="2500")
    approve_spending(spending=paid, capacity="board", user=fund["board"])
    approve_spending(spending=paid, capacity="treasurer", user=fund["treasurer"])
    spend(fund, line, amount="1000", document="F001-000500")
    report = fund_report()
    season = next(f for f in report.seasons if f.label == "Campaña 2020")
    assert (season.received_usd_cents, season.authorized_minor, season.spent_minor, season.pending_minor) == (
        600_000,
        1_000_000,
        250_000,
        100_000,
    )
    assert season.received_pen_minor == fund["payment"].premium_pen_minor == 2_055_000  # 6,000 × 3.425
    assert season.available_minor == 650_000
    organisation = next(f for f in report.categories if f.label.startswith("Inversión"))
    assert (organisation.authorized_minor, organisation.spent_minor) == (1_000_000, 250_000)
    assert report.position.pen_minor == -account_balance(chart.account(chart.PREMIUM_FUND_PEN)) == 1_500_000
    assert report.position.usd_cents == -account_balance(chart.account(chart.PREMIUM_FUND_USD)) == 100_000
    assert report.position.unallocated_minor == 1_500_000 - (1_000_000 - 250_000)
    assert BudgetLine.objects.count() == 1


def test_a_posted_spending_is_corrected_by_its_mirror_entry_once(fund):
    line = authorized_line(fund)
    spending = spend(fund, line, amount="4000")
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    approve_spending(spending=spending, capacity="treasurer", user=fund["treasurer"])
    assert fund_position().pen_minor == 1_350_000
    with pytest.raises(ValidationError, match="Indique el motivo de la reversión"):
        reverse_spending(spending=spending, reason=" ", user=fund["admin"])
    reverse_spending(spending=spending, reason="El proveedor devolvió el pago", user=fund["admin"])
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.REVERSED
    assert spending.reversal_entry.reverses == spending.entry
    assert fund_position().pen_minor == 1_750_000
    assert line_remaining_minor(line) == 1_000_000  # the line is free again
    with pytest.raises(ValidationError, match="Solo se revierte un gasto contabilizado"):
        reverse_spending(spending=spending, reason="otra vez", user=fund["admin"])
    again = spend(fund, line, amount="4000")  # the same invoice may be registered again
    assert again.status == SpendingStatus.PENDING


def test_reversing_a_distribution_takes_each_part_back(fund):
    line = authorized_line(fund, amount="1000", category=PremiumCategory.CASH_TO_MEMBERS, purpose="Reparto")
    spending = register_distribution(
        line=line,
        season=fund["season"],
        amount="1000",
        document="PL-1",
        document_date=date(2020, 8, 1),
        description="Reparto",
        user=fund["admin"],
    )
    juana = Member.objects.get(code="S-00010")
    before = owed_to_member(juana)
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    approve_spending(spending=spending, capacity="treasurer", user=fund["treasurer"])
    assert owed_to_member(juana) == before + 75_000
    reverse_spending(spending=spending, reason="Planilla con la campaña equivocada", user=fund["admin"])
    assert owed_to_member(juana) == before and fund_position().pen_minor == 1_750_000
