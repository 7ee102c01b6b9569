"""The Peru Cocoa Alliance traceability sheet: reading it as cooperatives keep it, writing it back.

Reading turns a spreadsheet (xlsx, or csv with comma or semicolon, UTF-8 or
Latin-1) into `SheetRow`s of typed values, naming every cell it cannot read.
It never touches the database; `coop.services.import_register` does that.
Writing produces the same columns, so an exported file imports again unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from coop.geometry import GeometryError, parse_coordinate, parse_geojson, point
from coop.models import MEMBER_CODE_PATTERN, MEMBER_CODE_RULE, MemberStatus, OrganicStage, Sex
from toolkit.numbers import number_from_cell
from toolkit.spreadsheets import (
    HEADER_SEARCH_ROWS,
    CellError,
    Problem,
    ProblemReport,
    cell_text,
    check_cell,
    header_key,
    is_blank,
    neutralize,
    parse_date,
    read_table,
    unneutralize,
)
from toolkit.text import normalize_text

AREA_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class FieldChange:
    """One field an import changes on a member or plot already in the register, as the dry run shows it."""

    kind: str  # "member" or "plot"
    code: str  # the member's or the plot's code
    name: str  # the member's name, or the plot's
    column: str  # the sheet's header for the field
    old: str  # as the sheet writes it; "" for empty
    new: str

    def __str__(self):
        values = {"code": self.code, "column": self.column, "old": self.old or "—", "new": self.new or "—"}
        if self.kind == "member":
            return _("Socio %(code)s, «%(column)s»: %(old)s → %(new)s") % values
        return _("Parcela %(code)s, «%(column)s»: %(old)s → %(new)s") % values


@dataclass
class ImportReport(ProblemReport):
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    plots_created: int = 0
    plots_updated: int = 0
    plots_unchanged: int = 0
    rows_unchanged: int = 0  # rows whose member and plot were already as the file says
    new_members: list[tuple[str, str]] = field(default_factory=list)  # (code, name), by code
    changed_members: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)  # every field an update changes

    def warn(self, row, column, message):
        self.warnings.append(Problem(row, column, message))

    @property
    def nothing_changes(self) -> bool:
        """The file holds what the register holds: no new member or plot, no field changed."""
        return self.ok and not (self.members_created or self.plots_created or self.changes)


# --- Columns ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # how Minka writes it
    kind: str  # text, dni, sex, age, area, month, yesno, date, organic, coordinate, geojson, status
    aliases: tuple[str, ...] = ()


# The first seventeen are the Alliance template; the rest are what Minka adds
# (codes, certification, geolocation). Only DNI and Nombre are required.
COLUMNS = [
    Column("department", "Departamento", "text", ("dpto", "depto")),
    Column("province", "Provincia", "text"),
    Column("district", "Distrito", "text"),
    Column("community", "Comunidad", "text", ("caserio", "comunidad caserio", "sector", "localidad")),
    Column(
        "name",
        "Nombre",
        "text",
        (
            "nombres",
            "nombres y apellidos",
            "apellidos y nombres",
            "nombre del productor",
            "productor",
            "socio",
            "nombre completo",
        ),
    ),
    Column("dni", "DNI", "dni", ("n dni", "nro dni", "numero de dni", "documento", "dni del productor")),
    Column("sex", "Sexo", "sex", ("genero",)),
    Column("age", "Edad", "age"),
    Column("temporary_shade_ha", "Sombra temporal (ha)", "area", ("sombra temporal",)),
    Column("cocoa_installed_ha", "Cacao instalado (ha)", "area", ("cacao instalado", "area cacao instalado")),
    Column(
        "installed_on",
        "Mes-año de instalación",
        "month",
        (
            "mes ano de instalacion",
            "mes y ano de instalacion",
            "fecha de instalacion",
            "mes ano instalacion",
            "ano de instalacion",
        ),
    ),
    Column("cocoa_grafted_ha", "Cacao injertado (ha)", "area", ("cacao injertado",)),
    Column("forest_ha", "Forestales (ha)", "area", ("forestales", "forestal", "area forestal")),
    Column(
        "georeferenced_ha",
        "Georeferenciación (ha)",
        "area",
        ("georeferenciacion", "georreferenciacion", "area georeferenciada", "area georreferenciada"),
    ),
    Column(
        "total_area_ha",
        "Área del predio (ha)",
        "area",
        ("area del predio", "area total", "area total del predio", "area predio"),
    ),
    Column(
        "cocoa_producing_ha",
        "Cacao en producción (ha)",
        "area",
        ("cacao en produccion", "area en produccion"),
    ),
    Column(
        "has_title", "Título de propiedad (SI/NO)", "yesno", ("titulo de propiedad", "titulo", "tiene titulo")
    ),
    # Minka's own columns.
    Column(
        "member_code", "Código de socio", "member_code", ("codigo socio", "codigo del socio", "cod socio")
    ),
    Column("plot_code", "Código de parcela", "text", ("codigo parcela", "cod parcela")),
    Column("plot_name", "Nombre del predio", "text", ("nombre de la parcela", "predio", "parcela")),
    Column("birth_date", "Fecha de nacimiento", "date"),
    Column("join_date", "Fecha de ingreso", "date", ("fecha de afiliacion",)),
    Column("phone", "Teléfono", "text", ("celular", "telefono celular")),
    Column("status", "Estado", "status", ("estado del socio",)),
    Column("fairtrade_certified", "Comercio Justo (SI/NO)", "yesno", ("comercio justo", "fairtrade", "flo")),
    Column("fairtrade_since", "Comercio Justo desde", "date", ("fairtrade desde",)),
    Column(
        "organic_stage", "Estado orgánico", "organic", ("organico", "estado organico", "condicion organica")
    ),
    Column(
        "organic_conversion_start",
        "Inicio de conversión orgánica",
        "date",
        ("inicio de conversion", "inicio de transicion"),
    ),
    Column("organic_certified_on", "Orgánico desde", "date", ("certificado organico desde",)),
    Column("latitude", "Latitud", "coordinate", ("lat", "coordenada y", "y")),
    Column("longitude", "Longitud", "coordinate", ("lon", "long", "coordenada x", "x")),
    Column("geometry", "Geolocalización (GeoJSON)", "geojson", ("geojson", "poligono", "geometria")),
]
REQUIRED_KEYS = ("dni", "name")
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}


_HEADER_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.key, *_column.aliases):
        _HEADER_LOOKUP.setdefault(header_key(_name), _column.key)


# --- Cell parsers: each returns a value or raises CellError with a message for the user.
# The words a cell may hold (SI/NO, M/F, Activo…) are the sheet's, in Spanish in every language.


DNI_DIGITS = 8


def parse_dni(value) -> str:
    """A DNI: 8 digits. One rule for a number cell (xlsx) and for text (csv): a spreadsheet that took the
    DNI for a number dropped its leading zero, so 7 digits get it back (``2138201`` → ``02138201``);
    fewer digits are refused, since no demo or real register loses two zeros that way unnoticed."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not (isinstance(value, int) or value.is_integer()) or not 0 < value < 10**DNI_DIGITS:
            raise CellError(
                _("«%(value)s» no es un DNI: debe tener exactamente 8 dígitos.") % {"value": cell_text(value)}
            )
        text = str(int(value))
    else:
        text = cell_text(value).replace(" ", "").replace(".", "")
    if not text:
        return ""
    if not re.fullmatch(r"\d{7,8}", text):
        raise CellError(
            _("«%(value)s» no es un DNI: debe tener exactamente 8 dígitos.") % {"value": cell_text(value)}
        )
    return text.zfill(DNI_DIGITS)


