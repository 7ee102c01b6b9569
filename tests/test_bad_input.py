"""Bad input never crashes and never guesses: absurd numbers, Excel error cells, broken encodings,
duplicate columns, deep GeoJSON, zip bombs and oversized sheets are refused in Spanish, naming the row
and column where there is one, and nothing is written."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from acopio.models import Delivery
from acopio.services import import_deliveries
from coop.models import Member, Plot
from coop.services import import_register
from ledger.models import JournalEntry
from toolkit.numbers import number_from_cell, parse_decimal, parse_kg

REGISTER = ["Nombre", "DNI", "Edad", "Área del predio (ha)", "GeoJSON"]
DELIVERIES = (
    "Referencia externa;Centro;Fecha;Código de socio;Forma;Grado;Peso bruto (kg);Tara (kg);Humedad (%)"
)


def xlsx(rows, replace: dict[bytes, bytes] | None = None, pad: int = 0) -> bytes:
    """An xlsx written by openpyxl, its first sheet's XML then edited as Excel could have saved it."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    edited = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                for old, new in (replace or {}).items():
                    assert old in data, old
                    data = data.replace(old, new)
                data = data.replace(b"</worksheet>", b" " * pad + b"</worksheet>")
            out.writestr(entry.filename, data)
    return edited.getvalue()


def register(source, filename="padron.xlsx"):
    return import_register(source=source, filename=filename, dry_run=False, user=None)


def register_rows():
    return Member.objects.count(), Plot.objects.count(), Member.history.count()


def where(report):
    return [(p.row, p.column) for p in report.errors]


# --- numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["1e999999999", "1E5", "inf", "Infinity", "-inf", "NaN", "nan", "1e-999999999"]
)
def test_the_parser_refuses_exponents_infinity_and_nan_typed_as_text(typed):
    with pytest.raises(ValidationError):
        parse_kg(typed)


@pytest.mark.parametrize(
    "cell", [float("inf"), float("-inf"), float("nan"), Decimal("Infinity"), Decimal("NaN"), 1e308]
)
def test_number_from_cell_refuses_infinite_nan_and_absurd_spreadsheet_numbers(cell):
    with pytest.raises(ValidationError):
        number_from_cell(cell, max_decimals=3, allow_negative=True)


def test_a_huge_exponent_is_refused_without_building_the_number():
    with pytest.raises(ValidationError) as refused:
        parse_decimal("9" * 5 + "e999999999", max_decimals=2)
    assert "notación científica" in refused.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "column"),
    [
        (b"<v>INF</v>", "Área del predio (ha)"),
        (b"<v>NaN</v>", "Área del predio (ha)"),
        (b"<v>1e999</v>", "Edad"),
    ],
)
def test_an_xlsx_number_cell_holding_infinity_is_refused_naming_row_and_column(value, column):
    marker = b"<v>777</v>" if column == "Edad" else b"<v>5.5</v>"
    rows = [
        REGISTER,
        ["Rosa Tapullima", "40112233", 777 if column == "Edad" else 40, 5.5 if column != "Edad" else 2, None],
    ]
    before = register_rows()
    report = register(xlsx(rows, {marker: value}))
    assert where(report) == [(2, column)]
    assert register_rows() == before


@pytest.mark.django_db
def test_an_infinite_dni_cell_is_refused_not_a_crash():
    report = register(
        xlsx([REGISTER, ["Rosa Tapullima", 40112233, 40, 2, None]], {b"<v>40112233</v>": b"<v>INF</v>"})
    )
    assert where(report) == [(2, "DNI")]
    assert "8 dígitos" in str(report.errors[0])


@pytest.mark.django_db
def test_excel_error_cells_are_refused_in_any_column_never_read_as_empty():
    rows = [
        REGISTER,
        ["Rosa Tapullima", "40112233", "#N/A", 2, None],
        ["#REF!", "40112234", 40, "#DIV/0!", None],
    ]
    before = register_rows()
    report = register(xlsx(rows))
    assert where(report) == [(2, "Edad"), (3, "Nombre"), (3, "Área del predio (ha)")]
    assert "#N/A" in str(report.errors[0]) and "#DIV/0!" in str(report.errors[2])
    assert register_rows() == before


