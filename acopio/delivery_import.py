"""Importing deliveries from scales or other systems (xlsx or csv).

Reading and checking only: every row is priced by the same ``quote_delivery``
as the clerk's page, with what it reads preloaded. acopio.services.import_deliveries
writes the checked rows through the clerk's own delivery writer. All or nothing:
one bad row and nothing is written, with every problem named by row and column.
Each row carries an external reference; a row imported before is recognised and
left alone, so importing the same file twice changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from acopio.forms import parse_kg
from acopio.models import CocoaForm, CollectionCentre, Delivery, Grade, PriceRow
from acopio.selectors import PRICING_PLOT_FIELDS, DeliveryDraft, Lookups, quote_delivery
from coop.models import Member, Plot, Season
from coop.traceability import parse_dni
from toolkit.spreadsheets import (
    CellError,
    ProblemReport,
    cell_text,
    header_key,
    parse_date,
    read_keyed_table,
)

COLUMNS = {  # key: (header as Minka writes it, other spellings accepted)
    "external_ref": ("Referencia externa", ("referencia", "ref", "ticket de balanza", "id")),
    "centre": ("Centro", ("centro de acopio", "codigo de centro", "codigo centro")),
    "date": ("Fecha", ("fecha de entrega",)),
    "member_code": ("Código de socio", ("codigo socio", "socio", "codigo")),
    "dni": ("DNI", ("dni del socio",)),
    "plot": ("Parcela", ("codigo de parcela",)),
    "form": ("Forma", ("tipo de cacao", "estado")),
    "grade": ("Grado", ("calidad",)),
    "gross_kg": ("Peso bruto (kg)", ("peso bruto", "bruto", "bruto kg")),
    "tare_kg": ("Tara (kg)", ("tara",)),
    "moisture_pct": ("Humedad (%)", ("humedad",)),
}
REQUIRED = ("external_ref", "centre", "date", "form", "gross_kg", "tare_kg", "moisture_pct")
_LOOKUP = {
    header_key(text): key for key, (header, aliases) in COLUMNS.items() for text in (header, key, *aliases)
}

FORMS = {
    "baba": CocoaForm.WET,
    "en baba": CocoaForm.WET,
    "humedo": CocoaForm.WET,
    "wet": CocoaForm.WET,
    "seco": CocoaForm.DRY,
    "dry": CocoaForm.DRY,
    "grano seco": CocoaForm.DRY,
}
GRADES = {
    "i": Grade.GRADE_1,
    "1": Grade.GRADE_1,
    "grado i": Grade.GRADE_1,
    "g1": Grade.GRADE_1,
    "ii": Grade.GRADE_2,
    "2": Grade.GRADE_2,
    "grado ii": Grade.GRADE_2,
    "g2": Grade.GRADE_2,
    "fuera de estandar": Grade.SUBSTANDARD,
    "sub": Grade.SUBSTANDARD,
    "subestandar": Grade.SUBSTANDARD,
    "sin clasificar": Grade.UNGRADED,
    "ng": Grade.UNGRADED,
    "": Grade.UNGRADED,
}
# Which column a quote_delivery error belongs to.
FIELD_COLUMNS = {
    "member": "member_code",
    "plot": "plot",
    "centre": "centre",
    "date": "date",
    "form": "form",
    "grade": "grade",
    "gross_kg": "gross_kg",
    "tare_kg": "tare_kg",
    "moisture_pct": "moisture_pct",
}
CHUNK = 900  # SQLite's limit on query parameters, with room to spare


@dataclass
class DeliveryImportReport(ProblemReport):
    created: int = 0
    unchanged: int = 0
    flagged: int = 0
    amount_minor: int = 0


class PreloadedLookups(Lookups):
    """Seasons, prices, plots and season totals read once for the whole file."""

    def __init__(self, members: list[Member]):
        self.seasons = list(Season.objects.all())
        self.prices = defaultdict(list)
        for row in PriceRow.objects.order_by("-valid_from"):
            self.prices[(row.form, row.grade, row.certification)].append(row)
        self.plots_by_member = defaultdict(list)
        self.dry = defaultdict(int)
        ids = [m.pk for m in members]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for plot in Plot.objects.filter(member_id__in=chunk).only(*PRICING_PLOT_FIELDS):
                self.plots_by_member[plot.member_id].append(plot)
            totals = (
                Delivery.objects.valid()
                .filter(member_id__in=chunk)
                .values("member_id", "season_id")
                .annotate(total=Sum("dry_g"))
            )
            for row in totals:
                self.dry[(row["member_id"], row["season_id"])] = int(row["total"])

    def season_on(self, day):
        return next((s for s in self.seasons if s.starts_on <= day <= s.ends_on), None)

    def price(self, *, on, form, grade, certification):
        return next((r for r in self.prices[(form, grade, certification)] if r.valid_from <= on), None)

    def plots(self, member):
        return self.plots_by_member[member.pk]

    def season_dry_g(self, member, season):
        return self.dry[(member.pk, season.pk)]

    def add(self, member, season, dry_g):
        self.dry[(member.pk, season.pk)] += dry_g


@dataclass
class _Row:
    number: int
    cells: dict


def read_deliveries(*, source: bytes, filename: str, report: DeliveryImportReport) -> tuple[list[_Row], dict]:
    """The file's rows and the headers it writes them under; problems with the file itself go to
    ``report``. Nothing is written: acopio.services.import_deliveries records what check_rows plans."""
    return _read(source, filename, report)


def keyed_rows(rows: list[dict]) -> tuple[list[_Row], dict]:
    """Rows given as {column key: value} (the demo's), with the headers Minka writes."""
    headers = {key: header for key, (header, _) in COLUMNS.items()}
    return [_Row(number, cells) for number, cells in enumerate(rows, start=1)], headers


def _read(source, filename, report) -> tuple[list[_Row], dict]:
    table = read_keyed_table(
        source,
        filename,
        lookup=_LOOKUP,
        anchors={"external_ref", "gross_kg"},
        report=report,
        no_header=_(
            "No se encontró la fila de encabezados: la hoja necesita al menos las columnas "
            "«%(reference)s» y «%(gross)s»."
        )
        % {"reference": COLUMNS["external_ref"][0], "gross": COLUMNS["gross_kg"][0]},
    )
    if table is None:
        return [], {}
    headers = dict(table.headers)
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in headers]
    if "member_code" not in headers and "dni" not in headers:
        # The column names stay as the file writes them (a data format); only the "or" is a word.
        missing.append(
            _("%(code)s o %(dni)s") % {"code": COLUMNS["member_code"][0], "dni": COLUMNS["dni"][0]}
        )
    for name in missing:
        report.error(table.header_row, name, _("Falta esta columna."))
    rows = [_Row(number, values) for number, values in table.rows]
    if not rows and report.ok:
        report.error(None, "", _("El archivo no tiene filas de entregas."))
    for key, (header, _aliases) in COLUMNS.items():
        headers.setdefault(key, header)
    return rows, headers


