"""The season's audit pack: one ZIP with what a certifier or a buyer's due-diligence team asks for.

``write_audit_pack(season, fileobj)`` writes the ZIP to any writable binary
file object (a file, a temporary file, a streamed HTTP response; it needs no
seek) and returns its ``Manifest``. The pack is a list of parts (``PARTS``),
each a name and a function that writes one or more files through the
``PackWriter``; a new document is one more part:

    PARTS.append(document_part("informe_fondo_prima.pdf", premium_report_pdf, "Informe del fondo de prima"))

or, for one call only, ``write_audit_pack(season, out, extra_parts=[...])``.

At 500,000 deliveries a pack takes about half a minute (bench/results/audit_pack.md), longer
than a web worker's usual timeout: a view is better off writing it to a temporary file in a
background task and handing that file over.

Tables are CSV (UTF-8 with a byte-order mark, so Excel shows accents right),
and the small ones also xlsx. Every cell passes through
``toolkit.spreadsheets.neutralize``. Money is stored in minor units and written
as exact decimals with two places; weights are stored in grams and written as
kilograms with three. The large tables are streamed: rows go from a database
iterator straight into the ZIP entry, hashed on the way, so memory stays flat
however many deliveries the season has.

Last come LEEME.txt (what each file is, and which records a season takes in)
and manifest.csv / manifest.json: each file's name, size in bytes and SHA-256
(of the file as extracted), with the season, when and by whom the pack was
made, and Minka's version. The manifests do not list themselves or each other.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from acopio.models import CocoaForm, CollectionCentre, Delivery, DeliveryStatus, Grade, Lot, Supplier
from acopio.selectors import non_member_dry_g
from assemblies.kept import kept_for, kept_pdf
from assemblies.minutes import minutes_match, minutes_pdf
from assemblies.models import Assembly, AssemblyStatus
from certification.documents import issue, kg_text, money_text
from certification.reports import fund_report_draft, season_report_draft
from coop.models import Certification, Member, Plot, Season
from coop.traceability import COLUMNS_BY_KEY, EXPORT_KEYS, register_rows
from fund.models import (
    ApprovalCapacity,
    DistributionShare,
    PremiumAuthorization,
    Spending,
    SpendingKind,
    SpendingStatus,
)
from ledger.models import Account, JournalLine
from ledger.selectors import chain_head
from sales.models import ContractPayment, SalesContract
from sales.selectors import mass_balance
from toolkit.money import from_minor
from toolkit.spreadsheets import neutralize

# --- How numbers and text are written ---------------------------------------------------------------
#
# Comma-separated, decimal point, no thousands separator. Peru writes 1,234.56 (config/formats/es: decimal
# point), and Excel under Peruvian regional settings takes "." as the decimal symbol and "," as the list
# separator, so a comma CSV opens in columns with its numbers read as numbers. (A semicolon CSV is the
# convention of decimal-comma countries; Peruvian Excel would put a whole row in one cell.) The register
# export and the delivery import already speak this dialect.
CSV_DELIMITER = ","
BOM = "\ufeff"
CHUNK_SIZE = 5000  # rows per database round trip when streaming
REGISTER_CHUNK = 500  # members per register_rows call; under SQLite's 999 query parameters
PREMIUM_ACCOUNTS = ("2912", "2913", "2914")  # ledger.chart: premium accrued (US$), fund (US$), fund (S/)


def money(minor: int | None) -> Decimal | None:
    """Minor units (céntimos, cents) as an exact Decimal with two places: 123456 → 1234.56."""
    return None if minor is None else from_minor(minor)


def kilos(grams: int | None) -> Decimal | None:
    """Grams as an exact Decimal of kilograms with three places: 12500 → 12.500."""
    return None if grams is None else Decimal(int(grams)).scaleb(-3)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("SI" if value else "NO")


def _person(user) -> str:
    if user is None:
        return ""
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def _as_text(value) -> str:
    """A cell as the CSV writes it (dates as dd/mm/aaaa, the project's format)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, date):
        return _day(value)
    return str(value)  # int, Decimal: exact, never in exponent form at two or three places


def csv_cell(value) -> str:
    return neutralize(_as_text(value))


# --- The manifest ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestFile:
    name: str
    size: int  # bytes, as extracted
    sha256: str
    rows: int | None  # data rows of a table (header not counted); None for a document
    description: str = ""


@dataclass
class Manifest:
    season_code: str
    season_name: str
    period_start: date
    period_end: date
    made_at: datetime
    made_by: str
    minka_version: str
    files: list[ManifestFile] = field(default_factory=list)
    # The journal's chain head as the pack saw it (ledger.selectors.chain_head): an anchor outside
    # the database that a certifier keeps with the pack.
    chain_number: int = 0
    chain_hash: str = ""

    def file(self, name: str) -> ManifestFile:
        return next(f for f in self.files if f.name == name)

    def as_json(self) -> dict:
        return {
            "season": {
                "code": self.season_code,
                "name": self.season_name,
                "starts_on": self.period_start.isoformat(),
                "ends_on": self.period_end.isoformat(),
            },
            "made_at": timezone.localtime(self.made_at).isoformat(timespec="seconds"),
            "made_by": self.made_by,
            "minka_version": self.minka_version,
            "ledger_chain_head": {"entry_number": self.chain_number, "entry_hash": self.chain_hash},
            "files": [asdict(f) for f in self.files],
        }


MANIFEST_HEADER = [
    "Archivo",
    "Tamaño (bytes)",
    "SHA-256",
    "Filas",
    "Descripción",
    "Campaña",
    "Generado el",
    "Generado por",
    "Versión de Minka",
    "Libro mayor: último asiento",
    "Libro mayor: hash del último asiento",
]


# --- Writing files into the ZIP -------------------------------------------------------------------


class _HashingSink(io.RawIOBase):
    """Passes bytes on to a ZIP entry, hashing and counting them on the way."""

    def __init__(self, target):
        super().__init__()
        self._target = target
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.rows: int | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        self._target.write(data)
        length = memoryview(data).nbytes
        self.size += length
        return length


class _Sheet:
    """An xlsx written alongside its CSV, row by row (openpyxl's write-only mode keeps no cells)."""

    DATE_FORMAT = "dd/mm/yyyy"
    DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

    def __init__(self, title: str, header: list[str]):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self._cell = WriteOnlyCell
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31])
        self.sheet.freeze_panes = "A2"
        for position, text in enumerate(header, start=1):
            self.sheet.column_dimensions[get_column_letter(position)].width = min(max(len(text) + 2, 10), 45)
        bold = Font(bold=True)
        cells = []
        for text in header:
            cell = WriteOnlyCell(self.sheet, value=neutralize(text))
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)

    def append(self, row: list) -> None:
        cells = []
        for value in row:
            value = neutralize(value)
            if isinstance(value, datetime):
                local = timezone.localtime(value).replace(tzinfo=None, microsecond=0)
                cell = self._cell(self.sheet, value=local)
                cell.number_format = self.DATETIME_FORMAT
            elif isinstance(value, date):
                cell = self._cell(self.sheet, value=value)
                cell.number_format = self.DATE_FORMAT
            elif isinstance(value, bool):
                cell = _yes_no(value)
            else:
                cell = value
            cells.append(cell)
        self.sheet.append(cells)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


