"""The Fairtrade Development Plan as the standard describes it: activities with an objective, a
schedule, a responsible person and expected beneficiaries; drafted on the premium expected as well as
received; authorized by the budget motion that attaches them; followed by their progress, reported to
the assembly in a PDF whose figures are the ledger's; money moved between activities only by a new
assembly decision."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from pypdf import PdfReader

from certification.fairtrade_report import fairtrade_workbook
from fund.models import ActivityProgress, BudgetLine, PremiumCategory
from fund.selectors import fund_position, line_remaining_minor, plan_progress
from fund.services import (
    approve_spending,
    authorize_budget_lines,
    draft_budget_line,
    register_spending,
    report_progress,
)
from ledger import chart
from ledger.models import JournalLine
from sales.selectors import outstanding_cents
from tests.ledger.factories import activity, contract, fund_with_soles
from tests.ledger.test_premium_fund import RUC

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(make_user):
    return fund_with_soles(make_user)  # S/ 17,500.00 in the fund, all unallocated


def draft(fund, purpose="Secadora solar", amount="10000", category=PremiumCategory.ORGANISATION, **overrides):
    return draft_budget_line(
        season=fund["season"],
        purpose=purpose,
        category=category,
        amount=amount,
        **activity(**overrides),
        user=fund["board"],
    )


def authorize(fund, lines, decision="Asamblea General Ordinaria del 15/03/2020, acuerdo 4"):
    authorize_budget_lines(lines=lines, decision=decision, decided_on=date(2020, 3, 15), user=fund["admin"])
    for line in lines:
        line.refresh_from_db()
    return lines


def pay(fund, line, amount, document):
    spending = register_spending(
        line=line,
        amount=amount,
        supplier="Ferretería El Constructor SAC",
        ruc=RUC,
        document=document,
        document_date=date(2020, 7, 1),
        description="Materiales",
        user=fund["admin"],
    )
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    approve_spending(spending=spending, capacity="treasurer", user=fund["treasurer"])
    return spending


# --- Drafting an activity -------------------------------------------------------------------


def test_an_activity_keeps_what_the_standard_asks_for(fund):
    line = draft(fund, objective="Secar sin humo", beneficiaries=60, women=18, youth=12)
    line.refresh_from_db()
    assert (line.purpose, line.objective, line.amount_minor) == (
        "Secadora solar",
        "Secar sin humo",
        1_000_000,
    )
    assert (line.starts_on, line.ends_on) == (date(2020, 4, 1), date(2020, 12, 31))
    assert line.responsible == "Rosa Tapullima, técnica de campo"
    assert (line.beneficiaries, line.beneficiaries_women, line.beneficiaries_youth) == (60, 18, 12)
    assert not line.is_authorized


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"responsible": "  "}, "responsible", "Indique la persona responsable de la actividad."),
        ({"women": 41}, "women", "Las mujeres beneficiarias (41) superan el total (40)."),
        ({"youth": "45"}, "youth", "Los jóvenes beneficiarios (45) superan el total (40)."),
        (
            {"starts_on": date(2020, 6, 1), "ends_on": date(2020, 5, 31)},
            "ends_on",
            "La actividad termina (31/05/2020) antes de empezar (01/06/2020).",
        ),
        ({"amount": "0"}, "amount", "El monto debe ser mayor que cero."),
        ({"amount": "-5"}, "amount", None),
        ({"objective": ""}, "objective", "Indique el objetivo de la actividad."),
        ({"beneficiaries": ""}, "beneficiaries", "Indique cuántos beneficiarios se esperan."),
        (
            {"starts_on": date(2020, 1, 1), "ends_on": date(2023, 1, 2)},
            "ends_on",
            "Un plan cubre una campaña o un periodo de tres años como máximo.",
        ),
    ],
)
def test_a_bad_activity_is_refused_named_and_nothing_is_written(fund, overrides, field, message):
    amount = overrides.pop("amount", "10000")
    with pytest.raises(ValidationError) as refused:
        draft(fund, amount=amount, **overrides)
    assert field in refused.value.message_dict
    if message:
        assert refused.value.message_dict[field] == [message]
    assert not BudgetLine.objects.exists()


def test_the_form_refuses_in_spanish_naming_the_field(fund, client):
    client.force_login(fund["board"])
    form = {
        "season": fund["season"].pk,
        "purpose": "Vivero",
        "objective": "Plantones",
        "category": "community",
        "amount": "1000",
        "starts_on": "2020-04-01",
        "ends_on": "2020-12-31",
        "responsible": "",
        "beneficiaries": "10",
        "women": "11",
        "youth": "2",
    }
    response = client.post(reverse("fund:budget_line_new"), form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indique la persona responsable de la actividad." in html
    assert "Las mujeres beneficiarias (11) superan el total (10)." in html
    assert not BudgetLine.objects.exists()
    form.update(responsible="Comité de educación", women="4")
    response = client.post(reverse("fund:budget_line_new"), form)
    assert response.status_code == 302
    assert BudgetLine.objects.get().responsible == "Comité de educación"


# --- The premium the plan is drafted on -------------------------------------------------------


def test_the_plan_shows_the_premium_expected_and_received_but_spends_only_the_soles(fund, client):
    # A second contract, signed and not yet paid: its premium is expected, not in the fund.
    signed = contract(fund, number="CV-2020-002", tonnes="4")
    expected = outstanding_cents(signed)[1]
    assert expected > 0
    plan = plan_progress(fund["season"])
    assert plan.expected_usd_cents == expected
    assert plan.received_usd_cents == 600_000  # US$ 6,000.00 paid with the first contract
    assert plan.fund_pen_minor == 1_750_000
    client.force_login(fund["treasurer"])
    html = client.get(reverse("fund:plan", kwargs={"season": fund["season"].code})).content.decode()
    assert f"US$ {expected / 100:,.2f}" in html and "US$ 6,000.00" in html and "S/ 17,500.00" in html
    # The expected premium is no money to spend: authorizing above the soles is refused.
    big = draft(fund, amount="17500.01")
    with pytest.raises(ValidationError, match="el fondo tiene S/ 17,500.00 sin asignar"):
        authorize(fund, [big])
    assert not big.is_authorized


# --- Progress and the report to the assembly ----------------------------------------------------


def test_progress_is_reported_by_sex_and_age_band_for_authorized_activities_only(fund):
    dryer = draft(fund)
    with pytest.raises(ValidationError) as refused:
        report_progress(
            line=dryer,
            status="in_progress",
            achieved="",
            reached={},
            reported_on=date(2020, 8, 1),
            user=fund["board"],
        )
    assert "no está aprobada por la asamblea" in refused.value.message_dict["line"][0]
    authorize(fund, [dryer])
    with pytest.raises(ValidationError) as refused:
        report_progress(
            line=dryer,
            status="in_progress",
            achieved="",
            reached={"women_young": "-3"},
            reported_on=date(2020, 8, 1),
            user=fund["board"],
        )
    assert "women_young" in refused.value.message_dict
    assert not ActivityProgress.objects.exists()
    report_progress(
        line=dryer,
        status="in_progress",
        achieved="Techo terminado",
        reached={"women_young": "2", "women_adult": 5, "men_adult": "7", "men_older": "1"},
        reported_on=date(2020, 8, 1),
        user=fund["board"],
    )
    report_progress(
        line=dryer,
        status="done",
        achieved="Secadora funcionando",
        reached={"women_young": "3", "women_adult": 6, "men_young": "2", "men_adult": "8", "men_older": "1"},
        reported_on=date(2020, 10, 1),
        user=fund["board"],
    )
    row = plan_progress(fund["season"]).activities[0]
    assert row.status_label == "Terminada"
    assert (row.progress.women, row.progress.men, row.progress.youth) == (9, 11, 5)


def test_the_progress_report_pdf_matches_the_ledger_to_the_centimo(fund, client):
    dryer, health = authorize(
        fund,
        [
            draft(fund),
            draft(fund, purpose="Campaña de salud", amount="2500.50", category=PremiumCategory.COMMUNITY),
        ],
    )
    pay(fund, dryer, "4000.33", "F001-1")
    pay(fund, health, "1000.17", "F001-2")
    register_spending(  # awaiting signatures: held, not paid
        line=dryer,
        amount="100",
        supplier="Ferretería El Constructor SAC",
        ruc=RUC,
        document="F001-3",
        document_date=date(2020, 7, 2),
        description="Clavos",
        user=fund["admin"],
    )
    report_progress(
        line=dryer,
        status="in_progress",
        achieved="Techo terminado",
        reached={"women_young": 2, "women_adult": 5, "men_adult": 7},
        reported_on=date(2020, 8, 1),
        user=fund["board"],
    )
    posted = JournalLine.objects.filter(
        account__code=chart.PREMIUM_FUND_PEN, entry__source_key__startswith="premium-spending:"
    ).aggregate(total=Sum("amount"))["total"]
    assert posted == 400_033 + 100_017
    client.force_login(fund["board"])
    response = client.get(reverse("fund:plan_progress_pdf", kwargs={"season": fund["season"].code}))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Avance del Plan de Desarrollo" in text
    assert "S/ 4,000.33" in text and "S/ 1,000.17" in text
    assert "S/ 5,000.50" in text  # paid in all: the fund's debits from spending, to the céntimo
    assert "S/ 12,500.50" in text  # budget of both activities
    assert "S/ 5,899.67" in text  # the dryer's balance: 10,000.00 − 4,000.33 paid − 100.00 awaiting
    assert "S/ 7,400.00" in text  # both balances: 12,500.50 − 5,000.50 − 100.00
    assert "En ejecución" in text and "Rosa Tapullima" in text
    # The fund's soles, from the ledger: 17,500.00 − 5,000.50.
    assert "S/ 12,499.50" in text


# --- Reallocation: a new assembly decision --------------------------------------------------------


def test_moving_money_between_activities_needs_a_new_assembly_decision(fund):
    dryer, health = authorize(
        fund,
        [
            draft(fund),
            draft(fund, purpose="Campaña de salud", amount="2000", category=PremiumCategory.COMMUNITY),
        ],
    )
    pay(fund, dryer, "4000", "F001-1")
    with pytest.raises(ValidationError) as refused:
        draft(fund, purpose="Más salud", amount="6000.01", reallocated_from=dryer)
    assert refused.value.message_dict["amount"] == [
        "A «Secadora solar» le quedan S/ 6,000.00 sin gastar: no se pueden reasignar S/ 6,000.01."
    ]
    move = draft(fund, purpose="Campaña de salud, segunda jornada", amount="3000", reallocated_from=dryer)
    # Drafted, nothing moves yet.
    assert line_remaining_minor(dryer) == 600_000
    unallocated = fund_position().unallocated_minor
    authorize(fund, [move], decision="Asamblea Extraordinaria del 10/10/2020, acuerdo 2")
    assert line_remaining_minor(dryer) == 300_000
    assert line_remaining_minor(move) == 300_000
    assert fund_position().unallocated_minor == unallocated  # money moved, none newly claimed
    with pytest.raises(ValidationError, match="supera lo que queda en la línea «Secadora solar»"):
        register_spending(
            line=dryer,
            amount="3000.01",
            supplier="Ferretería El Constructor SAC",
            ruc=RUC,
            document="F001-9",
            document_date=date(2020, 7, 1),
            description="Materiales",
            user=fund["admin"],
        )
    plan = plan_progress(fund["season"])
    row = next(r for r in plan.activities if r.line == dryer)
    assert (row.budget_minor, row.moved_out_minor) == (700_000, 300_000)
    # Paid from but never reported on: the page does not call it «not started».
    assert row.status_label == "Con gastos, sin avance registrado"
    assert next(r for r in plan.activities if r.line == move).status_label == "Sin iniciar"
    assert plan.budget_minor == 1_200_000  # 10,000 + 2,000: the reallocation adds nothing
    # The Fairtrade workbook's budget total counts the moved money once, as the plan does.
    book = openpyxl.load_workbook(io.BytesIO(fairtrade_workbook(fund["season"])))
    totals = [
        row
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if isinstance(row[0], str) and row[0].startswith("Total (3 líneas)")
    ]
    assert len(totals) == 1 and Decimal(str(totals[0][4])) == Decimal("12000.00")


def test_a_reallocation_from_a_draft_is_refused(fund):
    dryer = draft(fund)
    with pytest.raises(ValidationError) as refused:
        draft(fund, purpose="Otra", amount="10", reallocated_from=dryer)
    assert "no lo está" in refused.value.message_dict["reallocated_from"][0]
    assert BudgetLine.objects.count() == 1


# --- Pages ----------------------------------------------------------------------------------------


def test_the_plan_page_and_progress_form(fund, client):
    dryer = authorize(fund, [draft(fund)])[0]
    draft(fund, purpose="Vivero", amount="500", category=PremiumCategory.MEMBER_SERVICES)
    client.force_login(fund["board"])
    html = client.get(reverse("fund:plan", kwargs={"season": fund["season"].code})).content.decode()
    assert "Secadora solar" in html and "Vivero" in html and "Sin iniciar" in html
    url = reverse("fund:activity_progress_new", args=[dryer.pk])
    response = client.post(url, {"status": "in_progress", "reported_on": "2020-08-01", "women_adult": "x"})
    assert response.status_code == 400 and not ActivityProgress.objects.exists()
    response = client.post(
        url, {"status": "in_progress", "reported_on": "2020-08-01", "women_adult": "4", "men_young": "3"}
    )
    assert response.status_code == 302
    html = client.get(reverse("fund:plan", kwargs={"season": fund["season"].code})).content.decode()
    assert "En ejecución" in html and "4 / 3 / 3" in html


def test_the_board_drafts_and_the_budget_motion_attaches_what_the_assembly_approves(fund, client):
    """End to end on the pages: drafted in the fund, attached in the motion form, authorized as drafted."""
    from assemblies import services
    from assemblies.models import Motion
    from tests.assemblies.factories import check_in_many, convene, make_members, make_rules

    make_rules()
    make_members(20, start=100)
    assembly = convene(fund["board"])
    dryer = draft(fund)
    elsewhere = draft(fund, purpose="Vivero", amount="500", category=PremiumCategory.MEMBER_SERVICES)
    client.force_login(fund["board"])
    url = reverse("assemblies:motion_new", args=[assembly.pk])
    form = client.get(url).content.decode()
    assert f'id="activity_{dryer.pk}"' in form and f'id="activity_{elsewhere.pk}"' in form
    response = client.post(
        url,
        {
            "kind": "budget",
            "title": "Plan de Desarrollo 2020",
            "majority": "absolute",
            "method": "hands",
            "season": fund["season"].pk,
            "activities": [str(dryer.pk)],
        },
    )
    assert response.status_code == 302
    motion = Motion.objects.get()
    page = client.get(motion.get_absolute_url()).content.decode()
    assert "Secadora solar" in page and "Propuesta" in page and "Autorizada" not in page
    # A second motion cannot attach the same draft; the free one is still offered.
    form = client.get(url).content.decode()
    assert f'id="activity_{dryer.pk}"' not in form and f'id="activity_{elsewhere.pk}"' in form
    check_in_many(assembly, fund["board"], assembly.roll_size // 2 + 1)
    services.open_session(assembly=assembly, call="first", user=fund["board"])
    services.open_motion(motion=motion, user=fund["board"])
    services.record_tally(motion=motion, counts={1: 9, 2: 1, 3: 1}, user=fund["board"])
    services.publish_motion(motion=motion, user=fund["board"])
    dryer.refresh_from_db()
    elsewhere.refresh_from_db()
    assert dryer.is_authorized and not elsewhere.is_authorized
    assert dryer.authorization.lines_digest_version == 2
    page = client.get(motion.get_absolute_url()).content.decode()
    assert "Autorizada" in page