def parse_member_code(value) -> str:
    """A member code as the register keeps it (coop.models.MEMBER_CODE_PATTERN): refused, never trimmed
    or changed, when it holds anything else, since it ends up in addresses and on printed papers."""
    text = cell_text(value)
    if text and not re.fullmatch(MEMBER_CODE_PATTERN, text):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise CellError(_("«%(value)s»: %(rule)s") % {"value": shown, "rule": MEMBER_CODE_RULE})
    return text


def parse_decimal(value, **options) -> Decimal | None:
    """A number cell: a spreadsheet number as it is, text through the one number parser
    (toolkit.numbers), which refuses «1,250» (1250 or 1.25?) instead of guessing."""
    if value is None or cell_text(value) == "":
        return None
    try:
        return number_from_cell(value.strip() if isinstance(value, str) else value, **options)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


@dataclass(frozen=True)
class AmbiguousArea:
    """An area such as «1.246»: 1.246 ha or 1,246 ha? A spreadsheet that read «1.2460» as a number writes
    it back so. The import takes it when the plot already holds one of the two readings (nothing
    changes) and otherwise refuses it with ``message``, as the number parser does."""

    readings: tuple[Decimal, Decimal]  # (as decimals, as thousands), both rounded as areas are
    message: str

    def __str__(self):
        return self.message


