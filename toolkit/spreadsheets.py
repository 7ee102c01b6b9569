"""Spreadsheets in and out: reading xlsx and csv files, problem reports named by row and column,
and the formula neutraliser every exported cell passes through."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineError, CalamineWorkbook

from toolkit.text import check_visible_text, normalize_text

SPREADSHEET_EXTENSIONS = (".xlsx", ".csv")
WRONG_FILE_TYPE = gettext_lazy("Suba un archivo .xlsx o .csv (la hoja de trazabilidad).")
HEADER_SEARCH_ROWS = 15  # sheets often carry a title block above the header


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralize(value):
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection).

    A plain signed number such as a longitude (-76.123456) is data, not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralize_row(values) -> list:
    return [neutralize(value) for value in values]


# --- Problems, named by row and column ------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int | None  # spreadsheet row number as the user sees it; None for the whole file
    column: str  # header as written in the file, or the expected header
    message: str

    def __str__(self):
        where = {"row": self.row, "column": self.column, "message": self.message}
        if self.row and self.column:
            return _("Fila %(row)s, columna «%(column)s»: %(message)s") % where
        if self.row:
            return _("Fila %(row)s: %(message)s") % where
        if self.column:
            return _("Columna «%(column)s»: %(message)s") % where
        return str(self.message)


@dataclass
class ProblemReport:
    """What an all-or-nothing import found: its rows and every problem, named by row and column."""

    filename: str = ""
    dry_run: bool = True
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row, column, message):
        self.errors.append(Problem(row, column, message))


# --- Cells -------------------------------------------------------------------


class CellError(ValueError):
    pass


@dataclass(frozen=True)
class ExcelError:
    """A cell Excel could not compute (#N/A, #REF!, #DIV/0!…): never read as empty or as text."""

    code: str

    def __str__(self):
        return self.code


def check_cell(value) -> None:
    """Refuse (CellError) a cell nobody can read right: one holding a character nobody sees
    (toolkit.text.check_visible_text) or an Excel error such as #N/A. Every import calls it for each
    cell it reads, before its own parser."""
    if isinstance(value, ExcelError):
        raise CellError(
            _("La celda tiene el error de Excel %(error)s; corrija la fórmula o escriba el dato.")
            % {"error": value.code}
        )
    try:
        check_visible_text(value)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def header_key(text) -> str:
    """'Área del predio (ha)' and 'AREA DEL PREDIO' both become 'area del predio'."""
    plain = normalize_text(str(text or ""))
    plain = re.sub(r"[^a-z0-9]+", " ", plain).strip()
    plain = re.sub(r"\b(ha|has|hectareas|si no|n)$", "", plain).strip()
    return re.sub(r"\s+", " ", plain)


def parse_date(value) -> date | None:
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed > date.today():
            raise CellError(_("La fecha %(date)s está en el futuro.") % {"date": text})
        return parsed
    raise CellError(_("«%(text)s» no es una fecha (escriba dd/mm/aaaa).") % {"text": text})


# --- Reading a file ----------------------------------------------------------


def read_table(source: bytes, filename: str) -> list[tuple[int, list]]:
    """The raw cells of the first sheet, numbered as the user sees the rows."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SPREADSHEET_EXTENSIONS:
        raise CellError(WRONG_FILE_TYPE)
    return _read_xlsx(source) if suffix == ".xlsx" else _read_csv(source)


def _read_xlsx(source: bytes) -> list[tuple[int, list]]:
    # calamine (Rust) reads a 40,000-row sheet about ten times faster than openpyxl.
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(source))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise CellError(_("El archivo no es un libro de Excel (.xlsx) válido.")) from exc
    return list(enumerate(rows, 1))


def _decode(source: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return source.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CellError(_("No se puede leer el texto del archivo."))  # latin-1 never fails; kept for clarity


def _read_csv(source: bytes) -> list[tuple[int, list]]:
    text = _decode(source)
    first_lines = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    try:
        delimiter = csv.Sniffer().sniff(first_lines, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ";" if first_lines.count(";") > first_lines.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise CellError(
            _("El CSV está mal formado cerca de la línea %(line)s: %(error)s.")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def is_blank(cells) -> bool:
    return all(c is None or cell_text(c) == "" for c in cells)


@dataclass(frozen=True)
class KeyedTable:
    """A sheet's rows as {column key: cell}, blank rows left out; for imports simpler than the register."""

    header_row: int
    headers: dict[str, str]  # key -> header as written in the file
    rows: list[tuple[int, dict]]  # (row number as the user sees it, {key: cell})


def read_keyed_table(
    source: bytes,
    filename: str,
    *,
    lookup: dict[str, str],
    anchors: set[str],
    report: ProblemReport,
    no_header: str,
) -> KeyedTable | None:
    """Find the header row (the first of the top rows holding every ``anchors`` key) and read below it.

    ``lookup`` maps ``header_key(text)`` to a column key; the first column with a key wins. Problems go
    to ``report``; None when the file cannot be read or has no header row (``no_header`` says why).
    """
    try:
        table = read_table(source, filename)
    except CellError as exc:
        report.error(None, "", str(exc))
        return None
    index = next(
        (
            i
            for i, (_, cells) in enumerate(table[:HEADER_SEARCH_ROWS])
            if anchors <= {lookup.get(header_key(c)) for c in cells}
        ),
        None,
    )
    if index is None:
        report.error(None, "", no_header)
        return None
    header_row, cells = table[index]
    positions, headers = {}, {}
    for position, cell in enumerate(cells):
        key = lookup.get(header_key(cell))
        if key and key not in positions:
            positions[key], headers[key] = position, cell_text(cell)
    rows = []
    for number, row_cells in table[index + 1 :]:
        values = {key: row_cells[pos] if pos < len(row_cells) else None for key, pos in positions.items()}
        if all(not isinstance(v, ExcelError) and cell_text(v) == "" for v in values.values()):
            continue
        for key, value in values.items():
            try:
                check_cell(value)
            except CellError as exc:
                report.error(number, headers[key], str(exc))
        rows.append((number, values))
    if not report.ok:
        return None
    return KeyedTable(header_row, headers, rows)
