"""The Fairtrade reporting workbook a certifier (FLOCERT) asks for, one season at a time.

Four sheets, Spanish headers, each opening with the same title block
(cooperative, season, when it was made, Minka version):

- «Ventas»: every sales contract of the season, its pricing on Fairtrade
  terms, invoice and the money received (US$ and S/ at each payment's rate);
- «Prima»: premium per contract, earned and received, and the fund's figures
  exactly as the premium fund page shows them (``fund.selectors.fund_report``);
- «Uso de la prima»: the season's Development Plan by category and by line,
  with the assembly decision behind each line, and every spending;
- «Balance de masas»: Fairtrade and organic bought versus sold
  (``sales.selectors.mass_balance``).

Nothing here computes money the fund page does not: figures come from the
ledger's own functions, and the only arithmetic is adding up the rows a
table shows for its totals row. Amounts are integer minor units in the
database and are written as exact Decimals (``from_minor``), never floats.
Every cell value goes through ``toolkit.spreadsheets.neutralize`` in one place
(``_Sheet.row``), so a buyer called «=HYPERLINK(...)» stays text.
"""

import io
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from acopio.selectors import non_member_dry_g
from coop.models import Certification, Season
from fund.figures import Figures, add_up
from fund.models import PremiumCategory, PremiumConversion, Spending, SpendingStatus
from fund.selectors import FundReport, fund_report
from sales.models import ContractPayment, SalesContract, TermsComponent
from sales.selectors import mass_balance
from toolkit.money import from_minor
from toolkit.spreadsheets import neutralize

SHEETS = ("Ventas", "Prima", "Uso de la prima", "Balance de masas")

MONEY = "#,##0.00"
KILOS = "#,##0"
KILOS_EXACT = "#,##0.000"  # dry equivalent: deliveries are weighed to the gram
RATE = "0.0000"
DAY = "DD/MM/YYYY"

DRAFT_LINE = "Borrador: falta acuerdo de asamblea"
SEVERAL_RATES = "Varios: ver «Cobros»"
MAX_COLUMN_WIDTH = 60


# --- Cells -------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A value with the number format it is shown in."""

    value: object
    number_format: str | None = None


def money(minor: int | None) -> Cell:
    """Céntimos or cents as an exact two-place Decimal (no division, no float)."""
    return Cell(None if minor is None else from_minor(minor), MONEY)


def price(value: Decimal | None) -> Cell:
    """A stored two-place Decimal price (US$ per tonne), as it is."""
    return Cell(value, MONEY)


def kilos(value: int | Decimal | None, number_format: str = KILOS) -> Cell:
    return Cell(value, number_format)


def rate(value: Decimal | None) -> Cell:
    return Cell(value, RATE)


def day(value: Date | None) -> Cell:
    return Cell(value, DAY)


class _Sheet:
    """Writes rows top to bottom; every value passes through ``neutralize`` here and nowhere else."""

    def __init__(self, worksheet):
        self.ws = worksheet
        self.next_row = 1

    def row(self, values: Iterable, *, bold: bool = False) -> None:
        for column, item in enumerate(values, start=1):
            cell = item if isinstance(item, Cell) else Cell(item)
            if cell.value is None:
                continue
            target = self.ws.cell(row=self.next_row, column=column, value=neutralize(cell.value))
            if cell.number_format:
                target.number_format = cell.number_format
            if bold:
                target.font = Font(bold=True)
        self.next_row += 1

    def blank(self) -> None:
        self.next_row += 1

    def heading(self, text: str) -> None:
        self.blank()
        self.ws.cell(row=self.next_row, column=1, value=neutralize(text)).font = Font(bold=True, size=12)
        self.next_row += 1

    def note(self, text: str) -> None:
        self.ws.cell(row=self.next_row, column=1, value=neutralize(text)).font = Font(italic=True)
        self.next_row += 1

    def table(self, headers: list[str], rows: list[list], total: list | None = None) -> None:
        self.row(headers, bold=True)
        for values in rows:
            self.row(values)
        if total is not None:
            self.row(total, bold=True)

    def figures(self, pairs: list[tuple[str, Cell]]) -> None:
        """Label and value, one per row (a small summary block)."""
        for label, cell in pairs:
            self.row([label, cell])

    def fit_columns(self) -> None:
        widths: dict[int, int] = {}
        for row in self.ws.iter_rows():
            for cell in row:
                # Titles, headings and notes run on over the empty cells to their right.
                if cell.value is None or cell.font.italic or (cell.font.size or 11) > 11:
                    continue
                shown = cell.value.strftime("%d/%m/%Y") if isinstance(cell.value, Date) else str(cell.value)
                widths[cell.column] = max(widths.get(cell.column, 0), len(shown) + 2)
        for column, width in widths.items():
            self.ws.column_dimensions[get_column_letter(column)].width = min(max(width, 10), MAX_COLUMN_WIDTH)


