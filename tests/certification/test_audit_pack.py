"""The season's audit pack: every file there, each matching the manifest, the figures matching the records."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from acopio import services as purchases
from acopio.models import Delivery
from assemblies import services as assembly_services
from certification.audit_pack import (
    PARTS,
    SeasonNotFound,
    document_part,
    find_season,
    write_audit_pack,
)
from coop.models import Member, Season
from fund.models import PremiumCategory
from fund.ruc import ruc_check_digit
from fund.services import approve_spending, draft_budget_line, register_spending
from sales.selectors import mass_balance
from tests.acopio.factories import record
from tests.assemblies.factories import check_in_many, convene, make_members, make_rules
from tests.ledger.factories import activity, fund_with_soles

D = Decimal
FORMULA_NAME = '=HYPERLINK("http://malo.example/robar","Ver ficha")'
TABLES = [
    "padron_socios_parcelas",
    "entregas",
    "compras_por_socio",
    "ventas_contratos",
    "ventas_cobros",
    "balance_de_masas",
    "fondo_prima_libro",
    "autorizaciones_asamblea",
    "asambleas",
    "gastos_fondo_prima",
    "reparto_prima_socios",
]
ALSO_XLSX = set(TABLES) - {"entregas", "reparto_prima_socios"}


@pytest.fixture
def season_2020(db, make_user):
    """The 2020 season of tests/ledger: 40 t delivered, 25 t sold and paid, US$ 5,000 of premium in soles.

    Added here: a voided delivery, a member whose name is a spreadsheet formula, a delivery of another
    season, and an assembly (held today) that approved the 2020 plan, closed, with one invoice paid from it.
    """
    coop = fund_with_soles(make_user)
    admin, board, treasurer, season = coop["admin"], coop["board"], coop["treasurer"], coop["season"]
    rogue = Member.objects.create(code="S-00066", dni="46667777", name=FORMULA_NAME)
    record(coop, admin, member=rogue, plot=None, date=date(2020, 5, 2), gross_kg="120.5", tare_kg="0.5")
    wrong = record(
        coop,
        admin,
        member=coop["rosa"],
        plot=coop["plots"]["rosa_conv"],
        date=date(2020, 5, 3),
        gross_kg="80",
        tare_kg="1",
    )
    purchases.void_delivery(delivery=wrong, reason="Peso mal leído", user=admin, on=date(2020, 5, 3))
    reissue = record(
        coop,
        admin,
        member=coop["rosa"],
        plot=coop["plots"]["rosa_conv"],
        date=date(2020, 5, 3),
        gross_kg="79",
        tare_kg="1",
        replaces=wrong,
    )
    other_season = record(coop, admin)  # 2026, must stay out of the 2020 pack

    make_rules()
    make_members(20, start=100)
    assembly = convene(board)
    check_in_many(assembly, board, assembly.roll_size // 2 + 1)
    assembly_services.open_session(assembly=assembly, call="first", user=board)
    plan = assembly_services.draft_motion(
        assembly=assembly,
        kind="budget",
        title="Plan de Desarrollo 2020",
        majority="absolute",
        method="hands",
        season=season,
        user=board,
        activities=[
            draft_budget_line(
                season=season,
                purpose="Secadora solar",
                category=PremiumCategory.ORGANISATION,
                amount="10000",
                **activity(),
                user=board,
            )
        ],
    )
    assembly_services.open_motion(motion=plan, user=board)
    assembly_services.record_tally(motion=plan, counts={1: 9, 2: 1, 3: 1}, user=board)
    plan = assembly_services.publish_motion(motion=plan, user=board)
    assembly = assembly_services.close_assembly(assembly=assembly, user=board)
    line = plan.budget_lines.get().line
    today = timezone.localdate()
    spending = register_spending(
        line=line,
        amount="4200.50",
        supplier="Ferretería El Constructor SAC",
        ruc="2045117823" + ruc_check_digit("2045117823"),
        document="F003-000874",
        document_date=today - timedelta(days=3),
        description="Secadora solar",
        user=admin,
    )
    approve_spending(spending=spending, capacity="board", user=board, on=today)
    approve_spending(spending=spending, capacity="treasurer", user=treasurer, on=today)
    return {
        **coop,
        "rogue": rogue,
        "void": wrong,
        "reissue": reissue,
        "other_season": other_season,
        "assembly": assembly,
        "plan": plan,
        "spending": spending,
    }


def make_pack(season, **kwargs) -> tuple[zipfile.ZipFile, object]:
    out = io.BytesIO()
    manifest = write_audit_pack(season, out, **kwargs)
    return zipfile.ZipFile(io.BytesIO(out.getvalue())), manifest


def read_csv(pack: zipfile.ZipFile, name: str) -> list[dict]:
    data = pack.read(name)
    assert data.startswith(b"\xef\xbb\xbf"), f"{name} lacks the BOM Excel needs for accents"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_every_file_is_there_and_matches_the_manifest(season_2020):
    pack, manifest = make_pack(season_2020["season"], user=season_2020["admin"])
    names = set(pack.namelist())
    expected = {f"{t}.csv" for t in TABLES} | {f"{t}.xlsx" for t in ALSO_XLSX}
    expected |= {"LEEME.txt", "manifest.csv", "manifest.json"}
    assert expected <= names
    assert pack.testzip() is None

    listed = read_csv(pack, "manifest.csv")
    by_name = {row["Archivo"]: row for row in listed}
    # Every file but the manifests themselves, each once.
    assert set(by_name) == names - {"manifest.csv", "manifest.json"}
    assert len(by_name) == len(listed)
    for name, row in by_name.items():
        data = pack.read(name)
        assert int(row["Tamaño (bytes)"]) == len(data), name
        assert row["SHA-256"] == hashlib.sha256(data).hexdigest(), name
        assert row["Campaña"] == "2020" and row["Versión de Minka"] == "0.1.0"
        assert row["Generado por"] == "gerente"

    as_json = json.loads(pack.read("manifest.json"))
    assert as_json["season"] == {
        "code": "2020",
        "name": "Campaña 2020",
        "starts_on": "2020-01-01",
        "ends_on": "2020-12-31",
    }
    assert as_json["minka_version"] == "0.1.0"
    assert {f["name"]: (f["size"], f["sha256"]) for f in as_json["files"]} == {
        name: (int(row["Tamaño (bytes)"]), row["SHA-256"]) for name, row in by_name.items()
    }
    assert [f.name for f in manifest.files] == [f["name"] for f in as_json["files"]]
    assert manifest.file("entregas.csv").rows == Delivery.objects.filter(season__code="2020").count()


def test_deliveries_of_the_season_with_the_void_marked(season_2020):
    pack, _ = make_pack(season_2020["season"])
    rows = read_csv(pack, "entregas.csv")
    season_receipts = {d.receipt_code for d in Delivery.objects.filter(season=season_2020["season"])}
    assert {row["Recibo"] for row in rows} == season_receipts
    assert len(rows) == 11  # 6 + 2 of tests/ledger, the rogue member's, the voided one and its reissue
    assert season_2020["other_season"].receipt_code not in {row["Recibo"] for row in rows}

    void = next(row for row in rows if row["Recibo"] == season_2020["void"].receipt_code)
    assert void["Estado"] == "Anulada" and void["Motivo de anulación"] == "Peso mal leído"
    weights = (void["Peso bruto (kg)"], void["Tara (kg)"], void["Peso neto (kg)"])
    assert weights == ("80.000", "1.000", "79.000")
    assert {row["Estado"] for row in rows if row is not void} == {"Vigente"}
    reissue = season_2020["reissue"].receipt_code
    assert void["Reemplazada por"] == reissue
    assert next(row for row in rows if row["Recibo"] == reissue)["Reemplaza a"] == void["Recibo"]

    juana = next(row for row in rows if row["Código de socio"] == "S-00010")
    assert juana["Equivalente seco (kg)"] == "5000.000"
    assert juana["Certificación"] == "Comercio Justo + Orgánico"
    assert juana["Fecha"] == "01/04/2020"
    stored = Delivery.objects.get(receipt_series=juana["Recibo"][:3], receipt_number=int(juana["Recibo"][4:]))
    # Exact money: the céntimos stored, written with two decimals (no float on the way).
    assert juana["Importe (S/)"] == f"{stored.amount_minor // 100}.{stored.amount_minor % 100:02d}"
    assert juana["Precio por kg (S/)"] == f"{stored.price_per_kg:.2f}"


def test_purchases_per_member_add_up_to_the_valid_deliveries(season_2020):
    pack, _ = make_pack(season_2020["season"])
    rows = read_csv(pack, "compras_por_socio.csv")
    valid = Delivery.objects.valid().filter(season=season_2020["season"])
    assert sum(int(row["Entregas vigentes"]) for row in rows) == valid.count()
    assert sum(int(row["Entregas anuladas"]) for row in rows) == 1
    assert sum(D(row["Seco: total (kg)"]) for row in rows) == D(sum(d.dry_g for d in valid)) / 1000
    assert sum(D(row["Importe (S/)"]) for row in rows) == D(sum(d.amount_minor for d in valid)) / 100
    rosa = next(row for row in rows if row["Código de socio"] == "S-00003")
    assert (rosa["Entregas vigentes"], rosa["Entregas anuladas"]) == ("3", "1")
    assert rosa["Seco: Comercio Justo (kg)"] == "10000.000"
    assert rosa["Seco: Convencional (kg)"] == "78.000"  # the reissue; the voided 79 kg do not count

    # The mass balance in the pack is the ledger's.
    balance = {row["Producto"]: row for row in read_csv(pack, "balance_de_masas.csv")}
    for line in mass_balance(season_2020["season"]):
        assert D(balance[line.product]["Comprado a socios (kg, equivalente seco)"]) == line.bought_kg
        assert D(balance[line.product]["Vendido (kg)"]) == line.sold_kg
    assert balance["Comercio Justo"]["Comprado a socios (kg, equivalente seco)"] == "40000.000"
    assert balance["Comercio Justo"]["Vendido (kg)"] == "25000.000"


def test_a_formula_in_a_name_is_neutralised_in_csv_and_xlsx(season_2020):
    pack, _ = make_pack(season_2020["season"])
    purchases_row = next(
        r for r in read_csv(pack, "compras_por_socio.csv") if r["Código de socio"] == "S-00066"
    )
    assert purchases_row["Nombre"] == "'" + FORMULA_NAME
    register_row = next(
        r for r in read_csv(pack, "padron_socios_parcelas.csv") if r["Código de socio"] == "S-00066"
    )
    assert register_row["Nombre"] == "'" + FORMULA_NAME
    for name in ("compras_por_socio.xlsx", "padron_socios_parcelas.xlsx"):
        sheet = load_workbook(io.BytesIO(pack.read(name))).active
        cells = [
            c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
        ]
        assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells), name
    # A negative amount stays a number, not a neutralised text.
    assert all(not r["Importe (S/)"].startswith("'") for r in read_csv(pack, "compras_por_socio.csv"))


def test_minutes_authorizations_spending_and_the_premium_ledger(season_2020):
    assembly, spending = season_2020["assembly"], season_2020["spending"]
    pack, _ = make_pack(season_2020["season"])

    # The assembly was held today, but it approved the 2020 plan: it belongs to the 2020 pack.
    listed = read_csv(pack, "asambleas.csv")
    assert [row["Asamblea"] for row in listed] == [assembly.title]
    minutes_name = listed[0]["Archivo del acta"]
    assert minutes_name.startswith("actas/") and minutes_name in pack.namelist()
    assert listed[0]["Acta coincide con los registros"] == "SI"
    assert listed[0]["Código de verificación del acta"] == assembly.minutes_hash
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.read(minutes_name))).pages)
    assert "Acta de la Asamblea General Ordinaria" in text
    assert "Plan de Desarrollo 2020" in text and assembly.minutes_hash in text

    authorizations = read_csv(pack, "autorizaciones_asamblea.csv")
    assert len(authorizations) == 1
    row = authorizations[0]
    assert row["Asamblea"] == assembly.title and row["Moción"] == "1. Plan de Desarrollo 2020"
    assert row["Línea del plan"] == "Secadora solar" and row["Monto autorizado (S/)"] == "10000.00"
    assert row["Pagado (S/)"] == "4200.50" and row["Campaña del plan"] == "Campaña 2020"

    spent = read_csv(pack, "gastos_fondo_prima.csv")
    assert len(spent) == 1
    row = spent[0]
    spending.refresh_from_db()
    document = (row["RUC"], row["N.º de comprobante"], row["Monto (S/)"])
    assert document == (spending.ruc, "F003-000874", "4200.50")
    assert row["Aprobó (consejo de administración)"] == "presidente"
    assert row["Aprobó (tesorería)"] == "tesorera"
    assert row["Aprobado el (consejo)"] and row["Aprobado el (tesorería)"]
    assert row["Asiento"] == str(spending.entry.number) and row["Estado"] == "Aprobado y contabilizado"
    assert row["Acuerdo de asamblea"] == season_2020["plan"].authorization.decision

    ledger = [r for r in read_csv(pack, "fondo_prima_libro.csv") if r["Cuenta"] == "2913"]
    assert ledger[0]["Descripción"] == "Saldo inicial al 01/01/2020" and ledger[0]["Saldo acreedor"] == "0.00"
    assert [(r["Debe"], r["Haber"]) for r in ledger[1:-1]] == [("", "6000.00"), ("5000.00", "")]
    assert ledger[-1]["Descripción"] == "Saldo final al 31/12/2020"
    assert ledger[-1]["Saldo acreedor"] == "1000.00"
    # The spending was posted today, outside 2020: its entry is in that period's ledger, not this one.
    soles = [r for r in read_csv(pack, "fondo_prima_libro.csv") if r["Cuenta"] == "2914"]
    assert [r["Saldo acreedor"] for r in soles] == ["0.00", "17500.00", "17500.00"]

    contracts = read_csv(pack, "ventas_contratos.csv")
    assert [(c["Contrato"], c["Valor (US$)"], c["Prima (US$)"], c["Cobrado (US$)"]) for c in contracts] == [
        ("CV-2020-001", "67500.00", "6000.00", "73500.00")
    ]
    payments = read_csv(pack, "ventas_cobros.csv")
    assert [
        (p["Referencia del pago"], p["Parte de prima (US$)"], p["Tipo de cambio (compra)"]) for p in payments
    ] == [("BCP-OP-7781", "6000.00", "3.4250")]


def test_a_season_with_nothing_yet_still_makes_a_complete_pack(season_2020):
    empty = Season.objects.create(
        code="2030",
        name="Campaña 2030",
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 12, 31),
        wet_to_dry_factor=D("0.38"),
        max_yield_kg_per_ha=900,
    )
    pack, manifest = make_pack(empty)
    assert manifest.file("entregas.csv").rows == 0
    assert read_csv(pack, "entregas.csv") == []
    assert not [n for n in pack.namelist() if n.startswith("actas/")]


def test_another_part_is_one_line_and_the_pack_streams_to_an_unseekable_output(season_2020):
    class Unseekable:
        """Like an HTTP response or a pipe: write only."""

        def __init__(self):
            self.chunks = []

        def write(self, data):
            self.chunks.append(bytes(data))
            return len(data)

        def flush(self):
            pass

    report = document_part(
        "informe_prueba.pdf", lambda season: f"%PDF-1.4 {season.code}".encode(), "Informe de prueba"
    )
    out = Unseekable()
    manifest = write_audit_pack(season_2020["season"], out, extra_parts=[report])
    pack = zipfile.ZipFile(io.BytesIO(b"".join(out.chunks)))
    assert pack.read("informe_prueba.pdf") == b"%PDF-1.4 2020"
    assert manifest.file("informe_prueba.pdf").description == "Informe de prueba"
    assert "informe_prueba.pdf" in {row["Archivo"] for row in read_csv(pack, "manifest.csv")}
    assert pack.testzip() is None
    assert report not in PARTS  # passed for this pack only


def test_the_command_writes_the_pack_for_a_code_or_a_year(season_2020, tmp_path):
    target = tmp_path / "paquete.zip"
    out = io.StringIO()
    call_command("audit_pack", "--season", "2020", "-o", str(target), stdout=out)
    assert "Paquete de auditoría de la Campaña 2020" in out.getvalue()
    with zipfile.ZipFile(target) as pack:
        assert "entregas.csv" in pack.namelist()
    assert [p.name for p in tmp_path.iterdir()] == ["paquete.zip"]  # no partial file left behind


def test_the_command_refuses_an_unknown_season_naming_those_that_exist(season_2020, tmp_path):
    target = tmp_path / "paquete.zip"
    with pytest.raises(CommandError) as refused:
        call_command("audit_pack", "--season", "1999", "-o", str(target))
    message = str(refused.value)
    assert "No existe la campaña «1999»" in message
    assert "2020 (Campaña 2020, 01/01/2020 al 31/12/2020)" in message and "2026 (Campaña 2026" in message
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_a_bare_year_finds_the_season_that_starts_then_or_names_it(db):
    split = [
        Season.objects.create(
            code=code,
            name=name,
            starts_on=start,
            ends_on=end,
            wet_to_dry_factor=D("0.38"),
            max_yield_kg_per_ha=900,
        )
        for code, name, start, end in [
            ("C24-25", "Campaña 2024-2025", date(2024, 4, 1), date(2025, 3, 31)),
            ("C25-26", "Campaña 2025-2026", date(2025, 4, 1), date(2026, 3, 31)),
        ]
    ]
    assert find_season("c24-25") == split[0]  # the code, any case
    assert find_season("2025") == split[1]  # starts in 2025 (2024-2025 also names it)
    assert find_season("2026") == split[1]  # only one names 2026
    with pytest.raises(SeasonNotFound, match="No existe la campaña «2027»"):
        find_season("2027")
    Season.objects.create(
        code="C25-B",
        name="Campaña corta",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 12, 31),
        wet_to_dry_factor=D("0.38"),
        max_yield_kg_per_ha=900,
    )
    with pytest.raises(SeasonNotFound, match="El año 2025 corresponde a varias campañas: C25-26 .*C25-B"):
        find_season("2025")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_pack_reads_one_snapshot(make_user):
    """On PostgreSQL the pack opens its own REPEATABLE READ transaction (its first statement); SQLite none."""
    from django.db import connection

    from tests.acopio.factories import make_coop

    coop = make_coop()
    record(coop, make_user("administrador", username="gerente"))
    assert not connection.in_atomic_block
    pack, manifest = make_pack(coop["seasons"]["2026"])
    assert manifest.file("entregas.csv").rows == 1
    assert len(read_csv(pack, "entregas.csv")) == 1
    assert not connection.in_atomic_block


def test_the_ledger_chain_head_is_on_the_manifest_the_issued_reports_and_the_minutes(season_2020):
    """An anchor outside the database: the last entry's number and hash, as the pack saw them."""
    from assemblies.minutes import minutes_match
    from ledger.models import EntryCounter

    counter = EntryCounter.objects.get(pk=1)
    assert counter.last_number > 0
    pack, manifest = make_pack(season_2020["season"], user=season_2020["admin"])

    assert (manifest.chain_number, manifest.chain_hash) == (counter.last_number, counter.last_hash)
    as_json = json.loads(pack.read("manifest.json"))
    assert as_json["ledger_chain_head"] == {
        "entry_number": counter.last_number,
        "entry_hash": counter.last_hash,
    }
    for row in read_csv(pack, "manifest.csv"):
        assert row["Libro mayor: último asiento"] == str(counter.last_number)
        assert row["Libro mayor: hash del último asiento"] == counter.last_hash

    printed = (
        f"Cadena del libro mayor al imprimir: asiento {counter.last_number}, hash {counter.last_hash[:16]}."
    )
    papers = [name for name in pack.namelist() if name.endswith(".pdf")]
    assert any(name.startswith("actas/") for name in papers) and len(papers) >= 3  # reports and minutes
    for name in papers:
        text = " ".join(
            " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.read(name))).pages).split()
        )
        assert printed in text, name
    # The head is printed beside the minutes' facts, not among them: the code still matches.
    assert minutes_match(season_2020["assembly"])
