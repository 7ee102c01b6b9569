"""Spreadsheets in and out: reading xlsx and csv files, problem reports named by row and column,
and the formula neutraliser every exported cell passes through."""

import codecs
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

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


def unneutralize(value):
    """Undo ``neutralize`` on a cell read back: «'+51 987 654 321» is the «+51 987 654 321» Minka wrote.

    Only the apostrophe ``neutralize`` itself adds is removed (one, before text that starts like a
    formula), so a name such as «'Chacho'» keeps its own."""
    if isinstance(value, str) and value.startswith("'") and neutralize(value[1:]) == value:
        return value[1:]
    return value


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


# What Excel shows (and writes into a CSV) for a cell it could not compute.
EXCEL_ERROR_CODES = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)


def check_cell(value) -> None:
    """Refuse (CellError) a cell nobody can read right: one holding a character nobody sees
    (toolkit.text.check_visible_text) or an Excel error such as #N/A. Every import calls it for each
    cell it reads, before its own parser."""
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERROR_CODES:
        # How Excel writes an error cell into a CSV (or a value pasted as text): the same error.
        value = ExcelError(value.strip().upper())
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


def full_year(year: int, month: int = 1, day: int = 1, *, today: date | None = None) -> int:
    """A two-digit year as the latest year ending in those digits that does not put the date in the
    future: on 2026-12-03, «47» is 1947, «26» is 2026 (for a day up to today) and «27» is 1927.

    Python reads «47» as 2047 (00–68 become 2000–2068), which made a birth in 1947 a date «en el futuro».
    Every date Minka imports is in the past (a birth, an entry, a certification), so this rule is never
    wrong by a century for a real one."""
    if year >= 100:
        return year
    today = today or date.today()
    candidate = today.year - (today.year - year) % 100
    try:
        if date(candidate, month, day) > today:
            candidate -= 100
    except ValueError:  # 29 February of a year that has none: the parser refuses it next
        pass
    return candidate


TWO_DIGIT_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2})")


def parse_date(value, *, today: date | None = None) -> date | None:
    """A date cell: a spreadsheet date, or text as dd/mm/aaaa, dd-mm-aaaa, dd.mm.aaaa, aaaa-mm-dd (ISO 8601,
    what Minka writes) or dd/mm/aa (two-digit year: see ``full_year``)."""
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    today = today or date.today()
    text = cell_text(value)
    short = TWO_DIGIT_YEAR.fullmatch(text)
    if short:
        day, month = int(short.group(1)), int(short.group(3))
        year = full_year(int(short.group(4)), month, day, today=today)
        try:
            return date(year, month, day)
        except ValueError:
            raise CellError(_("«%(text)s» no es una fecha (escriba dd/mm/aaaa).") % {"text": text}) from None
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed > today:
            raise CellError(_("La fecha %(date)s está en el futuro.") % {"date": text})
        return parsed
    raise CellError(_("«%(text)s» no es una fecha (escriba dd/mm/aaaa).") % {"text": text})


# --- Reading a file ----------------------------------------------------------