@pytest.mark.django_db
def test_a_delivery_whose_amount_rounds_to_zero_is_refused(coop):
    # 1 g of wet cocoa at S/ 3.10 the kg is 0.31 céntimos: a receipt for S/ 0.00.
    source = f"{DELIVERIES}\nBAL-1;C01;10/03/2026;S-00002;baba;;0,002;0,001;55\n".encode()
    report = import_deliveries(source=source, filename="balanza.csv", user=None)
    assert where(report) == [(2, "Peso bruto (kg)")]
    assert "menos de un céntimo" in str(report.errors[0])
    assert (Delivery.objects.count(), JournalEntry.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_excel_errors_in_a_delivery_file_are_refused(coop):
    source = xlsx(
        [
            DELIVERIES.split(";"),
            ["BAL-1", "C01", "10/03/2026", "S-00001", "seco", "I", "#VALUE!", 1, 7],
        ]
    )
    report = import_deliveries(source=source, filename="balanza.xlsx", user=None)
    assert where(report) == [(2, "Peso bruto (kg)")]
    assert Delivery.objects.count() == 0


# --- files ----------------------------------------------------------------------


@pytest.mark.django_db
def test_two_columns_of_one_meaning_are_refused_naming_both(coop):
    source = f"{DELIVERIES};Bruto\nBAL-1;C01;10/03/2026;S-00001;seco;I;100;1;7;90\n".encode()
    report = import_deliveries(source=source, filename="balanza.csv", user=None)
    assert where(report) == [(1, "Bruto")]
    assert "«Peso bruto (kg)»" in str(report.errors[0])
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_one_bad_byte_in_a_utf8_file_is_refused_with_its_line_not_read_as_latin1():
    text = "Nombre;DNI\nMaría Ñahui;40112233\nJosé Pérez;40112234\n".encode()
    broken = text.replace(b"Jos\xc3\xa9", b"Jos\xe9")  # line 3 saved in Latin-1, the rest UTF-8
    before = register_rows()
    report = register(broken, "padron.csv")
    assert where(report) == [(None, "")]
    assert "línea 3" in str(report.errors[0]) and "UTF-8" in str(report.errors[0])
    assert register_rows() == before


@pytest.mark.django_db
def test_a_genuine_latin1_file_is_still_read():
    report = register("Nombre;DNI\nMaría Ñahui;40112233\n".encode("cp1252"), "padron.csv")
    assert report.ok, report.errors
    assert Member.objects.get().name == "María Ñahui"


@pytest.mark.django_db
@pytest.mark.parametrize("mark", ["utf-16", "utf-16-be"])
def test_a_csv_saved_as_unicode_utf16_with_its_mark_is_read_not_guessed_as_latin1(mark):
    text = "Nombre;DNI\nMaría Ñahui;40112233\n"
    source = text.encode(mark) if mark == "utf-16" else "\ufeff".encode("utf-16-be") + text.encode(mark)
    report = register(source, "padron.csv")
    assert report.ok, report.errors
    assert Member.objects.get().name == "María Ñahui"


@pytest.mark.django_db
def test_a_file_marked_utf16_that_is_not_is_refused():
    before = register_rows()
    report = register(b"\xff\xfeN\x00o\x00\x00\xd8", "padron.csv")
    assert "dice ser UTF-16" in str(report.errors[0])
    assert register_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "column"), [("#REF!;40112233", "Nombre"), ("Rosa;40112233;#N/A", "Comunidad")]
)
def test_an_excel_error_written_into_a_csv_is_refused_in_any_column_never_read_as_text(line, column):
    before = register_rows()
    report = register(f"Nombre;DNI;Comunidad\n{line}\n".encode(), "padron.csv")
    assert where(report) == [(2, column)]
    assert "error de Excel" in str(report.errors[0])
    assert register_rows() == before


@pytest.mark.django_db
def test_an_excel_error_as_a_delivery_reference_in_a_csv_is_refused(coop):
    report = import_deliveries(
        source=f"{DELIVERIES}\n#N/A;C01;10/03/2026;S-00001;seco;I;50;1;7\n".encode(),
        filename="balanza.csv",
        user=None,
    )
    assert where(report) == [(2, "Referencia externa")]
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_csv_cell_past_the_field_limit_is_refused_in_spanish_naming_the_line():
    report = register(b'Nombre;DNI\nRosa;"' + b"1" * 140_000 + b"\n", "padron.csv")
    message = str(report.errors[0])
    assert message.startswith("El CSV está mal formado cerca de la línea 2: una celda pasa de 131,072")
    assert "field" not in message and not Member.objects.exists()


@pytest.mark.django_db
def test_geojson_nested_thousands_of_levels_is_refused_before_parsing():
    deep = "[" * 5000 + "]" * 5000
    report = register(xlsx([REGISTER, ["Rosa Tapullima", "40112233", 40, 2, deep]]))
    assert where(report) == [(2, "GeoJSON")]
    assert "20 niveles" in str(report.errors[0])


@pytest.mark.django_db
def test_geojson_with_an_absurd_coordinate_is_refused():
    geometry = '{"type":"Point","coordinates":[1e999999999,-6.5]}'
    report = register(xlsx([REGISTER, ["Rosa Tapullima", "40112233", 40, 2, geometry]]))
    assert where(report) == [(2, "GeoJSON")]
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_parsing(settings):
    settings.MINKA_XLSX_MAX_UNCOMPRESSED = 1024 * 1024
    bomb = xlsx([REGISTER, ["Rosa Tapullima", "40112233", 40, 2, None]], pad=3 * 1024 * 1024)
    assert len(bomb) < 60_000  # small on disk
    report = register(bomb)
    assert where(report) == [(None, "")]
    assert "más de 1 MB" in str(report.errors[0])
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_a_zip_that_lies_about_its_size_is_refused():
    honest = xlsx([REGISTER, ["Rosa Tapullima", "40112233", 40, 2, None]], pad=200_000)
    archive = bytearray(honest)
    # Shrink the declared size of the padded sheet in the central directory: it now unpacks past it.
    with zipfile.ZipFile(io.BytesIO(honest)) as zipped:
        info = zipped.getinfo("xl/worksheets/sheet1.xml")
    declared = info.file_size.to_bytes(4, "little")
    position = archive.rfind(declared)
    archive[position : position + 4] = (1000).to_bytes(4, "little")
    report = register(bytes(archive))
    assert not report.ok and report.errors[0].row is None
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_a_sheet_longer_than_the_row_limit_is_refused_before_parsing(settings):
    settings.MINKA_IMPORT_MAX_ROWS = 10
    far = xlsx(
        [REGISTER, ["Rosa Tapullima", "40112233", 40, 2, None]],
        {b'<row r="2"': b'<row r="900000"', b'r="A2"': b'r="A900000"'},
    )
    report = register(far)
    assert "900,000 filas" in str(report.errors[0]) and "hasta 10 filas" in str(report.errors[0])
    lines = "Nombre;DNI\n" + "".join(f"Socio {i};{40112200 + i}\n" for i in range(40))
    report = register(lines.encode(), "padron.csv")
    assert "hasta 10 filas" in str(report.errors[0])
    assert Member.objects.count() == 0