def parse_area(value) -> Decimal | AmbiguousArea | None:
    try:
        number = parse_decimal(value)
    except CellError as exc:
        text = value.strip() if isinstance(value, str) else ""
        if re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", text):
            decimal, grouped = (Decimal(v) for v in (text.replace(",", "."), re.sub(r"[.,]", "", text)))
            return AmbiguousArea((decimal.quantize(AREA_QUANTUM), grouped.quantize(AREA_QUANTUM)), str(exc))
        raise
    if number is None:
        return None
    if number < 0:
        raise CellError(_("El área no puede ser negativa (%(value)s).") % {"value": cell_text(value)})
    if number > 10000:
        raise CellError(
            _("%(value)s ha no es un área plausible para una parcela.") % {"value": cell_text(value)}
        )
    return number.quantize(AREA_QUANTUM, rounding=ROUND_HALF_UP)


YES = {"si", "s", "yes", "y", "1", "x", "true", "verdadero", "con titulo"}
NO = {"no", "n", "0", "false", "falso", "sin titulo", "ninguno"}


def parse_yesno(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = normalize_text(cell_text(value)).rstrip(".")
    if text in {"", "-"}:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("«%(value)s»: escriba SI o NO.") % {"value": cell_text(value)})


SEXES = {
    "m": Sex.MALE,
    "masculino": Sex.MALE,
    "hombre": Sex.MALE,
    "h": Sex.MALE,
    "varon": Sex.MALE,
    "f": Sex.FEMALE,
    "femenino": Sex.FEMALE,
    "mujer": Sex.FEMALE,
}


def parse_sex(value) -> str:
    text = normalize_text(cell_text(value)).rstrip(".")
    if not text:
        return ""
    if text in SEXES:
        return SEXES[text]
    raise CellError(_("«%(value)s»: escriba M (masculino) o F (femenino).") % {"value": cell_text(value)})


def parse_age(value) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or not 15 <= number <= 110:
        raise CellError(
            _("«%(value)s» no es una edad plausible (15 a 110 años).") % {"value": cell_text(value)}
        )
    return int(number)


MONTHS = {
    "ene": 1,
    "enero": 1,
    "jan": 1,
    "january": 1,
    "feb": 2,
    "febrero": 2,
    "february": 2,
    "mar": 3,
    "marzo": 3,
    "march": 3,
    "abr": 4,
    "abril": 4,
    "apr": 4,
    "april": 4,
    "may": 5,
    "mayo": 5,
    "jun": 6,
    "junio": 6,
    "june": 6,
    "jul": 7,
    "julio": 7,
    "july": 7,
    "ago": 8,
    "agosto": 8,
    "aug": 8,
    "august": 8,
    "set": 9,
    "sep": 9,
    "sept": 9,
    "setiembre": 9,
    "septiembre": 9,
    "september": 9,
    "oct": 10,
    "octubre": 10,
    "october": 10,
    "nov": 11,
    "noviembre": 11,
    "november": 11,
    "dic": 12,
    "diciembre": 12,
    "dec": 12,
    "december": 12,
}


def _full_year(year: int) -> int:
    if year >= 100:
        return year
    # Two-digit years: '15 is 2015, '98 is 1998.
    return 2000 + year if 2000 + year <= date.today().year else 1900 + year


def parse_month(value, *, today: date | None = None) -> date | None:
    """Month-year as cooperatives write it: 03/2015, 3-15, mar-15, Marzo 2015, 2015-03, a date cell."""
    today = today or date.today()
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, datetime | date):
        result = date(value.year, value.month, 1)
    else:
        text = normalize_text(cell_text(value)).replace(".", " ")
        parts = [p for p in re.split(r"[\s/\-_]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", text) if p and p != "de"]
        month = year = None
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            parts = parts[1:]  # a full date dd/mm/yyyy: keep month and year
        if len(parts) == 2:
            first, second = parts
            if first in MONTHS and second.isdigit():
                month, year = MONTHS[first], int(second)
            elif second in MONTHS and first.isdigit():
                month, year = MONTHS[second], int(first)
            elif first.isdigit() and second.isdigit():
                if len(first) == 4:
                    year, month = int(first), int(second)
                else:
                    month, year = int(first), int(second)
        elif len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
            month, year = 1, int(parts[0])  # only a year: January of it
        if month is None or year is None or not 1 <= month <= 12:
            raise CellError(
                _("«%(value)s» no es un mes-año (escriba por ejemplo 03/2015 o mar-15).")
                % {"value": cell_text(value)}
            )
        result = date(_full_year(year), month, 1)
    if result > today or result.year < 1950:
        raise CellError(_("«%(value)s» no es un mes de instalación plausible.") % {"value": cell_text(value)})
    return result


