"""The premium fund pages: what the board and the treasurer see and sign, equal to the ledger."""

import pytest
from django.urls import reverse

from fund.models import BudgetLine, PremiumCategory, Spending, SpendingStatus
from ledger import chart
from ledger.models import JournalEntry
from ledger.selectors import account_balance
from tests.ledger.test_premium_fund import RUC, authorized_line, fund_with_soles


@pytest.fixture
def fund(db, make_user):
    return fund_with_soles(make_user)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_overview_shows_the_ledger_figures_and_the_chart(fund, client):
    line = authorized_line(fund, amount="10000")
    signed_in(client, fund["admin"])
    form = {
        "line": line.pk,
        "kind": "supplier",
        "amount": "2500,00",
        "supplier": "Ferretería",
        "ruc": RUC,
        "document": "F001-77",
        "document_date": "2020-07-01",
        "description": "Calaminas",
    }
    client.post(reverse("fund:spending_new"), form)
    html = client.get(reverse("fund:fund_overview")).content.decode()
    fund_soles = -account_balance(chart.account(chart.PREMIUM_FUND_PEN))
    assert fund_soles == 1_750_000 and "S/ 17,500.00" in html
    assert "US$ 1,000.00" in html  # dollars not yet sold
    assert "S/ 7,500.00" in html  # unallocated: 17,500 − 10,000 authorized
    assert "Asamblea General Ordinaria del 15/03/2020, acuerdo 4" in html
    assert "<svg" in html and "autorizado S/ 10,000.00 · gastado S/ 0.00 · por aprobar S/ 2,500.00" in html
    assert "Pendiente de aprobación (0/2)" in html


def test_a_bad_spending_form_names_each_field_and_writes_nothing(fund, client):
    line = authorized_line(fund)
    signed_in(client, fund["admin"])
    response = client.post(
        reverse("fund:spending_new"),
        {
            "line": line.pk,
            "kind": "supplier",
            "amount": "-5",
            "supplier": "",
            "ruc": "20131312954",
            "document": "",
            "document_date": "",
            "description": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    for message in (
        "El monto debe ser mayor que cero.",
        "Indique el proveedor.",
        "El RUC 20131312954 no es válido (dígito verificador).",
        "Indique el número del comprobante (factura o boleta).",
        "Indique la fecha del comprobante.",
        "Indique el detalle del gasto.",
    ):
        assert message in html
    assert Spending.objects.count() == 0


def test_the_board_and_the_treasurer_sign_on_the_spending_page(fund, client):
    line = authorized_line(fund)
    signed_in(client, fund["admin"])
    created = client.post(
        reverse("fund:spending_new"),
        {
            "line": line.pk,
            "kind": "supplier",
            "amount": "4000",
            "supplier": "Ferretería El Constructor SAC",
            "ruc": RUC,
            "document": "F001-000321",
            "document_date": "2020-07-01",
            "description": "Calaminas",
        },
    )
    spending = Spending.objects.get()
    assert created["Location"] == spending.get_absolute_url()
    url = spending.get_absolute_url()
    page = signed_in(client, fund["board"]).get(url).content.decode()
    assert "Aprobar como Consejo de administración" in page and "Aprobar como Tesorería" not in page
    client.post(reverse("fund:spending_approve", args=[spending.pk]), {"capacity": "board"})
    again = client.post(
        reverse("fund:spending_approve", args=[spending.pk]), {"capacity": "treasurer"}, follow=True
    ).content.decode()
    assert "Usted ya aprobó este gasto" in again
    entries = JournalEntry.objects.count()
    done = signed_in(client, fund["treasurer"]).post(
        reverse("fund:spending_approve", args=[spending.pk]), {"capacity": "treasurer"}, follow=True
    )
    html = done.content.decode()
    spending.refresh_from_db()
    assert spending.status == SpendingStatus.PAID and JournalEntry.objects.count() == entries + 1
    assert f"contabilizado (asiento {spending.entry.number})" in html
    assert "presidente" in html and "tesorera" in html
    assert -account_balance(chart.account(chart.PREMIUM_FUND_PEN)) == 1_350_000
    reversed_page = (
        signed_in(client, fund["admin"])
        .post(
            reverse("fund:spending_reverse", args=[spending.pk]),
            {"reason": "Factura anulada por SUNAT"},
            follow=True,
        )
        .content.decode()
    )
    assert "el dinero vuelve al fondo" in reversed_page and "Revertido" in reversed_page
    assert -account_balance(chart.account(chart.PREMIUM_FUND_PEN)) == 1_750_000


def test_a_distribution_page_lists_each_members_part(fund, client):
    line = authorized_line(fund, amount="1000", category=PremiumCategory.CASH_TO_MEMBERS, purpose="Reparto")
    signed_in(client, fund["admin"])
    client.post(
        reverse("fund:spending_new"),
        {
            "line": line.pk,
            "kind": "distribution",
            "season": fund["season"].pk,
            "amount": "1000",
            "document": "PL-2020-01",
            "document_date": "2020-08-01",
            "description": "Reparto acordado",
        },
    )
    spending = Spending.objects.get()
    html = client.get(spending.get_absolute_url()).content.decode()
    assert "Planilla de reparto (2 socios)" in html
    assert "S/ 750.00" in html and "S/ 250.00" in html  # 30 t and 10 t of Fairtrade cocoa


def test_a_plan_line_is_drafted_by_the_board_and_waits_for_the_assembly(fund, client):
    signed_in(client, fund["board"])
    refused = client.post(
        reverse("fund:budget_line_new"),
        {"season": fund["season"].pk, "purpose": "", "category": "", "amount": "abc"},
    )
    assert refused.status_code == 400 and BudgetLine.objects.count() == 0
    client.post(
        reverse("fund:budget_line_new"),
        {
            "season": fund["season"].pk,
            "purpose": "Vivero comunal",
            "objective": "Plantones para renovar cacaotales",
            "category": "community",
            "amount": "3000",
            "starts_on": "2020-04-01",
            "ends_on": "2020-12-31",
            "responsible": "Comité de educación",
            "beneficiaries": "40",
            "women": "12",
            "youth": "8",
        },
    )
    line = BudgetLine.objects.get()
    assert not line.is_authorized and line.amount_minor == 300_000
    overview = client.get(reverse("fund:fund_overview")).content.decode()
    assert "Vivero comunal" in overview and "Borrador: falta acuerdo" in overview