# --- The workbook ----------------------------------------------------------------------


def fairtrade_workbook(season: Season, *, made_at: datetime | None = None) -> bytes:
    """The season's Fairtrade report as xlsx bytes: «Ventas», «Prima», «Uso de la prima», «Balance de masas».

    All figures are read in one transaction (a repeatable-read snapshot on
    PostgreSQL), so the sheets agree with each other even while clerks keep working.
    """
    made_at = timezone.localtime(made_at or timezone.now())
    with translation.override("es"), _snapshot():
        report = fund_report()
        contracts = list(
            SalesContract.objects.filter(season=season)
            .select_related(
                "minimum_terms",
                "organic_terms",
                "premium_terms",
                "fixing__minimum_terms",
                "fixing__organic_terms",
                "fixing__premium_terms",
            )
            .prefetch_related(
                "payments",
                "amendments__minimum_terms",
                "amendments__organic_terms",
                "amendments__premium_terms",
            )
            .order_by("signed_on", "number")
        )
        book = Workbook()
        book.remove(book.active)
        writers = [_Sheet(book.create_sheet(title)) for title in SHEETS]
        for sheet, title in zip(writers, SHEETS, strict=True):
            _title_block(sheet, title, season, made_at)
        _sales_sheet(writers[0], season, contracts)
        _premium_sheet(writers[1], season, contracts, report, made_at)
        _premium_use_sheet(writers[2], season, report)
        _mass_balance_sheet(writers[3], season, contracts)
    for sheet in writers:
        sheet.fit_columns()
    book.properties.creator = f"Minka {settings.MINKA_VERSION}"
    book.properties.title = f"Informe de Comercio Justo, {season.name}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@contextmanager