ORGANIC = {
    "": OrganicStage.NONE,
    "no": OrganicStage.NONE,
    "convencional": OrganicStage.NONE,
    "ninguno": OrganicStage.NONE,
    "t1": OrganicStage.TRANSITION_1,
    "transicion 1": OrganicStage.TRANSITION_1,
    "transicion ano 1": OrganicStage.TRANSITION_1,
    "t2": OrganicStage.TRANSITION_2,
    "transicion 2": OrganicStage.TRANSITION_2,
    "transicion ano 2": OrganicStage.TRANSITION_2,
    "t3": OrganicStage.TRANSITION_3,
    "transicion 3": OrganicStage.TRANSITION_3,
    "transicion ano 3": OrganicStage.TRANSITION_3,
    "organico": OrganicStage.ORGANIC,
    "si": OrganicStage.ORGANIC,
    "org": OrganicStage.ORGANIC,
    "certificado": OrganicStage.ORGANIC,
}


def parse_organic(value) -> str:
    text = re.sub(r"[^a-z0-9]+", " ", normalize_text(cell_text(value))).strip()
    if text in ORGANIC:
        return ORGANIC[text]
    raise CellError(
        _("«%(value)s»: escriba Convencional, T1, T2, T3 u Orgánico.") % {"value": cell_text(value)}
    )


# The status words of the sheet are the Spanish labels, whatever language is active.
with translation.override("es"):
    STATUSES = {normalize_text(str(label)): value for value, label in MemberStatus.choices}
STATUSES.update(
    {
        "activa": MemberStatus.ACTIVE,
        "suspendida": MemberStatus.SUSPENDED,
        "retirada": MemberStatus.WITHDRAWN,
        "fallecida": MemberStatus.DECEASED,
    }
)


def parse_status(value) -> str:
    text = normalize_text(cell_text(value))
    if not text:
        return ""
    if text in STATUSES:
        return STATUSES[text]
    raise CellError(
        _("«%(value)s»: escriba Activo, Suspendido, Retirado o Fallecido.") % {"value": cell_text(value)}
    )


def parse_coordinate_cell(value):
    if value is None or cell_text(value) == "":
        return None
    if not isinstance(value, str):
        return parse_decimal(value, allow_negative=True)  # Excel stores coordinates as numbers
    try:
        return parse_coordinate(value)
    except GeometryError as exc:
        raise CellError(str(exc)) from None


def parse_geojson_cell(value):
    text = cell_text(value) if not isinstance(value, str) else value.strip()
    if not text:
        return None
    try:
        return parse_geojson(text)
    except GeometryError as exc:
        raise CellError(str(exc)) from None


PARSERS = {
    "text": cell_text,
    "member_code": parse_member_code,
    "dni": parse_dni,
    "sex": parse_sex,
    "age": parse_age,
    "area": parse_area,
    "month": parse_month,
    "yesno": parse_yesno,
    "date": parse_date,
    "organic": parse_organic,
    "status": parse_status,
    "coordinate": parse_coordinate_cell,
    "geojson": parse_geojson_cell,
}


# --- Reading a file ----------------------------------------------------------


@dataclass
class SheetRow:
    number: int  # as the user sees it in the spreadsheet
    values: dict  # key -> parsed value, only for columns present in the file
    written: dict = field(default_factory=dict)  # key -> a date column's text, as the file has it
    geometry: dict | None = None  # from the GeoJSON column or the latitude/longitude pair


@dataclass
class Sheet:
    rows: list[SheetRow]
    headers: dict[str, str]  # key -> header as written in the file