def read_table(source: bytes, filename: str) -> list[tuple[int, list]]:
    """The raw cells of the first sheet, numbered as the user sees the rows.

    Refused (CellError) before anything is parsed: an xlsx that unpacks to more than
    MINKA_XLSX_MAX_UNCOMPRESSED or is not a sound zip, a sheet with more than MINKA_IMPORT_MAX_ROWS rows,
    a csv that is not valid UTF-8 (naming the line) unless it is plainly a Latin-1/Windows file. An
    Excel error cell (#N/A, #REF!…) comes back as an ExcelError, which check_cell refuses."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SPREADSHEET_EXTENSIONS:
        raise CellError(WRONG_FILE_TYPE)
    table = _read_xlsx(source) if suffix == ".xlsx" else _read_csv(source)
    _check_row_count(len(table))
    return table


def max_rows() -> int:
    return getattr(settings, "MINKA_IMPORT_MAX_ROWS", 100_000)


def _check_row_count(rows: int) -> None:
    limit = max_rows() + HEADER_SEARCH_ROWS  # the title block and header come on top of the data
    if rows > limit:
        raise CellError(
            _(
                "La hoja tiene %(rows)s filas; Minka importa hasta %(max)s filas por archivo. "
                "Divida el archivo en varios."
            )
            % {"rows": format(rows, ","), "max": format(max_rows(), ",")}
        )


NOT_AN_XLSX = gettext_lazy("El archivo no es un libro de Excel (.xlsx) válido.")
MAX_ZIP_ENTRIES = 2_000
_SHEET_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})(\d+)\"")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?\bt=\"e\"[^>]*)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FIRST_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


BOMB_RATIO = 100  # unpacked size / file size beyond which an xlsx is refused …
BOMB_FLOOR = 10 * 1024 * 1024  # … once it unpacks to more than this (tiny files may pack better)


def _inspect_xlsx(source: bytes) -> dict[tuple[int, int], str]:
    """Check an xlsx as a zip before any parser unpacks it; the Excel errors of its first sheet by
    (row, column), both counted from 1.

    Every part is unpacked here with a running total, so a part that unpacks to more than it
    declares (a zip bomb) stops at the limit instead of filling the memory."""
    limit = getattr(settings, "MINKA_XLSX_MAX_UNCOMPRESSED", 200 * 1024 * 1024)
    too_big = CellError(
        _(
            "El archivo .xlsx descomprimido ocupa más de %(max)s MB; Minka no lo abre. Guarde solo la hoja "
            "que importa, o expórtela como .csv."
        )
        % {"max": limit // (1024 * 1024)}
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(source))
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise CellError(NOT_AN_XLSX)
        # A spreadsheet's XML packs about ten to one (a 20,000-member register: 9 MB → 67 MB); a file
        # that unpacks to a hundred times its size or more is a zip bomb, whatever the size limit.
        bomb_at = max(BOMB_FLOOR, BOMB_RATIO * len(source))
        if sum(entry.file_size for entry in entries) > limit:
            raise too_big
        parts, total = {}, 0
        for entry in entries:
            chunks = []
            with archive.open(entry) as part:
                while chunk := part.read(1024 * 1024):
                    total += len(chunk)
                    if total > limit:
                        raise too_big
                    if total > bomb_at:
                        raise CellError(
                            _(
                                "El archivo .xlsx se descomprime a más de %(ratio)s veces su tamaño: "
                                "no es una hoja de cálculo normal y Minka no lo abre. Expórtela otra vez, "
                                "o como .csv."
                            )
                            % {"ratio": BOMB_RATIO}
                        )
                    chunks.append(chunk)
            if entry.filename in {
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
            } or entry.filename.startswith("xl/worksheets/"):
                parts[entry.filename] = b"".join(chunks)
    except CellError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        NotImplementedError,
        ValueError,
        zlib.error,
    ) as exc:
        raise CellError(NOT_AN_XLSX) from exc
    sheet = parts.get(_first_sheet_path(parts), b"")
    last_row = max((int(number) for number in _SHEET_ROW.findall(sheet)), default=0)
    _check_row_count(last_row)
    last_column = max((_column_number(letters) for letters, _row in _CELL_REF.findall(sheet)), default=0)
    if last_column * last_row > MAX_CELLS:
        raise CellError(
            _(
                "La hoja ocupa %(rows)s filas por %(columns)s columnas; es demasiado grande para leerla. "
                "Borre las filas y columnas vacías del final, o guárdela como .csv."
            )
            % {"rows": format(last_row, ","), "columns": format(last_column, ",")}
        )
    errors = {}
    for attributes, content in _ERROR_CELL.findall(sheet):
        reference = _CELL_REF.match(b"<c " + attributes)
        value = _VALUE.search(content)
        if reference:
            letters, row = reference.groups()
            errors[(int(row), _column_number(letters))] = (
                value.group(1).decode("utf-8", "replace") if value else "#ERROR"
            )
    return errors


def _first_sheet_path(parts: dict[str, bytes]) -> str:
    """The part of the workbook's first sheet, the one calamine reads by index 0."""
    found = _FIRST_SHEET.search(parts.get("xl/workbook.xml", b""))
    if found:
        rels = parts.get("xl/_rels/workbook.xml.rels", b"")
        for relation in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
            tag = relation.group(0)
            if re.search(rb'\bId="' + re.escape(found.group(1)) + rb'"', tag):
                target = re.search(rb'\bTarget="([^"]+)"', tag)
                if target:
                    path = target.group(1).decode("utf-8", "replace")
                    return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return "xl/worksheets/sheet1.xml"