def check_rows(rows: list[_Row], headers: dict, report: DeliveryImportReport) -> list[DeliveryDraft]:
    """Check and price every row (reading, never writing): the drafts of the new rows, in file order;
    problems go to ``report`` by row and column, rows imported before count as unchanged."""

    def cell(row, key):
        return cell_text(row.cells.get(key))

    refs = [cell(r, "external_ref") for r in rows]
    existing = {}
    for start in range(0, len(refs), CHUNK):
        for delivery in Delivery.objects.filter(external_ref__in=refs[start : start + CHUNK]).select_related(
            "centre", "member"
        ):
            existing[delivery.external_ref] = delivery
    codes = {cell(r, "member_code") for r in rows} - {""}
    dnis = set()
    for r in rows:
        try:
            dnis.add(parse_dni(r.cells.get("dni")))
        except CellError:
            pass
    members_by_code, members_by_dni = {}, {}
    for values, attr, target in (
        (sorted(codes), "code", members_by_code),
        (sorted(dnis - {""}), "dni", members_by_dni),
    ):
        for start in range(0, len(values), CHUNK):
            for member in Member.objects.filter(**{f"{attr}__in": values[start : start + CHUNK]}):
                target[getattr(member, attr)] = member
    centres = {c.code.upper(): c for c in CollectionCentre.objects.all()}
    plot_codes = sorted({cell(r, "plot") for r in rows} - {""})
    plots = {}
    for start in range(0, len(plot_codes), CHUNK):
        chunk = plot_codes[start : start + CHUNK]
        plots.update({p.code: p for p in Plot.objects.filter(code__in=chunk).only(*PRICING_PLOT_FIELDS)})
    lookups = PreloadedLookups(list({**members_by_code, **members_by_dni}.values()))

    planned, seen = [], {}
    for row in rows:
        problems = {}
        ref = cell(row, "external_ref")
        if not ref:
            problems["external_ref"] = _("Falta la referencia externa.")
        elif len(ref) > 60:
            problems["external_ref"] = _("La referencia externa tiene más de 60 caracteres.")
        elif ref in seen:
            problems["external_ref"] = _("Referencia repetida: ya está en la fila %(row)s.") % {
                "row": seen[ref]
            }
        seen.setdefault(ref, row.number)
        member = members_by_code.get(cell(row, "member_code"))
        dni_text = cell(row, "dni")
        try:
            dni = parse_dni(row.cells.get("dni"))
        except CellError as exc:
            problems["dni"] = str(exc)
            dni = ""
        if member is None and dni:
            member = members_by_dni.get(dni)
        if member is None and "dni" not in problems:
            written = cell(row, "member_code") or dni_text
            problems["member_code" if cell(row, "member_code") else "dni"] = (
                _("No hay ningún socio con el código o DNI «%(text)s».") % {"text": written}
                if written
                else _("Indique el socio.")
            )
        elif member is not None and dni and member.dni != dni:
            problems["dni"] = _("El DNI %(dni)s no es el del socio %(member)s (%(member_dni)s).") % {
                "dni": dni,
                "member": member.code,
                "member_dni": member.dni,
            }
        try:
            day = parse_date(row.cells.get("date"))
        except CellError as exc:
            problems["date"] = str(exc)
            day = None
        form = FORMS.get(header_key(cell(row, "form")))
        if form is None:
            problems["form"] = _("«%(text)s» no es una forma: escriba «baba» o «seco».") % {
                "text": cell(row, "form")
            }
        grade = GRADES.get(header_key(cell(row, "grade")))
        if grade is None:
            problems["grade"] = _("«%(text)s» no es un grado: I, II, fuera de estándar o sin clasificar.") % {
                "text": cell(row, "grade")
            }
        centre = centres.get(cell(row, "centre").upper())
        if centre is None:
            problems["centre"] = _("No existe el centro de acopio «%(centre)s».") % {
                "centre": cell(row, "centre")
            }
        plot = plots.get(cell(row, "plot")) if cell(row, "plot") else None
        if cell(row, "plot") and plot is None:
            problems["plot"] = _("No existe la parcela «%(plot)s».") % {"plot": cell(row, "plot")}

        previous = existing.get(ref)
        if previous is not None and not problems:
            if _same(previous, centre, day, member, row):
                report.unchanged += 1
            else:
                report.error(
                    row.number,
                    headers["external_ref"],
                    _(
                        "La referencia «%(reference)s» ya se importó como recibo %(receipt)s "
                        "con otros datos; para corregirla, anule ese recibo en Minka."
                    )
                    % {"reference": ref, "receipt": previous.receipt_code},
                )
            continue
        if not problems:
            quote, moisture, quote_errors = quote_delivery(
                member=member,
                plot=plot,
                centre=centre,
                date=day,
                form=form,
                grade=grade,
                gross_kg=row.cells.get("gross_kg"),
                tare_kg=row.cells.get("tare_kg"),
                moisture_pct=row.cells.get("moisture_pct"),
                lookups=lookups,
            )
            problems.update({FIELD_COLUMNS.get(k, k): v for k, v in quote_errors.items()})
        for key, message in problems.items():
            report.error(row.number, headers.get(key, key), message)
        if problems:
            continue
        lookups.add(member, quote.season, quote.dry_g)
        planned.append(
            DeliveryDraft(
                centre=centre,
                date=day,
                form=form,
                grade=grade,
                moisture_pct=moisture,
                quote=quote,
                member=member,
                plot=plot,
                external_ref=ref,
            )
        )
    report.errors.sort(key=lambda p: (p.row or 0, p.column))
    return planned


def _same(previous: Delivery, centre, day, member, row) -> bool:
    gross = parse_kg(row.cells.get("gross_kg"), "gross_kg", {})
    return (
        previous.centre_id == getattr(centre, "pk", None)
        and previous.date == day
        and previous.member_id == getattr(member, "pk", None)
        and previous.gross_g == gross
    )