def read_sheet(source: bytes, filename: str, report: ImportReport) -> Sheet | None:
    """Parse the sheet, adding every problem to the report; None when it cannot be read at all."""
    try:
        table = read_table(source, filename)
    except CellError as exc:
        report.error(None, "", str(exc))
        return None

    header_index = None
    for index, (_row, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        keys = {_HEADER_LOOKUP.get(header_key(c)) for c in cells}
        if {"dni", "name"} <= keys:
            header_index = index
            break
    if header_index is None:
        report.error(
            None,
            "",
            _(
                "No se encontró la fila de encabezados: la hoja necesita al menos las "
                "columnas «DNI» y «Nombre» (formato de la Alianza Cacao Perú)."
            ),
        )
        return None

    header_row_number, header_cells = table[header_index]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(header_cells):
        written = cell_text(cell)
        if not written:
            continue
        key = _HEADER_LOOKUP.get(header_key(written))
        if key is None:
            report.warn(header_row_number, written, _("Columna desconocida; se ignora."))
        elif key in positions:
            report.error(
                header_row_number,
                written,
                _("La columna aparece dos veces (también como «%(header)s»).") % {"header": headers[key]},
            )
        else:
            positions[key] = position
            headers[key] = written
    if report.errors:
        return None

    rows = []
    for number, cells in table[header_index + 1 :]:
        if is_blank(cells):
            continue
        values, written = {}, {}
        for key, position in positions.items():
            # The apostrophe Minka's export put before formula-like text goes back out.
            raw = unneutralize(cells[position]) if position < len(cells) else None
            column = COLUMNS_BY_KEY[key]
            try:
                check_cell(raw)
                values[key] = PARSERS[column.kind](raw)
                if column.kind == "date" and isinstance(raw, str):
                    written[key] = cell_text(raw)  # a date cell has no spelling of its own
            except CellError as exc:
                report.error(number, headers[key], str(exc))
            except (ArithmeticError, ValueError, TypeError, RecursionError):
                # A cell no parser foresaw (the fuzz tests look for them): refused, never a traceback.
                report.error(
                    number, headers[key], _("«%(value)s» no se puede leer.") % {"value": cell_text(raw)[:40]}
                )
        row = SheetRow(number=number, values=values, written=written)
        for key in REQUIRED_KEYS:
            if values.get(key, "") == "" and key in values:  # unreadable cells were reported above
                report.error(number, headers[key], _("Falta el dato; es obligatorio."))
        row.geometry = _row_geometry(row, headers, report)
        rows.append(row)
    if not rows:
        report.error(None, "", _("La hoja no tiene filas de datos debajo de los encabezados."))
    report.rows = len(rows)
    return Sheet(rows=rows, headers=headers)


def _row_geometry(row: SheetRow, headers: dict, report: ImportReport) -> dict | None:
    values = row.values
    if values.get("geometry"):
        return values["geometry"]
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing = "latitude" if lat is None else "longitude"
        report.error(
            row.number,
            headers.get(missing, COLUMNS_BY_KEY[missing].header),
            _("Falta la otra coordenada del punto (latitud y longitud van juntas)."),
        )
        return None
    return point(lon, lat)


# --- Writing the sheet -------------------------------------------------------

EXPORT_KEYS = [c.key for c in COLUMNS if c.key not in {"latitude", "longitude"}] + ["latitude", "longitude"]


def _yesno(value) -> str:
    return "" if value is None else ("SI" if value else "NO")


def _date(value) -> str:
    # ISO 8601 as text: a spreadsheet keeps it as written in every locale (a date cell, or 05/03/2024,
    # is shown and saved again day-first or month-first depending on the computer).
    return value.isoformat() if value else ""


def sheet_value(key: str, value) -> str:
    """A field's value as the sheet writes it, for the dry run's list of changes."""
    if value is None or value == "":
        return ""
    kind = COLUMNS_BY_KEY[key].kind if key in COLUMNS_BY_KEY else "text"
    with translation.override("es"):
        if kind == "yesno":
            return _yesno(value)
        if kind == "month":
            return value.strftime("%m/%Y")
        if kind == "date":
            return _date(value)
        if kind == "sex":
            return {Sex.MALE: "M", Sex.FEMALE: "F"}.get(value, str(value))
        if kind == "organic":
            return str(dict(OrganicStage.choices).get(value, value))
        if kind == "status":
            return str(dict(MemberStatus.choices).get(value, value))
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return text if len(text) <= 80 else text[:80] + "…"


PROGRESS_EVERY = 500  # members


def register_rows(members=None, progress=None):
    """One row per plot (members without plots get one row), in the export column order.

    ``progress``, if given, is called with the number of members written so far, every
    PROGRESS_EVERY members and once at the end. The sheet is a data format: its words (states,
    organic stages) are Spanish in every language, so the file imports again whoever exported it.
    """
    with translation.override("es"):
        return _register_rows(members, progress)


def _register_rows(members, progress):
    from coop.models import Member, Plot

    members = members if members is not None else Member.objects.all()
    member_ids = members.values("pk")
    plots = (
        Plot.objects.filter(member__in=member_ids).select_related("member").order_by("member__code", "code")
    )
    stage_labels = dict(OrganicStage.choices)
    status_labels = dict(MemberStatus.choices)
    sex_labels = {Sex.MALE: "M", Sex.FEMALE: "F"}

    def member_cells(m):
        return {
            "name": m.name,
            "dni": m.dni,
            "sex": sex_labels.get(m.sex, ""),
            "age": m.age if m.age is not None else "",
            "member_code": m.code,
            "birth_date": _date(m.birth_date),
            "join_date": _date(m.join_date),
            "phone": m.phone,
            "status": str(status_labels[m.status]),
        }

    rows = []
    written, last_member = 0, None

    def one_more():
        nonlocal written
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)

    for plot in plots.iterator(chunk_size=2000):
        m = plot.member
        if m.pk != last_member:
            last_member = m.pk
            one_more()
        cells = member_cells(m)
        lat = lon = ""
        if plot.geometry_kind == "Point":
            # As text: a number cell in Excel would drop the trailing zeros EUDR counts.
            lon, lat = (format(v, "f") for v in parse_geojson(plot.geometry)["coordinates"][:2])
        cells.update(
            {
                "department": plot.department or m.department,
                "province": plot.province or m.province,
                "district": plot.district or m.district,
                "community": plot.community or m.community,
                "temporary_shade_ha": plot.temporary_shade_ha,
                "cocoa_installed_ha": plot.cocoa_installed_ha,
                "installed_on": plot.installed_on.strftime("%m/%Y") if plot.installed_on else "",
                "cocoa_grafted_ha": plot.cocoa_grafted_ha,
                "forest_ha": plot.forest_ha,
                "georeferenced_ha": plot.georeferenced_ha,
                "total_area_ha": plot.total_area_ha,
                "cocoa_producing_ha": plot.cocoa_producing_ha,
                "has_title": _yesno(plot.has_title),
                "plot_code": plot.code,
                "plot_name": plot.name,
                "fairtrade_certified": _yesno(plot.fairtrade_certified),
                "fairtrade_since": _date(plot.fairtrade_since),
                "organic_stage": str(stage_labels[plot.organic_stage]),
                "organic_conversion_start": _date(plot.organic_conversion_start),
                "organic_certified_on": _date(plot.organic_certified_on),
                # A point is written as latitude/longitude, the way surveyors note it.
                "geometry": plot.geometry if plot.geometry_kind not in ("", "Point") else "",
                "latitude": lat,
                "longitude": lon,
            }
        )
        rows.append(cells)
    for m in members.exclude(pk__in=Plot.objects.values("member_id")):
        one_more()
        cells = member_cells(m)
        cells.update(
            {
                "department": m.department,
                "province": m.province,
                "district": m.district,
                "community": m.community,
            }
        )
        rows.append(cells)
    rows.sort(key=lambda r: (r["member_code"], r.get("plot_code") or ""))
    if progress is not None:
        progress(written)
    return rows


def register_dataset(members=None, progress=None) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[COLUMNS_BY_KEY[k].header for k in EXPORT_KEYS], title="Padrón")
    for cells in register_rows(members, progress):
        # Empty cells stay None: an xlsx then holds only the cells with data.
        dataset.append([neutralize(cells.get(key)) for key in EXPORT_KEYS])
    return dataset


def export_register(*, members=None, fmt: str = "xlsx", progress=None) -> bytes:
    """The register as the traceability sheet, xlsx or csv (UTF-8 with BOM for Excel).

    ``progress`` is called with the members written so far (see ``register_rows``)."""
    dataset = register_dataset(members, progress)
    if fmt == "csv":
        return ("\ufeff" + dataset.export("csv")).encode("utf-8")
    if fmt == "xlsx":
        return dataset.export("xlsx")
    raise ValueError(f"Formato desconocido: {fmt}")