def _snapshot():
    """One consistent read of the database for the whole workbook.

    Inside a transaction already open (a test, a caller's own block) the
    caller's isolation stands: PostgreSQL lets only the first statement of a
    transaction choose it.
    """
    fresh = not connection.in_atomic_block
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _title_block(sheet: _Sheet, title: str, season: Season, made_at: datetime) -> None:
    sheet.ws.cell(row=1, column=1, value=neutralize(f"Informe de Comercio Justo: {title}")).font = Font(
        bold=True, size=14
    )
    sheet.next_row = 2
    sheet.figures(
        [
            ("Cooperativa", Cell(settings.MINKA_COOP_NAME)),
            ("Campaña", Cell(f"{season.name} (código {season.code})")),
            ("Periodo", Cell(f"del {season.starts_on:%d/%m/%Y} al {season.ends_on:%d/%m/%Y}")),
            ("Elaborado el", Cell(f"{made_at:%d/%m/%Y %H:%M}")),
            ("Versión de Minka", Cell(settings.MINKA_VERSION)),
        ]
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _terms_label(contract: SalesContract) -> str:
    return str(Certification(contract.terms).label)


def _is_fairtrade(contract: SalesContract) -> bool:
    return Certification(contract.terms).is_fairtrade


# --- «Ventas» ----------------------------------------------------------------------------


def _fairtrade_minimum(contract: SalesContract) -> tuple[Decimal | None, Decimal | None]:
    """(minimum price used, organic differential added) from the terms rows of the version in force."""
    minimum, organic = contract.current_minimum_terms, contract.current_organic_terms
    if minimum is None:
        return None, None
    if organic is not None and organic.kind == TermsComponent.ORGANIC_MINIMUM:
        return organic.amount, None
    return minimum.amount, organic.amount if organic is not None else None


def _payment_rate(payments: list[ContractPayment]):
    rates = {payment.rate for payment in payments}
    if len(rates) > 1:
        return SEVERAL_RATES
    return rate(rates.pop()) if rates else None


def _sales_sheet(sheet: _Sheet, season: Season, contracts: list[SalesContract]) -> None:
    sheet.heading("Contratos de venta de la campaña")
    sheet.note(
        "Precios en US$ por tonelada, FOB. Cantidades en kilogramos. El precio pagado es el mayor "
        "entre el precio del contrato y el mínimo de Comercio Justo, más el diferencial orgánico "
        "cuando corresponde; la prima se paga aparte."
    )
    rows = []
    for c in contracts:
        payments = list(c.payments.all())
        minimum, differential = _fairtrade_minimum(c)
        premium_row, applied = c.current_premium_terms, c.current_terms_rows
        rows.append(
            [
                c.number,
                c.buyer,
                day(c.signed_on),
                _terms_label(c),
                kilos(c.quantity_kg),
                price(c.current_market_price),
                price(c.current_price_per_tonne),
                price(minimum),
                price(differential),
                price(premium_row.amount if premium_row else None),
                day(max(row.valid_from for row in applied) if applied else None),
                money(c.current_value_cents),
                money(c.current_premium_cents),
                c.invoice_number,
                day(c.invoiced_on),
                money(sum(p.amount_cents for p in payments)),
                money(sum(p.amount_pen_minor for p in payments)),
                _payment_rate(payments),
            ]
        )
    sheet.table(
        [
            "N.º de contrato",
            "Comprador",
            "Fecha del contrato",
            "Condiciones",
            "Cantidad (kg)",
            "Precio del contrato (US$/t)",
            "Precio pagado (US$/t)",
            "Precio mínimo CJ aplicado (US$/t)",
            "Diferencial orgánico (US$/t)",
            "Prima CJ (US$/t)",
            "Condiciones CJ vigentes desde",
            "Valor (US$)",
            "Prima (US$)",
            "Factura",
            "Fecha de factura",
            "Cobrado (US$)",
            "Cobrado (S/)",
            "Tipo de cambio (S/ por US$)",
        ],
        rows,
        total=[
            f"Total ({_count(len(contracts), 'contrato', 'contratos')})",
            None,
            None,
            None,
            kilos(sum(c.quantity_kg for c in contracts)),
            None,
            None,
            None,
            None,
            None,
            None,
            money(sum(c.current_value_cents for c in contracts)),
            money(sum(c.current_premium_cents for c in contracts)),
            None,
            None,
            money(sum(p.amount_cents for c in contracts for p in c.payments.all())),
            money(sum(p.amount_pen_minor for c in contracts for p in c.payments.all())),
            None,
        ],
    )

    payments = sorted((p for c in contracts for p in c.payments.all()), key=lambda p: (p.date, p.pk))
    by_id = {c.pk: c for c in contracts}
    sheet.heading("Cobros")
    sheet.note("Cada cobro en dólares se registra en soles al tipo de cambio de compra del día (SBS).")
    sheet.table(
        [
            "Contrato",
            "Comprador",
            "Fecha del cobro",
            "Referencia",
            "Monto (US$)",
            "de ello prima (US$)",
            "Tipo de cambio (S/ por US$)",
            "Monto (S/)",
            "Prima (S/)",
        ],
        [
            [
                by_id[p.contract_id].number,
                by_id[p.contract_id].buyer,
                day(p.date),
                p.reference,
                money(p.amount_cents),
                money(p.premium_cents),
                rate(p.rate),
                money(p.amount_pen_minor),
                money(p.premium_pen_minor),
            ]
            for p in payments
        ],
        total=[
            f"Total ({_count(len(payments), 'cobro', 'cobros')})",
            None,
            None,
            None,
            money(sum(p.amount_cents for p in payments)),
            money(sum(p.premium_cents for p in payments)),
            None,
            money(sum(p.amount_pen_minor for p in payments)),
            money(sum(p.premium_pen_minor for p in payments)),
        ],
    )


# --- «Prima» --------------------------------------------------------------------------


def season_figures(report: FundReport, season: Season) -> Figures:
    """The season's row of the fund page («Por campaña»).

    ``fund_report`` lists one Figures per season in ``starts_on`` order,
    labelled with the season's name; the same query here pairs them up.
    """
    seasons = Season.objects.order_by("starts_on").values_list("pk", "name")
    for (pk, name), figures in zip(seasons, report.seasons, strict=False):
        if pk == season.pk and figures.label == name:
            return figures
    raise RuntimeError(f"El informe del fondo no tiene la fila de la campaña {season.name}.")


def _premium_sheet(
    sheet: _Sheet, season: Season, contracts: list[SalesContract], report: FundReport, made_at: datetime
) -> None:
    with_premium = [c for c in contracts if _is_fairtrade(c) or c.current_premium_cents]
    sheet.heading("Prima por contrato")
    sheet.note(
        "La prima se cobra al comprador aparte del precio y entra al fondo de la prima de la "
        "cooperativa; los soles son el equivalente al tipo de cambio de cada cobro."
    )
    rows, totals = [], [0, 0, 0, 0]
    for c in with_premium:
        received = sum(p.premium_cents for p in c.payments.all())
        received_pen = sum(p.premium_pen_minor for p in c.payments.all())
        owed = c.current_premium_cents - received
        for i, amount in enumerate((c.current_premium_cents, received, owed, received_pen)):
            totals[i] += amount
        rows.append(
            [
                c.number,
                c.buyer,
                _terms_label(c),
                kilos(c.quantity_kg),
                price(c.current_premium_terms.amount if c.current_premium_terms else None),
                money(c.current_premium_cents),
                c.invoice_number,
                money(received),
                money(owed),
                money(received_pen),
            ]
        )
    sheet.table(
        [
            "N.º de contrato",
            "Comprador",
            "Condiciones",
            "Cantidad (kg)",
            "Prima CJ (US$/t)",
            "Prima del contrato (US$)",
            "Factura",
            "Prima cobrada (US$)",
            "Prima por cobrar (US$)",
            "Prima cobrada (S/)",
        ],
        rows,
        total=[
            f"Total ({_count(len(with_premium), 'contrato', 'contratos')})",
            None,
            None,
            kilos(sum(c.quantity_kg for c in with_premium)),
            None,
            money(totals[0]),
            None,
            money(totals[1]),
            money(totals[2]),
            money(totals[3]),
        ],
    )

    figures = season_figures(report, season)
    sheet.heading(f"Prima de la campaña ({season.name}), como en la página del fondo de la prima")
    sheet.note(
        "El plan de desarrollo se gasta en soles. Solo cuenta como gastado lo aprobado por el "
        "consejo de administración y la tesorería y contabilizado."
    )
    sheet.figures(
        [
            ("Prima recibida (US$)", money(figures.received_usd_cents)),
            ("Equivalente al cobro (S/)", money(figures.received_pen_minor)),
            ("Autorizado por la asamblea (S/)", money(figures.authorized_minor)),
            ("Gastado, contabilizado (S/)", money(figures.spent_minor)),
            ("Por aprobar (S/)", money(figures.pending_minor)),
            ("Disponible en líneas (S/)", money(figures.available_minor)),
        ]
    )

    position = report.position
    sheet.heading(f"Fondo de la prima, todas las campañas, al {made_at:%d/%m/%Y}")
    sheet.note(
        "El fondo es uno solo para todas las campañas: la prima cobrada en dólares se cambia a soles "
        "y la asamblea asigna los soles a las líneas del plan."
    )
    sheet.figures(
        [
            ("Prima recibida, todas las campañas (US$)", money(report.received_usd_cents)),
            ("Cambiada a soles (US$)", money(report.converted_usd_cents)),
            ("Soles recibidos por el cambio (S/)", money(report.converted_pen_minor)),
            ("En dólares, por cambiar (US$)", money(position.usd_cents)),
            ("En soles en el fondo (S/)", money(position.pen_minor)),
            ("Autorizado por la asamblea, sin gastar (S/)", money(position.authorized_unspent_minor)),
            ("de ello por aprobar (S/)", money(position.pending_minor)),
            ("Sin asignar, para el próximo plan (S/)", money(position.unallocated_minor)),
        ]
    )

    conversions = list(
        PremiumConversion.objects.filter(date__range=(season.starts_on, season.ends_on)).order_by(
            "date", "id"
        )
    )
    sheet.heading("Cambios de la prima a soles en el periodo de la campaña")
    sheet.table(
        ["Operación", "Fecha", "Dólares (US$)", "Tipo de cambio (S/ por US$)", "Soles (S/)"],
        [
            [c.document, day(c.date), money(c.usd_cents), rate(c.rate), money(c.pen_minor)]
            for c in conversions
        ],
        total=[
            f"Total ({_count(len(conversions), 'operación', 'operaciones')})",
            None,
            money(sum(c.usd_cents for c in conversions)),
            None,
            money(sum(c.pen_minor for c in conversions)),
        ],
    )


# --- «Uso de la prima» -------------------------------------------------------------------


def _figures_row(f: Figures) -> list:
    return [
        f.label,
        money(f.authorized_minor),
        money(f.spent_minor),
        money(f.pending_minor),
        money(f.available_minor),
    ]


FIGURES_HEADERS = [
    "Categoría",
    "Autorizado (S/)",
    "Gastado, contabilizado (S/)",
    "Por aprobar (S/)",
    "Disponible (S/)",
]


def _premium_use_sheet(sheet: _Sheet, season: Season, report: FundReport) -> None:
    lines = [(line, f) for line, f in report.lines if line.season_id == season.pk]
    categories = [
        add_up(str(label), [f for line, f in lines if line.category == value])
        for value, label in PremiumCategory.choices
    ]
    sheet.heading(f"Por categoría, plan de desarrollo de la campaña ({season.name})")
    sheet.note(
        "Gastado: solo los gastos aprobados por el consejo de administración y la tesorería y "
        "contabilizados; los gastos por aprobar se muestran aparte; los rechazados y revertidos "
        "no cuentan."
    )
    sheet.table(
        FIGURES_HEADERS,
        [_figures_row(f) for f in categories],
        total=_figures_row(add_up("Total", categories)),
    )

    sheet.heading("Por línea del plan de desarrollo")
    rows = []
    for line, f in lines:
        authorization = line.authorization
        rows.append(
            [
                line.purpose,
                line.get_category_display(),
                authorization.decision if authorization else DRAFT_LINE,
                day(authorization.decided_on if authorization else None),
                money(line.amount_minor),
                money(f.authorized_minor),
                money(f.spent_minor),
                money(f.pending_minor),
                money(f.available_minor if authorization else None),
            ]
        )
    sheet.table(
        [
            "Finalidad",
            "Categoría",
            "Acuerdo de asamblea",
            "Fecha del acuerdo",
            "Presupuestado (S/)",
            "Autorizado (S/)",
            "Gastado, contabilizado (S/)",
            "Por aprobar (S/)",
            "Disponible (S/)",
        ],
        rows,
        total=[
            f"Total ({_count(len(lines), 'línea', 'líneas')})",
            None,
            None,
            None,
            # A reallocation's amount comes out of another line's budget: counted once, at its source.
            money(sum(line.amount_minor for line, _ in lines if line.reallocated_from_id is None)),
            money(sum(f.authorized_minor for _, f in lines)),
            money(sum(f.spent_minor for _, f in lines)),
            money(sum(f.pending_minor for _, f in lines)),
            money(sum(f.available_minor for line, f in lines if line.authorization_id)),
        ],
    )

    spendings = list(
        Spending.objects.filter(line__season=season)
        .select_related("line__authorization", "entry", "reversal_entry")
        .order_by("document_date", "id")
    )
    sheet.heading("Gastos y repartos, con el acuerdo de asamblea que los autorizó")
    rows = []
    for s in spendings:
        authorization = s.line.authorization
        rows.append(
            [
                s.document,
                day(s.document_date),
                s.get_kind_display(),
                s.supplier or None,
                s.ruc or None,
                s.description,
                s.line.purpose,
                s.line.get_category_display(),
                authorization.decision if authorization else DRAFT_LINE,
                day(authorization.decided_on if authorization else None),
                money(s.amount_minor),
                s.get_status_display(),
                s.entry.number if s.entry else None,
                s.reversal_entry.number if s.reversal_entry else None,
                s.rejection_reason or None,
            ]
        )
    sheet.table(
        [
            "Comprobante",
            "Fecha",
            "Tipo",
            "Proveedor",
            "RUC",
            "Detalle",
            "Línea del plan",
            "Categoría",
            "Acuerdo de asamblea",
            "Fecha del acuerdo",
            "Monto (S/)",
            "Estado",
            "Asiento",
            "Asiento de reversión",
            "Motivo del rechazo o de la reversión",
        ],
        rows,
    )
    for status in (SpendingStatus.PAID, SpendingStatus.PENDING):
        chosen = [s for s in spendings if s.status == status]
        sheet.row(
            [
                f"Total {status.label.lower()} ({len(chosen)})",
                *[None] * 9,
                money(sum(s.amount_minor for s in chosen)),
            ],
            bold=True,
        )

    sheet.heading("Por categoría, todas las campañas (como en la página del fondo de la prima)")
    sheet.table(
        FIGURES_HEADERS,
        [_figures_row(f) for f in report.categories],
        total=_figures_row(add_up("Total", report.categories)),
    )


# --- «Balance de masas» --------------------------------------------------------------------


def _mass_balance_sheet(sheet: _Sheet, season: Season, contracts: list[SalesContract]) -> None:
    sheet.heading(f"Balance de masas de la campaña ({season.name})")
    sheet.note(
        "Comprado: equivalente seco de las entregas vigentes de los socios que pueden reclamar la "
        "certificación. Vendido: contratos de la campaña con esa certificación (Comercio Justo + "
        "Orgánico cuenta en los dos). Lo vendido no puede superar lo comprado."
    )
    sheet.table(
        ["Producto", "Comprado a los socios (kg, seco)", "Vendido en contratos (kg)", "Disponible (kg)"],
        [
            [
                line.product,
                kilos(line.bought_kg, KILOS_EXACT),
                kilos(line.sold_kg, KILOS_EXACT),
                kilos(line.available_kg, KILOS_EXACT),
            ]
            for line in mass_balance(season)
        ],
    )
    non_member_g = non_member_dry_g(season)
    if non_member_g:
        sheet.note(
            "Compras a no socios: cacao convencional, aparte; no cuenta como Comercio Justo ni orgánico "
            "y no entra en ningún reparto de la prima."
        )
        sheet.table(
            ["Compras a no socios", "Comprado (kg, seco)"],
            [["Compras a no socios", kilos(Decimal(non_member_g) / 1000, KILOS_EXACT)]],
        )

    sheet.heading("Ventas por condiciones")
    rows = []
    for value, label in Certification.choices:
        sold = [c for c in contracts if c.terms == value]
        rows.append([str(label), len(sold), kilos(sum(c.quantity_kg for c in sold))])
    sheet.table(
        ["Condiciones", "Contratos", "Cantidad (kg)"],
        rows,
        total=["Total", len(contracts), kilos(sum(c.quantity_kg for c in contracts))],
    )