class PackWriter:
    """What a part writes through: tables (CSV, optionally xlsx too) and documents, each in the manifest."""

    def __init__(self, archive: zipfile.ZipFile, season: Season, *, user, made_at: datetime):
        self.archive = archive
        self.season = season
        self.user = user
        self.made_at = made_at
        self.files: list[ManifestFile] = []
        self._zip_time = timezone.localtime(made_at).timetuple()[:6]

    @property
    def period(self) -> tuple[date, date]:
        return self.season.starts_on, self.season.ends_on

    @contextmanager
    def stream(self, name: str, *, description: str = "", compress: bool = True) -> Iterator[_HashingSink]:
        """A binary entry to write into (e.g. WeasyPrint's ``write_pdf(target=...)``).

        Set ``.rows`` on it when the entry is a table, so the manifest counts them.
        """
        if any(f.name == name for f in self.files):
            raise ValueError(f"El paquete ya tiene un archivo {name}.")
        info = zipfile.ZipInfo(name, date_time=self._zip_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        with self.archive.open(info, "w") as entry:
            sink = _HashingSink(entry)
            yield sink
        self.files.append(ManifestFile(name, sink.size, sink.sha256.hexdigest(), sink.rows, description))

    def file(self, name: str, data: bytes, *, description: str = "", compress: bool = True) -> None:
        """A whole document (a PDF, a text) as one entry."""
        with self.stream(name, description=description, compress=compress) as sink:
            sink.write(data)

    def table(
        self,
        stem: str,
        header: list[str],
        rows: Iterable[list],
        *,
        xlsx: bool = False,
        description: str = "",
        title: str | None = None,
    ) -> int:
        """``stem``.csv, and ``stem``.xlsx when asked (small tables only); returns the number of rows."""
        sheet = _Sheet(title or stem, header) if xlsx else None
        count = 0
        with self.stream(f"{stem}.csv", description=description) as sink:
            text = io.TextIOWrapper(
                io.BufferedWriter(sink, buffer_size=1 << 18), encoding="utf-8", newline=""
            )
            text.write(BOM)
            writer = csv.writer(text, delimiter=CSV_DELIMITER, lineterminator="\r\n")
            writer.writerow([csv_cell(h) for h in header])
            for row in rows:
                writer.writerow([csv_cell(value) for value in row])
                if sheet is not None:
                    sheet.append(row)
                count += 1
            text.close()  # flushes into the sink; the ZIP entry is closed by stream()
            sink.rows = count
        if sheet is not None:
            # An xlsx is itself a ZIP: compressing it again costs time and saves nothing.
            with self.stream(f"{stem}.xlsx", description=description, compress=False) as sink:
                sink.write(sheet.save())
                sink.rows = count
        return count


# --- Parts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A piece of the pack: ``write(pack)`` adds one or more files through the PackWriter."""

    name: str
    write: Callable[[PackWriter], None]


def document_part(filename: str, render: Callable[[Season], bytes], description: str = "") -> Part:
    """A part holding one document made for the season, e.g. a PDF report: ``render(season) -> bytes``."""
    return Part(filename, lambda pack: pack.file(filename, render(pack.season), description=description))


# --- Which records belong to a season ------------------------------------------------------------


def _aware_day_range(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), tz)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()), tz)
    return start, end