MAX_CELLS = 5_000_000  # rows × columns: calamine fills the whole rectangle


def _read_xlsx(source: bytes) -> list[tuple[int, list]]:
    errors = _inspect_xlsx(source)
    # calamine (Rust) reads a 40,000-row sheet about ten times faster than openpyxl.
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(source))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a hostile file may make the Rust parser panic (pyo3 PanicException)
        raise CellError(NOT_AN_XLSX) from exc
    # calamine reads an error cell as empty: put back what Excel shows, so it is refused, not skipped.
    for (row, column), code in errors.items():
        if row <= len(rows):
            cells = rows[row - 1]
            cells.extend([None] * (column - len(cells)))
            cells[column - 1] = ExcelError(code)
    return list(enumerate(rows, 1))


def _decode(source: bytes) -> str:
    """UTF-8 (with or without BOM); a file with no UTF-8 multi-byte sequence at all and bytes UTF-8
    cannot hold is read as Windows-1252/Latin-1, as Excel saves CSV on Windows. A mostly UTF-8 file
    with one bad byte is refused naming its line, never re-read as Latin-1 (which garbles every accent)."""
    if source.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # «Unicode» text as Excel and LibreOffice can save it: the mark says which, nothing is guessed.
        try:
            return source.decode("utf-16")
        except UnicodeDecodeError:
            raise CellError(
                _(
                    "El archivo dice ser UTF-16 pero no lo es. Guarde el archivo otra vez como «CSV UTF-8» "
                    "y vuelva a subirlo."
                )
            ) from None
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not _UTF8_MULTIBYTE.search(source):
            try:
                return source.decode("cp1252")
            except UnicodeDecodeError:
                return source.decode("latin-1")
        line = source[: exc.start].count(b"\n") + 1
        raise CellError(
            _(
                "La línea %(line)s del archivo tiene un carácter que no es UTF-8 válido (byte %(byte)s). "
                "Guarde el archivo otra vez como «CSV UTF-8» y vuelva a subirlo."
            )
            % {"line": line, "byte": format(source[exc.start], "#04X").replace("0X", "0x")}
        ) from None


# A valid UTF-8 sequence of two to four bytes: a file holding one is a UTF-8 file.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _read_csv(source: bytes) -> list[tuple[int, list]]:
    text = _decode(source)
    _check_row_count(text.count("\n"))
    first_lines = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    try:
        delimiter = csv.Sniffer().sniff(first_lines, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ";" if first_lines.count(";") > first_lines.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        # The csv module's own words are English and name its internals: say what a person can fix.
        if "field limit" in str(exc):
            message = _(
                "El CSV está mal formado cerca de la línea %(line)s: una celda pasa de %(limit)s "
                "caracteres, por lo general porque unas comillas no se cierran."
            )
        else:
            message = _("El CSV está mal formado cerca de la línea %(line)s.")
        raise CellError(
            message % {"line": reader.line_num, "limit": format(csv.field_size_limit(), ",")}
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

    ``lookup`` maps ``header_key(text)`` to a column key; two columns with one key are refused. Problems go
    to ``report``; None when the file cannot be read, has no header row (``no_header`` says why) or no
    row of data under it.
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
        if key and key in positions:
            # Two columns of one meaning: which one holds the data is a guess Minka does not make.
            report.error(
                header_row,
                cell_text(cell),
                _("Esta columna dice lo mismo que «%(other)s»; deje solo una de las dos.")
                % {"other": headers[key]},
            )
        elif key:
            positions[key], headers[key] = position, cell_text(cell)
    if not report.ok:
        return None
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
    if report.ok and not rows:
        # A file of headers only is a mistake (the wrong sheet, an empty export), not «0 imported».
        report.error(None, "", _("La hoja no tiene filas de datos debajo de los encabezados."))
    if not report.ok:
        return None
    return KeyedTable(header_row, headers, rows)