def season_authorizations(season: Season):
    """Assembly decisions on the season's Development Plan, and any decision taken during the season."""
    first, last = season.starts_on, season.ends_on
    return (
        PremiumAuthorization.objects.filter(Q(lines__season=season) | Q(decided_on__range=(first, last)))
        .distinct()
        .order_by("decided_on", "id")
    )


def season_assemblies(season: Season):
    """Assemblies held during the season, and those that decided on its plan (often held the next season)."""
    start, end = _aware_day_range(season.starts_on, season.ends_on)
    return (
        Assembly.objects.filter(
            Q(first_call_at__gte=start, first_call_at__lt=end)
            | Q(motions__season=season)
            | Q(motions__authorization__in=season_authorizations(season).values("pk"))
        )
        .distinct()
        .order_by("first_call_at", "id")
    )


def season_spending(season: Season):
    """Spending against the season's plan lines, and any spending whose document falls in the season."""
    return (
        Spending.objects.filter(
            Q(line__season=season) | Q(document_date__range=(season.starts_on, season.ends_on))
        )
        .distinct()
        .order_by("document_date", "id")
    )


# --- The parts themselves -------------------------------------------------------------------------


def write_register(pack: PackWriter) -> None:
    """The member and plot register, in the Peru Cocoa Alliance sheet's columns (coop.traceability)."""
    header = [COLUMNS_BY_KEY[key].header for key in EXPORT_KEYS]

    def rows():
        # register_rows sorts by member code within each call; codes are chunked in that same order.
        codes = sorted(Member.objects.values_list("code", flat=True))
        for start in range(0, len(codes), REGISTER_CHUNK):
            members = Member.objects.filter(code__in=codes[start : start + REGISTER_CHUNK])
            for cells in register_rows(members):
                yield [cells.get(key) for key in EXPORT_KEYS]

    pack.table(
        "padron_socios_parcelas",
        header,
        rows(),
        xlsx=True,
        title="Padrón",
        description="Padrón de socios y parcelas (formato de la Alianza Cacao Perú), al día de hoy",
    )


DELIVERY_HEADER = [
    "Recibo",
    "Fecha",
    "Centro de acopio",
    "Código de socio",
    "Código de parcela",
    "Forma",
    "Grado",
    "Peso bruto (kg)",
    "Tara (kg)",
    "Peso neto (kg)",
    "Equivalente seco (kg)",
    "Humedad (%)",
    "Certificación",
    "Precio por kg (S/)",
    "Importe (S/)",
    "Estado",
    "Motivo de anulación",
    "Anulada el",
    "Reemplaza a",
    "Reemplazada por",
    "Lote",
    "Sobre el rendimiento posible",
    "Registrado por",
    "Proveedor no socio (DNI o RUC)",
]


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _delivery_rows(season: Season) -> Iterator[list]:
    # Codes and labels looked up in memory: the register's size, whatever the number of deliveries.
    centres = dict(CollectionCentre.objects.values_list("pk", "code"))
    members = dict(Member.objects.values_list("pk", "code"))
    plots = dict(Plot.objects.values_list("pk", "code"))
    lots = dict(Lot.objects.values_list("pk", "code"))
    suppliers = dict(Supplier.objects.values_list("pk", "document"))
    users = {user.pk: user.get_username() for user in get_user_model().objects.all()}
    forms, grades = _labels(CocoaForm), _labels(Grade)
    claims, statuses = _labels(Certification), _labels(DeliveryStatus)
    # Reissues are few: which receipt each replaces, and the other way round.
    replaces, replaced_by = {}, {}
    for pk, series, number, old_pk, old_series, old_number in Delivery.objects.filter(
        Q(season=season) | Q(replaces__season=season), replaces__isnull=False
    ).values_list(
        "pk",
        "receipt_series",
        "receipt_number",
        "replaces_id",
        "replaces__receipt_series",
        "replaces__receipt_number",
    ):
        replaces[pk] = f"{old_series}-{old_number:06d}"
        replaced_by[old_pk] = f"{series}-{number:06d}"
    days: dict[date, str] = {}

    rows = (
        Delivery.objects.filter(season=season)
        .order_by("receipt_series", "receipt_number")
        .values_list(
            "pk",
            "receipt_series",
            "receipt_number",
            "date",
            "centre_id",
            "member_id",
            "plot_id",
            "form",
            "grade",
            "gross_g",
            "tare_g",
            "net_g",
            "dry_g",
            "moisture_pct",
            "certification",
            "price_per_kg",
            "amount_minor",
            "status",
            "void_reason",
            "voided_at",
            "lot_id",
            "yield_flag",
            "recorded_by_id",
            "supplier_id",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for (
        pk,
        series,
        number,
        day,
        centre,
        member,
        plot,
        form,
        grade,
        gross,
        tare,
        net,
        dry,
        moisture,
        claim,
        price,
        amount,
        status,
        void_reason,
        voided_at,
        lot,
        flag,
        recorded_by,
        supplier,
    ) in rows:
        day_text = days.get(day)
        if day_text is None:
            day_text = days[day] = _day(day)
        yield [
            f"{series}-{number:06d}",
            day_text,
            centres[centre],
            members[member] if member else "",
            plots[plot] if plot else "",
            forms[form],
            grades[grade],
            kg_text(gross),
            kg_text(tare),
            kg_text(net),
            kg_text(dry),
            f"{moisture:.1f}",
            claims[claim],
            f"{price:.2f}",
            money_text(amount),
            statuses[status],
            void_reason,
            _moment(voided_at) if voided_at else "",
            replaces.get(pk, ""),
            replaced_by.get(pk, ""),
            lots[lot] if lot else "",
            "SI" if flag else "NO",
            users.get(recorded_by, "") if recorded_by else "",
            suppliers[supplier] if supplier else "",
        ]


def write_deliveries(pack: PackWriter) -> None:
    pack.table(
        "entregas",
        DELIVERY_HEADER,
        _delivery_rows(pack.season),
        title="Entregas",
        description="Entregas de la campaña, una por recibo, anuladas incluidas con su motivo",
    )


CLAIM_COLUMNS = [
    Certification.FAIRTRADE_ORGANIC,
    Certification.FAIRTRADE,
    Certification.ORGANIC,
    Certification.CONVENTIONAL,
]


def _purchase_rows(season: Season) -> Iterator[list]:
    valid = defaultdict(lambda: {"count": 0, "amount": 0, "grams": dict.fromkeys(CLAIM_COLUMNS, 0)})
    for member_id, claim, count, grams, amount in (
        Delivery.objects.valid()
        .filter(season=season)
        .values_list("member_id", "certification")
        .annotate(n=Count("id"), g=Sum("dry_g"), a=Sum("amount_minor"))
        .order_by()
    ):
        figures = valid[member_id]
        figures["count"] += count
        figures["amount"] += int(amount)
        figures["grams"][claim] += int(grams)
    voids = dict(
        Delivery.objects.filter(season=season, status=DeliveryStatus.VOID)
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for pk, code, name, community in (
        Member.objects.order_by("code")
        .values_list("pk", "code", "name", "community")
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        if pk not in valid and pk not in voids:
            continue
        figures = valid.get(pk) or {"count": 0, "amount": 0, "grams": dict.fromkeys(CLAIM_COLUMNS, 0)}
        grams = figures["grams"]
        yield [
            code,
            name,
            community,
            figures["count"],
            voids.get(pk, 0),
            *(kilos(grams[claim]) for claim in CLAIM_COLUMNS),
            kilos(sum(grams.values())),
            kilos(sum(grams[c] for c in CLAIM_COLUMNS if c.is_fairtrade)),
            kilos(sum(grams[c] for c in CLAIM_COLUMNS if c.is_organic)),
            money(figures["amount"]),
        ]


def write_purchases(pack: PackWriter) -> None:
    header = [
        "Código de socio",
        "Nombre",
        "Comunidad",
        "Entregas vigentes",
        "Entregas anuladas",
        *(f"Seco: {claim.label} (kg)" for claim in CLAIM_COLUMNS),
        "Seco: total (kg)",
        "Total Comercio Justo, con y sin orgánico (kg)",
        "Total orgánico, con y sin Comercio Justo (kg)",
        "Importe (S/)",
    ]
    pack.table(
        "compras_por_socio",
        header,
        _purchase_rows(pack.season),
        xlsx=True,
        title="Compras por socio",
        description="Compras de la campaña por socio (solo entregas vigentes; las anuladas se cuentan "
        "aparte)",
    )


def _non_member_rows(season: Season) -> Iterator[list]:
    """One line per supplier with purchases in the season: kept apart, never certified input."""
    voids = dict(
        Delivery.objects.filter(season=season, status=DeliveryStatus.VOID, supplier__isnull=False)
        .values_list("supplier_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    valid = {
        supplier_id: (count, int(net), int(dry), int(amount))
        for supplier_id, count, net, dry, amount in Delivery.objects.valid()
        .filter(season=season, supplier__isnull=False)
        .values_list("supplier_id")
        .annotate(n=Count("id"), net=Sum("net_g"), dry=Sum("dry_g"), a=Sum("amount_minor"))
        .order_by()
    }
    for supplier in Supplier.objects.filter(pk__in=set(valid) | set(voids)).order_by("name", "document"):
        count, net, dry, amount = valid.get(supplier.pk, (0, 0, 0, 0))
        yield [
            supplier.document_label,
            supplier.document,
            supplier.name,
            supplier.origin,
            count,
            voids.get(supplier.pk, 0),
            kilos(net),
            kilos(dry),
            money(amount),
        ]


def write_non_member_purchases(pack: PackWriter) -> None:
    pack.table(
        "compras_a_no_socios",
        [
            "Documento",
            "DNI o RUC",
            "Proveedor",
            "Origen o parcela",
            "Compras vigentes",
            "Compras anuladas",
            "Neto (kg)",
            "Seco (kg)",
            "Importe (S/)",
        ],
        _non_member_rows(pack.season),
        xlsx=True,
        title="Compras a no socios",
        description="Compras de la campaña a no socios, por proveedor: cacao convencional, fuera del "
        "balance de masas de Comercio Justo y orgánico y de todo reparto de prima",
    )


def write_sales(pack: PackWriter) -> None:
    season = pack.season
    paid = {
        row[0]: row[1:]
        for row in ContractPayment.objects.filter(contract__season=season)
        .values_list("contract_id")
        .annotate(a=Sum("amount_cents"), p=Sum("premium_cents"), pen=Sum("premium_pen_minor"))
        .order_by()
    }
    contracts = (
        SalesContract.objects.filter(season=season)
        .select_related("minimum_terms", "organic_terms", "premium_terms", "created_by", "fixing")
        .prefetch_related(
            "lots", "amendments__minimum_terms", "amendments__organic_terms", "amendments__premium_terms"
        )
        .order_by("signed_on", "number")
    )

    def contract_rows():
        for c in contracts:
            amount, premium, premium_pen = paid.get(c.pk, (0, 0, 0))
            terms = "; ".join(f"{row} ({row.source})" for row in c.current_terms_rows)
            yield [
                c.number,
                c.buyer,
                c.signed_on,
                c.origin,
                c.get_terms_display(),
                kilos(c.quantity_kg * 1000),
                c.current_market_price,
                c.current_price_per_tonne,
                terms,
                money(c.current_value_cents),
                money(c.current_premium_cents),
                c.invoice_number or "",
                c.invoiced_on,
                money(int(amount or 0)),
                money(int(premium or 0)),
                money(int(premium_pen or 0)),
                ", ".join(sorted(lot.code for lot in c.lots.all())),
                _person(c.created_by),
            ]

    pack.table(
        "ventas_contratos",
        [
            "Contrato",
            "Comprador",
            "Fecha del contrato",
            "Origen",
            "Condiciones",
            "Cantidad (kg)",
            "Precio del contrato (US$/t)",
            "Precio a pagar (US$/t)",
            "Condiciones de Comercio Justo aplicadas",
            "Valor (US$)",
            "Prima (US$)",
            "Factura",
            "Facturado el",
            "Cobrado (US$)",
            "Prima cobrada (US$)",
            "Prima cobrada (S/)",
            "Lotes",
            "Registrado por",
        ],
        contract_rows(),
        xlsx=True,
        title="Contratos",
        description="Contratos de venta de la campaña, con lo facturado y cobrado",
    )

    payments = (
        ContractPayment.objects.filter(contract__season=season)
        .select_related("contract", "entry", "entered_by")
        .order_by("date", "id")
    )
    pack.table(
        "ventas_cobros",
        [
            "Contrato",
            "Fecha",
            "Referencia del pago",
            "Monto (US$)",
            "Parte de prima (US$)",
            "Tipo de cambio (compra)",
            "Monto (S/)",
            "Prima (S/)",
            "Asiento",
            "Registrado por",
        ],
        (
            [
                p.contract.number,
                p.date,
                p.reference,
                money(p.amount_cents),
                money(p.premium_cents),
                p.rate,
                money(p.amount_pen_minor),
                money(p.premium_pen_minor),
                p.entry.number,
                _person(p.entered_by),
            ]
            for p in payments
        ),
        xlsx=True,
        title="Cobros",
        description="Cobros de los contratos de la campaña, con el tipo de cambio del día",
    )


def write_mass_balance(pack: PackWriter) -> None:
    three = Decimal("0.001")
    non_member_g = non_member_dry_g(pack.season)
    apart = (
        [["Compras a no socios (aparte: no cuentan)", kilos(non_member_g), None, None, ""]]
        if non_member_g
        else []
    )
    pack.table(
        "balance_de_masas",
        [
            "Producto",
            "Comprado a socios (kg, equivalente seco)",
            "Vendido (kg)",
            "Disponible (kg)",
            "Cumple",
        ],
        [
            [
                line.product,
                line.bought_kg.quantize(three),
                line.sold_kg.quantize(three),
                line.available_kg.quantize(three),
                _yes_no(line.available_kg >= 0),
            ]
            for line in mass_balance(pack.season)
        ]
        + apart,
        xlsx=True,
        title="Balance de masas",
        description="Balance de masas: lo vendido como Comercio Justo u orgánico frente a lo comprado",
    )


def _premium_ledger_rows(season: Season) -> Iterator[list]:
    first, last = season.starts_on, season.ends_on
    for account in Account.objects.filter(code__in=PREMIUM_ACCOUNTS).order_by("code"):
        lines = JournalLine.objects.filter(account=account)
        opening = -int(lines.filter(entry__date__lt=first).aggregate(t=Sum("amount"))["t"] or 0)
        label = [account.code, account.name, account.currency]
        yield [*label, "", first, f"Saldo inicial al {_day(first)}", "", "", None, None, money(opening)]
        balance = opening
        for number, day, description, source_key, memo, amount in (
            lines.filter(entry__date__range=(first, last))
            .order_by("entry__number", "id")
            .values_list(
                "entry__number", "entry__date", "entry__description", "entry__source_key", "memo", "amount"
            )
            .iterator(chunk_size=CHUNK_SIZE)
        ):
            balance -= amount
            yield [
                *label,
                number,
                day,
                description,
                memo,
                source_key,
                money(amount) if amount > 0 else None,
                money(-amount) if amount < 0 else None,
                money(balance),
            ]
        yield [*label, "", last, f"Saldo final al {_day(last)}", "", "", None, None, money(balance)]


def write_premium_ledger(pack: PackWriter) -> None:
    pack.table(
        "fondo_prima_libro",
        [
            "Cuenta",
            "Nombre de la cuenta",
            "Moneda",
            "Asiento",
            "Fecha",
            "Descripción",
            "Glosa",
            "Documento de origen",
            "Debe",
            "Haber",
            "Saldo acreedor",
        ],
        _premium_ledger_rows(pack.season),
        xlsx=True,
        title="Libro del fondo de prima",
        description="Movimientos de las cuentas de la prima de Comercio Justo en las fechas de la campaña, "
        "con saldos inicial y final",
    )


def write_authorizations(pack: PackWriter) -> None:
    authorizations = list(
        season_authorizations(pack.season)
        .select_related("authorized_by", "motion__assembly")
        .prefetch_related("lines__season")
    )
    spent = defaultdict(int)
    totals = (
        Spending.objects.filter(line__authorization__in=[a.pk for a in authorizations])
        .values_list("line_id", "status")
        .annotate(t=Sum("amount_minor"))
        .order_by()
    )
    for line_id, status, total in totals:
        spent[(line_id, status)] = int(total)

    def rows():
        for authorization in authorizations:
            motion = getattr(authorization, "motion", None)
            head = [
                authorization.decision,
                authorization.decided_on,
                motion.assembly.title if motion else "",
                str(motion) if motion else "",
            ]
            tail = [_person(authorization.authorized_by), authorization.authorized_at]
            lines = sorted(authorization.lines.all(), key=lambda line: line.pk)
            if not lines:
                yield [*head, "", "", "", None, None, None, *tail]
            for line in lines:
                yield [
                    *head,
                    line.purpose,
                    line.season.name,
                    line.get_category_display(),
                    money(line.amount_minor),
                    money(spent[(line.pk, SpendingStatus.PAID)]),
                    money(spent[(line.pk, SpendingStatus.PENDING)]),
                    *tail,
                ]

    pack.table(
        "autorizaciones_asamblea",
        [
            "Acuerdo",
            "Fecha del acuerdo",
            "Asamblea",
            "Moción",
            "Línea del plan",
            "Campaña del plan",
            "Categoría",
            "Monto autorizado (S/)",
            "Pagado (S/)",
            "Pendiente de aprobación (S/)",
            "Registrado por",
            "Registrado el",
        ],
        rows(),
        xlsx=True,
        title="Autorizaciones",
        description="Acuerdos de asamblea que autorizaron líneas del Plan de Desarrollo, línea por línea",
    )


def minutes_filename(assembly) -> str:
    return f"actas/acta_{timezone.localtime(assembly.first_call_at):%Y-%m-%d}_asamblea_{assembly.pk}.pdf"


def write_assemblies(pack: PackWriter) -> None:
    assemblies = list(season_assemblies(pack.season))
    closed = [a for a in assemblies if a.status == AssemblyStatus.CLOSED]
    pack.table(
        "asambleas",
        [
            "Asamblea",
            "Tipo",
            "Modalidad",
            "Lugar o enlace",
            "Primera convocatoria",
            "Estado",
            "Abierta el",
            "Cerrada el",
            "Socios en el padrón",
            "Presentes al abrir",
            "Representados al abrir",
            "Quórum exigido",
            "Código de verificación del acta",
            "Acta coincide con los registros",
            "Archivo del acta",
        ],
        (
            [
                a.title,
                a.get_kind_display(),
                a.get_mode_display(),
                a.place or a.link,
                a.first_call_at,
                a.get_status_display(),
                a.opened_at,
                a.closed_at,
                a.roll_size,
                a.quorum_present,
                a.quorum_represented,
                a.quorum_needed,
                a.minutes_hash,
                _yes_no(minutes_match(a)) if a in closed else "",
                minutes_filename(a) if a in closed else "",
            ]
            for a in assemblies
        ),
        xlsx=True,
        title="Asambleas",
        description="Asambleas generales de la campaña y las que aprobaron su plan",
    )
    for assembly in closed:
        # The acta kept at closing when it is ready and whole (assemblies.kept), else rendered now.
        kept = kept_for(assembly, with_facts=False)
        content = kept_pdf(kept) if kept is not None and kept.language == translation.get_language() else None
        content = content or minutes_pdf(assembly)
        pack.file(minutes_filename(assembly), content, description=f"Acta: {assembly.title}")


def write_spending(pack: PackWriter) -> None:
    spending = list(
        season_spending(pack.season)
        .select_related("line__season", "line__authorization", "entry", "reversal_entry", "created_by")
        .prefetch_related("approvals__user")
    )

    def rows():
        for s in spending:
            approvals = {a.capacity: a for a in s.approvals.all()}
            signed = []
            for capacity in (ApprovalCapacity.BOARD, ApprovalCapacity.TREASURER):
                approval = approvals.get(capacity)
                signed += [_person(approval.user), approval.approved_at] if approval else ["", None]
            line = s.line
            yield [
                s.pk,
                line.purpose,
                line.season.name,
                line.get_category_display(),
                line.authorization.decision if line.authorization else "",
                s.get_kind_display(),
                s.description,
                money(s.amount_minor),
                s.supplier,
                s.ruc,
                s.document,
                s.document_date,
                s.get_status_display(),
                s.rejection_reason,
                *signed,
                s.entry.number if s.entry else "",
                s.entry.date if s.entry else None,
                s.reversal_entry.number if s.reversal_entry else "",
                _person(s.created_by),
                s.created_at,
            ]

    pack.table(
        "gastos_fondo_prima",
        [
            "N.º de gasto",
            "Línea del plan",
            "Campaña del plan",
            "Categoría",
            "Acuerdo de asamblea",
            "Tipo",
            "Detalle",
            "Monto (S/)",
            "Proveedor",
            "RUC",
            "N.º de comprobante",
            "Fecha del comprobante",
            "Estado",
            "Motivo del rechazo o de la reversión",
            "Aprobó (consejo de administración)",
            "Aprobado el (consejo)",
            "Aprobó (tesorería)",
            "Aprobado el (tesorería)",
            "Asiento",
            "Fecha del asiento",
            "Asiento de reversión",
            "Registrado por",
            "Registrado el",
        ],
        rows(),
        xlsx=True,
        title="Gastos",
        description="Gastos del fondo de prima con su comprobante, sus dos aprobaciones y su asiento",
    )

    distributions = [s.pk for s in spending if s.kind == SpendingKind.DISTRIBUTION]
    shares = (
        DistributionShare.objects.filter(spending__in=distributions)
        .order_by("spending__document_date", "spending_id", "member__code")
        .values_list(
            "spending__document",
            "spending__status",
            "member__code",
            "member__name",
            "fairtrade_g",
            "amount_minor",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    statuses = _labels(SpendingStatus)
    pack.table(
        "reparto_prima_socios",
        [
            "Planilla",
            "Estado del reparto",
            "Código de socio",
            "Nombre",
            "Comercio Justo entregado (kg, seco)",
            "Monto (S/)",
        ],
        (
            [document, statuses[status], code, name, kilos(grams), money(amount)]
            for document, status, code, name, grams, amount in shares
        ),
        title="Reparto",
        description="Repartos en efectivo de la prima: la parte de cada socio, por kilos de Comercio Justo",
    )


PARTS: list[Part] = [
    Part("padron", write_register),
    Part("entregas", write_deliveries),
    Part("compras_por_socio", write_purchases),
    Part("compras_a_no_socios", write_non_member_purchases),
    Part("ventas", write_sales),
    Part("balance_de_masas", write_mass_balance),
    Part("fondo_prima_libro", write_premium_ledger),
    Part("autorizaciones", write_authorizations),
    Part("asambleas", write_assemblies),
    Part("gastos", write_spending),
]

# The season's reports, issued as numbered documents before the pack's snapshot opens: numbering takes
# a short row lock that must not be held for the minutes a large pack takes.
REPORTS = [
    ("informe_campana.pdf", season_report_draft, "Informe de campaña (documento numerado, PDF/A)"),
    ("informe_fondo_prima.pdf", fund_report_draft, "Informe del fondo de prima (documento numerado, PDF/A)"),
]


# --- The pack -------------------------------------------------------------------------------------


README = """Paquete de auditoría de la {season} ({start} al {end})
Cooperativa: {coop}
Generado el {made_at} por {made_by} con Minka {version}.

Cómo leer los archivos
- Las tablas vienen en CSV (UTF-8, separadas por comas, punto decimal, fechas dd/mm/aaaa) y las
  pequeñas también en Excel (.xlsx). Los montos están en soles (S/) o dólares (US$) con dos
  decimales exactos; los pesos en kilogramos con tres decimales (se registran en gramos).
- Una celda que empezaba con =, +, -, @ se escribe con un apóstrofo delante, para que la hoja
  de cálculo no la ejecute como fórmula.
- manifest.csv y manifest.json dan el tamaño y el SHA-256 de cada archivo tal como sale del ZIP:
  compruébelos con «sha256sum» (Linux) o «certutil -hashfile ARCHIVO SHA256» (Windows).
  También dan la cabeza de la cadena del libro mayor al generar el paquete (número y hash del
  último asiento): guárdelos; «verify_ledger» en el servidor debe seguir mostrando ese asiento
  con ese hash, o el libro fue recortado o reescrito después.

Qué entra en la campaña
- Entregas, compras por socio, contratos, cobros y balance de masas: los de la campaña.
  Las entregas anuladas figuran con su motivo; no cuentan en compras ni en el balance.
- Compras a no socios: en entregas (con el DNI o RUC del proveedor) y, por proveedor, en
  compras_a_no_socios; son cacao convencional: no cuentan en el balance de masas de Comercio
  Justo ni orgánico, ni en ningún reparto de la prima.
- Padrón: el padrón de socios y parcelas al día en que se generó el paquete.
- Libro del fondo de prima: los asientos de las cuentas de la prima con fecha dentro de la
  campaña, con saldos inicial y final. Lo gastado de su plan después de la campaña figura en el
  libro de la campaña siguiente; gastos_fondo_prima.csv da el número de asiento de cada gasto.
- Autorizaciones, asambleas y actas: los acuerdos sobre el plan de la campaña y los tomados
  durante ella; las asambleas de la campaña y las que aprobaron su plan; el acta en PDF de cada
  asamblea cerrada.
- Gastos del fondo de prima: los de las líneas del plan de la campaña y los que tienen su
  comprobante en la campaña, con sus dos aprobaciones.

Archivos
{files}
"""


def _readme(pack: PackWriter) -> bytes:
    listing = "\n".join(f"- {f.name}: {f.description}".rstrip(": ") for f in pack.files)
    text = README.format(
        season=pack.season.name,
        start=_day(pack.season.starts_on),
        end=_day(pack.season.ends_on),
        coop=getattr(settings, "MINKA_COOP_NAME", ""),
        made_at=_moment(pack.made_at),
        made_by=_person(pack.user) or "(línea de comandos)",
        version=settings.MINKA_VERSION,
        files=listing + "\n- LEEME.txt: este archivo\n- manifest.csv, manifest.json: tamaño y SHA-256 de "
        "cada archivo",
    )
    return BOM.encode("utf-8") + text.replace("\n", "\r\n").encode("utf-8")


def _manifest_csv(manifest: Manifest) -> bytes:
    out = io.StringIO(newline="")
    out.write(BOM)
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADER)
    for f in manifest.files:
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    f.name,
                    f.size,
                    f.sha256,
                    f.rows,
                    f.description,
                    manifest.season_code,
                    manifest.made_at,
                    manifest.made_by,
                    manifest.minka_version,
                    manifest.chain_number,
                    manifest.chain_hash,
                )
            ]
        )
    return out.getvalue().encode("utf-8")


@contextmanager
def _snapshot():
    """One consistent view of the data for the whole pack.

    On PostgreSQL a REPEATABLE READ transaction (not READ ONLY: a report part may record the document it
    issues). On SQLite nothing: Minka opens its write transactions IMMEDIATE, so a transaction held for the
    whole pack would keep the clerks from recording deliveries meanwhile.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def write_audit_pack(
    season: Season, fileobj: BinaryIO, *, user=None, extra_parts: Iterable[Part] = ()
) -> Manifest:
    """Write the season's audit pack as a ZIP into ``fileobj`` (seekable or not) and return its manifest.

    The pack is data for certifiers' tools, in the cooperative's language (its headers, LEEME.txt, the
    words in its cells and its reports) whatever the language of whoever asks for it.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _write_audit_pack(season, fileobj, user=user, extra_parts=extra_parts)


def _write_audit_pack(season: Season, fileobj: BinaryIO, *, user, extra_parts: Iterable[Part]) -> Manifest:
    made_at = timezone.now()
    reports = [(name, *issue(draft(season), user=user), description) for name, draft, description in REPORTS]
    with _snapshot(), zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        pack = PackWriter(archive, season, user=user, made_at=made_at)
        head = chain_head()
        for part in [*PARTS, *extra_parts]:
            part.write(pack)
        for name, document, pdf, description in reports:
            pack.file(name, pdf, description=f"{description}, N.º {document.number}")
        pack.file("LEEME.txt", _readme(pack), description="Qué contiene el paquete y cómo leerlo")
        manifest = Manifest(
            season_code=season.code,
            season_name=season.name,
            period_start=season.starts_on,
            period_end=season.ends_on,
            made_at=made_at,
            made_by=_person(user),
            minka_version=settings.MINKA_VERSION,
            files=list(pack.files),
            chain_number=head.number,
            chain_hash=head.hash,
        )
        pack.file("manifest.csv", _manifest_csv(manifest))
        as_json = json.dumps(manifest.as_json(), ensure_ascii=False, indent=2)
        pack.file("manifest.json", as_json.encode("utf-8"))
    return manifest


def pack_filename(season: Season) -> str:
    """A download name for the season's pack: paquete_auditoria_2025.zip."""
    return f"paquete_auditoria_{re.sub(r'[^A-Za-z0-9_-]+', '-', season.code)}.zip"


# --- Finding the season ---------------------------------------------------------------------------


class SeasonNotFound(LookupError):
    """The season asked for does not exist or is ambiguous; the message lists the seasons."""


def _season_list(seasons) -> str:
    return "; ".join(
        _("%(code)s (%(name)s, %(start)s al %(end)s)")
        % {"code": s.code, "name": s.name, "start": _day(s.starts_on), "end": _day(s.ends_on)}
        for s in seasons
    )


def find_season(text: str) -> Season:
    """The season by its code; or, for a bare year, the season that starts that year or names it."""
    wanted = (text or "").strip()
    seasons = list(Season.objects.order_by("starts_on"))
    if not seasons:
        raise SeasonNotFound(_("No hay campañas registradas."))
    for season in seasons:
        if season.code.casefold() == wanted.casefold():
            return season
    if re.fullmatch(r"\d{4}", wanted):
        tiers = (
            [s for s in seasons if s.starts_on.year == int(wanted)],
            [s for s in seasons if wanted in s.code],
            [s for s in seasons if wanted in s.name],
        )
        for matches in tiers:
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise SeasonNotFound(
                    _(
                        "El año %(year)s corresponde a varias campañas: %(seasons)s. "
                        "Indique el código de la campaña."
                    )
                    % {"year": wanted, "seasons": _season_list(matches)}
                )
    raise SeasonNotFound(
        _("No existe la campaña «%(season)s». Campañas registradas: %(seasons)s.")
        % {"season": wanted, "seasons": _season_list(seasons)}
    )
