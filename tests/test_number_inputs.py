"""Every number a person types or imports is read by the one number parser (toolkit.numbers).

Two halves:

- The structure: each number field of every admin form and inline is the parser's ModelNumberField, and
  no form of Minka declares Django's DecimalField, FloatField or IntegerField (which read «1.250» as 1.25
  and «1.000» in a whole-number field as 1). Both are generated from the code: a new admin, inline or
  form is checked without being listed here.
- The behaviour, walking a table of every page, htmx preview, admin form and import column that takes
  a number: an ambiguous figure («2,500») is asked about («¿2500 o 2.5?») naming the field or the row
  and column, and nothing is written; then what Minka itself displays («S/ 2,500.00», «1,250.5 kg») is
  recorded exactly.
"""

import importlib
import io
import pkgutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.fields import AutoFieldMixin
from django.test import RequestFactory
from django.urls import reverse

from acopio.models import Delivery, PriceRow
from assemblies import services as assembly_services
from assemblies.models import TallyCount, TallyRecord
from coop.models import Member, Plot, Season
from coop.traceability import COLUMNS
from fund.models import BudgetLine, PremiumConversion, Spending
from ledger.models import JournalEntry, MemberMovement
from sales.models import ContractFixing, ContractPayment, ExchangeRate, FairtradeTerms, SalesContract
from sales.rates import import_exchange_rates
from sales.services import invoice_contract
from tests.assemblies.factories import check_in_many, convene, make_members, make_rules
from tests.ledger.factories import contract, fund_with_soles, make_coop_2020
from tests.ledger.test_premium_fund import RUC, authorized_line
from toolkit.admin import ModelNumberField
from toolkit.numbers import TypedNumberField
from toolkit.roles import ADMINISTRATOR, BOARD, CLERK

D = Decimal

# What the parser asks for each ambiguous figure typed below.
ASKED = {
    "2,500": "«2,500»: ¿2500 o 2.5? Escriba 2500 o 2.5.",
    "1,250": "«1,250»: ¿1250 o 1.25? Escriba 1250 o 1.25.",
    "1.000": "«1.000»: ¿1000 o 1? Escriba 1000 o 1.",
    "25,000": "«25,000»: ¿25000 o 25? Escriba 25000 o 25.",
}

# --- The structure: admin forms ------------------------------------------------------------------


def is_typed_number(db_field) -> bool:
    """A model field a person types a number into: decimal or integer, not a choice, not an id."""
    return (
        isinstance(db_field, models.DecimalField | models.IntegerField)
        and not db_field.choices
        and not db_field.is_relation
        and not isinstance(db_field, AutoFieldMixin)
    )


def admin_forms(model_admin, request):
    """The add form of a ModelAdmin and the form of each of its inlines, with a name for each."""
    yield type(model_admin).__name__, model_admin.model, model_admin.get_form(request)
    for inline_class in model_admin.get_inlines(request, None):
        inline = inline_class(model_admin.model, model_admin.admin_site)
        yield inline_class.__name__, inline.model, inline.get_formset(request).form


REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_admin",
    [model_admin for _model, model_admin in REGISTERED],
    ids=[m._meta.label for m, _ in REGISTERED],
)
def test_every_number_of_every_admin_form_is_read_by_the_parser(model_admin, make_user):
    administrator = make_user(ADMINISTRATOR, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = administrator
    not_parsed = []
    for name, model, form in admin_forms(model_admin, request):
        for field_name, form_field in form.base_fields.items():
            try:
                db_field = model._meta.get_field(field_name)
            except FieldDoesNotExist:
                continue  # a form-only field (e.g. a password confirmation): not a model number
            if is_typed_number(db_field) and not isinstance(form_field, ModelNumberField):
                not_parsed.append(f"{name}.{field_name} is {type(form_field).__name__}")
    assert not_parsed == [], "mix toolkit.admin.TypedNumbersAdmin into these admins"


def test_the_admin_walk_covers_minkas_number_fields():
    """The walk above is not vacuous: Minka's admins with numbers are on the site it reads."""
    labels = {model._meta.label for model, _admin in REGISTERED}
    assert {
        "sales.FairtradeTerms",
        "sales.ExchangeRate",
        "acopio.PriceRow",
        "coop.Season",
        "coop.Plot",
        "coop.Member",
        "assemblies.RuleSet",
    } <= labels


# --- The structure: Minka's own forms ----------------------------------------------------------

PROJECT_APPS = (
    "toolkit",
    "coop",
    "ledger",
    "acopio",
    "sales",
    "fund",
    "assemblies",
    "certification",
    "api",
    "config",
)
DJANGO_NUMBER_FIELDS = (forms.DecimalField, forms.FloatField, forms.IntegerField)
# "module.Form.field": why a Django number field there is not a quantity a person types. None today;
# a page number or a count of rows shown would go here with its reason.
NOT_QUANTITIES: dict[str, str] = {}


def project_modules():
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        yield package
        for found in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in found.name:
                continue  # schema history: no forms
            yield importlib.import_module(found.name)


def project_forms() -> dict[str, type[forms.BaseForm]]:
    found = {}
    for module in project_modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{value.__name__}"] = value
    return found


def test_no_form_of_minka_reads_a_number_with_djangos_own_fields():
    found = project_forms()
    assert {"ledger.forms.MovementForm", "acopio.forms.DeliveryForm", "coop.views.MemberFilterForm"} <= set(
        found
    )
    djangos = [
        f"{name}.{field_name} is {type(field).__name__}"
        for name, form in found.items()
        for field_name, field in form.base_fields.items()
        if isinstance(field, DJANGO_NUMBER_FIELDS) and f"{name}.{field_name}" not in NOT_QUANTITIES
    ]
    assert djangos == [], "use a toolkit.numbers field (MoneyField, KgField, RateField, …)"
    # The forms that take numbers take them as typed numbers.
    movement, delivery = found["ledger.forms.MovementForm"], found["acopio.forms.DeliveryForm"]
    assert isinstance(movement.base_fields["amount"], TypedNumberField)
    for name in ("gross_kg", "tare_kg", "moisture_pct"):
        assert isinstance(delivery.base_fields[name], TypedNumberField), name


# --- The behaviour: the worlds the pages need --------------------------------------------------


@pytest.fixture
def coop_world(coop, admin_user_minka, make_user):
    """Collection: seasons 2025–2026, centres C01/C02, the price list, María (S-00001) and others."""
    return {**coop, "admin": admin_user_minka, "clerk": make_user(CLERK)}


@pytest.fixture
def sales_world(db, make_user):
    """A 2020 season with 30 t of Fairtrade + organic cocoa bought; the administrator is «gerente»."""
    return make_coop_2020(make_user)


@pytest.fixture
def invoiced_world(sales_world):
    ExchangeRate.objects.create(date=date(2020, 6, 15), buy=D("3.4250"), sell=D("3.4310"))
    sale = invoice_contract(
        contract=contract(sales_world),
        invoice_number="F001-000045",
        on=date(2020, 6, 1),
        user=sales_world["admin"],
    )
    return {**sales_world, "contract": sale}


@pytest.fixture
def ptbf_world(sales_world):
    """A 25 t Fairtrade + organic contract of 2020 with its price to be fixed."""
    sale = contract(sales_world, contract_price=None, price_to_be_fixed=True)
    return {**sales_world, "contract": sale}


@pytest.fixture
def fund_world(db, make_user):
    """US$ 1,000.00 and S/ 17,500.00 in the premium fund; a board member and a treasurer."""
    return fund_with_soles(make_user)


@pytest.fixture
def spending_world(fund_world):
    return {**fund_world, "line": authorized_line(fund_world)}


@pytest.fixture
def assembly_world(fund_world):
    make_rules()
    make_members(3, start=100)
    return {**fund_world, "assembly": convene(fund_world["board"])}


# --- The behaviour: typing on a page and reading what it says ----------------------------------


@dataclass
class Seen:
    """What the person reads after sending: the page (or the import's problems) and the refusals filed
    by field, when the page keeps them so."""

    text: str
    errors: dict[str, list[str]]
    response: object = None


def _by_field(errors) -> dict[str, list[str]]:
    return {
        field: [str(p) for p in (problems if isinstance(problems, list | tuple) else [problems])]
        for field, problems in (errors or {}).items()
    }


def post(client, user, url, data, **extra) -> Seen:
    client.force_login(user)
    response = client.post(url, data, **extra)
    context = response.context or {}
    if "adminform" in context:
        errors = context["adminform"].form.errors
    else:
        errors = context.get("errors") if "errors" in context else None
    return Seen(response.content.decode(), _by_field(errors), response)


def delivery_form(world, **typed) -> dict:
    """What the clerk types for María: dry grade I, 100,5 kg gross, 1.25 kg tare, 7.5 % moisture."""
    return {
        "centre": world["centre"].pk,
        "date": "2026-03-10",
        "member": "S-00001",
        "plot": "S-00001-P1",
        "form": "dry",
        "grade": "g1",
        "gross_kg": "100,5",
        "tare_kg": "1.25",
        "moisture_pct": "7.5",
        "token": str(uuid.uuid4()),
        "replaces": "",
        **typed,
    }


def clerk_page(field):
    def send(world, client, typed):
        data = delivery_form(world, **{field: typed})
        return post(client, world["clerk"], reverse("acopio:delivery_new"), data)

    return send


def clerk_quote(world, client, typed):
    data = delivery_form(world, gross_kg=typed)
    return post(client, world["clerk"], reverse("acopio:delivery_quote"), data, HTTP_HX_REQUEST="true")


def spending_new(world, client, typed):
    data = {
        "line": world["line"].pk,
        "kind": "supplier",
        "amount": typed,
        "supplier": "Ferretería El Constructor SAC",
        "ruc": RUC,
        "document": "F001-000321",
        "document_date": "2020-07-01",
        "description": "Calaminas para la secadora",
    }
    return post(client, world["admin"], reverse("fund:spending_new"), data)


def budget_line_new(world, client, typed):
    data = {
        "season": world["season"].pk,
        "purpose": "Vivero comunal",
        "objective": "Plantones para renovar cacaotales",
        "category": "community",
        "amount": typed,
        "starts_on": "2020-04-01",
        "ends_on": "2020-12-31",
        "responsible": "Rosa Tapullima, técnica de campo",
        "beneficiaries": "40",
        "women": "12",
        "youth": "8",
    }
    return post(client, world["board"], reverse("fund:budget_line_new"), data)


def premium_conversion(usd="US$ 1,000.00", rate="3.7250"):
    def send(world, client, typed):
        data = {"usd": usd, "rate": rate, "on": "2020-06-21", "document": "CAMBIO-002"}
        data["usd" if usd is None else "rate"] = typed
        return post(client, world["admin"], reverse("fund:premium_conversion"), data, follow=True)

    return send


def movement_new(world, client, typed):
    data = {
        "kind": "advance",
        "method": "cash",
        "date": "2026-03-10",
        "amount": typed,
        "document": "V-0001",
        "note": "Adelanto de campaña",
        "token": str(uuid.uuid4()),
    }
    return post(client, world["admin"], reverse("ledger:movement_new", args=["S-00001"]), data)


def contract_new(field):
    def send(world, client, typed):
        data = {
            "number": "CV-2020-010",
            "buyer": "Cacao Export SAC",
            "signed_on": "2020-05-14",
            "terms": "ft_org",
            "tonnes": "25",
            "contract_price": "2150,00",
            "origin": "PE",
            field: typed,
        }
        return post(client, world["admin"], reverse("sales:contract_new"), data)

    return send


def contract_payment(world, client, typed):
    url = reverse("sales:contract_payment", args=[world["contract"].pk])
    data = {"amount": typed, "reference": "BCP-9", "on": "2020-06-15"}
    return post(client, world["admin"], url, data, follow=True)


def contract_fix(world, client, typed):
    url = reverse("sales:contract_fix", args=[world["contract"].pk])
    data = {"market_price": typed, "ice_reference": "ICE NY cacao, septiembre 2020", "on": "2020-09-01"}
    return post(client, world["admin"], url, {**data, "confirm": "1"}, follow=True)


def admin_add(model, field, data):
    def send(world, client, typed):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        return post(client, world["admin"], url, {**data, field: typed, "_save": "Guardar"})

    return send


def _plot_data(world):
    return {
        "member": world["maria"].pk,
        "code": "S-00001-P9",
        "organic_stage": "none",
        "has_title": "unknown",
    }


def plot_add(field):
    def send(world, client, typed):
        url = reverse("admin:coop_plot_add")
        return post(client, world["admin"], url, {**_plot_data(world), field: typed, "_save": "Guardar"})

    return send


# --- Imports -----------------------------------------------------------------------------------

DELIVERY_HEADER = [
    "Referencia externa",
    "Centro",
    "Fecha",
    "Código de socio",
    "DNI",
    "Parcela",
    "Forma",
    "Grado",
    "Peso bruto (kg)",
    "Tara (kg)",
    "Humedad (%)",
]
DELIVERY_CELLS = {"Peso bruto (kg)": 100.5, "Tara (kg)": 1.25, "Humedad (%)": 7.5}


def upload_and_confirm(client, user, url, name, content) -> Seen:
    """The import page: check the file (nothing saved) and, when it has no errors, confirm it."""
    checked = post(client, user, url, {"file": SimpleUploadedFile(name, content)})
    token = checked.response.context.get("token")
    return post(client, user, url, {"token": token}) if token else checked


def delivery_xlsx(column):
    """A scale's xlsx with one row for María; ``typed`` goes in ``column``, as text or as a number."""

    def send(world, client, typed):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(DELIVERY_HEADER)
        cells = {**DELIVERY_CELLS, column: typed}
        sheet.append(
            ["BAL-0001", "C01", "10/03/2026", "S-00001", "", "S-00001-P1", "seco", "I"]
            + [cells[header] for header in DELIVERY_HEADER[8:]]
        )
        buffer = io.BytesIO()
        book.save(buffer)
        url = reverse("acopio:delivery_import")
        return upload_and_confirm(client, world["admin"], url, "balanza.xlsx", buffer.getvalue())

    return send


def rates_csv(column):
    def send(world, client, typed):
        cells = {"Compra": "3,418", "Venta": "3,424", column: typed}
        text = (
            "Tipo de cambio SBS - dólar americano\nFecha;Compra;Venta\n"
            f"13/05/2020;{cells['Compra']};{cells['Venta']}\n"
        )
        report = import_exchange_rates(source=text.encode(), filename="sbs.csv")
        return Seen("\n".join(str(problem) for problem in report.errors), {})

    return send


def register_csv(header, extra=()):
    def send(world, client, typed):
        rows = [
            ["Nombre", "DNI", header, *(h for h, _v in extra)],
            ["Rosa Tapullima", "40112233", typed, *(v for _h, v in extra)],
        ]
        text = "\n".join(";".join(row) for row in rows) + "\n"
        url = reverse("coop:register_import")
        return upload_and_confirm(client, world["admin"], url, "padron.csv", text.encode())

    return send


def problem_cells(row, column) -> str:
    """How an import page names a problem's row and column (templates/_problems_table.html)."""
    return f"<td>{row}</td><td>{column}</td><td>"


# --- The walk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    id: str
    world: str  # the fixture that builds what the page needs
    send: Callable[[dict, object, object], Seen]  # type ``typed`` into the number and send
    writes: tuple[type[models.Model], ...]  # what a recorded number adds rows to (the first one)
    shown: object  # what Minka displays, typed back (or a spreadsheet's number cell)
    recorded: Callable[[dict, Seen], object]  # what was recorded from ``shown``
    expected: object
    refused: str = "2,500"  # an ambiguous figure (a key of ASKED)
    says: str | None = None  # the refusal, when it is not the question
    named: str = ""  # what precedes the refusal where it is read (the field, or the row and column)
    field: str | None = None  # the field the form files the refusal under
    saves: bool = True  # the htmx preview computes and saves nothing

    @property
    def refusal(self) -> str:
        return self.says or ASKED[self.refused]


def last(model):
    return model.objects.order_by("-pk").first()


WALKS = [
    # --- The premium fund -----------------------------------------------------------------------
    Walk(
        "fund:spending_new amount",
        "spending_world",
        spending_new,
        (Spending, JournalEntry),
        shown="S/ 2,500.00",
        recorded=lambda w, seen: Spending.objects.get().amount_minor,
        expected=250_000,
        field="amount",
    ),
    Walk(
        "fund:budget_line_new amount",
        "fund_world",
        budget_line_new,
        (BudgetLine,),
        refused="1,250",
        shown="S/ 1,250.50",
        recorded=lambda w, seen: BudgetLine.objects.get().amount_minor,
        expected=125_050,
        field="amount",
    ),
    Walk(
        "fund:premium_conversion usd",
        "fund_world",
        premium_conversion(usd=None),
        (PremiumConversion, JournalEntry),
        shown="US$ 1,000.00",
        recorded=lambda w, seen: (last(PremiumConversion).usd_cents, last(PremiumConversion).pen_minor),
        expected=(100_000, 372_500),
        named="Cambio a soles: ",  # refused by a message on the fund's page
    ),
    Walk(
        # A rate has a known range (sales.rates.PLAUSIBLE_RATE): «3,725» can only be 3.725. A figure
        # neither reading of which is a rate is asked about.
        "fund:premium_conversion rate",
        "fund_world",
        premium_conversion(usd="US$ 100.00", rate=None),
        (PremiumConversion, JournalEntry),
        refused="25,000",
        shown="3,725",
        recorded=lambda w, seen: (last(PremiumConversion).rate, last(PremiumConversion).pen_minor),
        expected=(D("3.725"), 37_250),
        named="Cambio a soles: ",
    ),
    # --- Member accounts --------------------------------------------------------------------------
    Walk(
        "ledger:movement_new amount",
        "coop_world",
        movement_new,
        (MemberMovement, JournalEntry),
        shown="S/ 2,500.00",
        recorded=lambda w, seen: MemberMovement.objects.get().amount_minor,
        expected=250_000,
        field="amount",
    ),
    # --- The clerk's page and its htmx preview ----------------------------------------------------
    Walk(
        "acopio:delivery_new gross_kg",
        "coop_world",
        clerk_page("gross_kg"),
        (Delivery, JournalEntry),
        shown="1,250.5 kg",
        recorded=lambda w, seen: (Delivery.objects.get().gross_g, Delivery.objects.get().net_g),
        expected=(1_250_500, 1_249_250),
        named="El peso bruto: ",
        field="gross_kg",
    ),
    Walk(
        "acopio:delivery_new tare_kg",
        "coop_world",
        clerk_page("tare_kg"),
        (Delivery, JournalEntry),
        refused="1,250",
        shown="62.1250 kg",
        recorded=lambda w, seen: Delivery.objects.get().tare_g,
        expected=62_125,
        named="La tara: ",
        field="tare_kg",
    ),
    Walk(
        "acopio:delivery_new moisture_pct",
        "coop_world",
        clerk_page("moisture_pct"),
        (Delivery, JournalEntry),
        refused="12.55",
        says="Humedad: use como máximo un decimal.",
        shown="7.5 %",
        recorded=lambda w, seen: Delivery.objects.get().moisture_pct,
        expected=D("7.5"),
        field="moisture_pct",
    ),
    Walk(
        "acopio:delivery_quote gross_kg",
        "coop_world",
        clerk_quote,
        (Delivery, JournalEntry),
        shown="1,250.5 kg",
        recorded=lambda w, seen: (
            seen.response.context["quote"].net_g,
            '<dd><span class="num">1,249.25 kg</span></dd>' in seen.text,
        ),
        expected=(1_249_250, True),
        named="El peso bruto: ",
        field="gross_kg",
        saves=False,
    ),
    # --- Sales --------------------------------------------------------------------------------------
    Walk(
        "sales:contract_new tonnes",
        "sales_world",
        contract_new("tonnes"),
        (SalesContract,),
        refused="1,250",
        shown="12.5 t",
        recorded=lambda w, seen: SalesContract.objects.get().quantity_kg,
        expected=12_500,
        field="tonnes",
    ),
    Walk(
        "sales:contract_new contract_price",
        "sales_world",
        contract_new("contract_price"),
        (SalesContract,),
        shown="US$ 2,150.00",
        recorded=lambda w, seen: SalesContract.objects.get().contract_price,
        expected=D("2150.00"),
        field="contract_price",
    ),
    Walk(
        "sales:contract_fix market_price",
        "ptbf_world",
        contract_fix,
        (ContractFixing,),
        shown="US$ 2,150.00",
        recorded=lambda w, seen: ContractFixing.objects.get().market_price,
        expected=D("2150.00"),
        field="market_price",
    ),
    Walk(
        "sales:contract_payment amount",
        "invoiced_world",
        contract_payment,
        (ContractPayment, JournalEntry),
        shown="US$ 2,500.00",
        recorded=lambda w, seen: ContractPayment.objects.get().amount_cents,
        expected=250_000,
        named="CV-2020-001: ",  # refused by a message on the contracts page, naming the contract
    ),
    # --- Admin add forms ----------------------------------------------------------------------------
    Walk(
        "admin FairtradeTerms amount",
        "coop_world",
        admin_add(
            FairtradeTerms,
            "amount",
            {
                "kind": "minimum",
                "valid_from": "2026-10-01",
                "origin": "PE",
                "currency": "USD",
                "source": "Fairtrade International, revisión 2026",
                "source_date": "",
                "source_url": "",
            },
        ),
        (FairtradeTerms,),
        shown="2,500.00",
        recorded=lambda w, seen: FairtradeTerms.objects.get(valid_from=date(2026, 10, 1)).amount,
        expected=D("2500.00"),
        field="amount",
    ),
    Walk(
        "admin PriceRow price_per_kg",
        "coop_world",
        admin_add(
            PriceRow,
            "price_per_kg",
            {"valid_from": "2026-04-01", "form": "dry", "grade": "g1", "certification": "ft", "note": ""},
        ),
        (PriceRow,),
        refused="1,250",
        shown="11.35",
        recorded=lambda w, seen: PriceRow.objects.get(valid_from=date(2026, 4, 1)).price_per_kg,
        expected=D("11.35"),
        field="price_per_kg",
    ),
    Walk(
        # As in the rates import, the rate's range settles «3,418»; «25,000» is no rate either way.
        "admin ExchangeRate buy",
        "coop_world",
        admin_add(ExchangeRate, "buy", {"date": "2026-03-10", "sell": "3.7300", "source": "SBS"}),
        (ExchangeRate,),
        refused="25,000",
        shown="3,418",
        recorded=lambda w, seen: ExchangeRate.objects.get().buy,
        expected=D("3.418"),
        field="buy",
    ),
    Walk(
        "admin Season wet_to_dry_factor",
        "coop_world",
        admin_add(
            Season,
            "wet_to_dry_factor",
            {
                "code": "2027",
                "name": "Campaña 2027",
                "starts_on": "2027-01-01",
                "ends_on": "2027-12-31",
                "max_yield_kg_per_ha": "900",
            },
        ),
        (Season,),
        refused="1,250",
        shown="0.375",
        recorded=lambda w, seen: Season.objects.get(code="2027").wet_to_dry_factor,
        expected=D("0.375"),
        field="wet_to_dry_factor",
    ),
    Walk(
        # A whole number: Django's own field read «1.000» as 1.
        "admin Season max_yield_kg_per_ha",
        "coop_world",
        admin_add(
            Season,
            "max_yield_kg_per_ha",
            {
                "code": "2027",
                "name": "Campaña 2027",
                "starts_on": "2027-01-01",
                "ends_on": "2027-12-31",
                "wet_to_dry_factor": "0.380",
            },
        ),
        (Season,),
        refused="1.000",
        shown="1,000.0",
        recorded=lambda w, seen: Season.objects.get(code="2027").max_yield_kg_per_ha,
        expected=1000,
        field="max_yield_kg_per_ha",
    ),
    *[
        Walk(
            f"admin Plot {field.name}",
            "coop_world",
            plot_add(field.name),
            (Plot,),
            refused="1,250",
            shown="1,250.5",
            recorded=lambda w, seen, name=field.name: getattr(Plot.objects.get(code="S-00001-P9"), name),
            expected=D("1250.5000"),
            field=field.name,
        )
        for field in Plot._meta.get_fields()
        if field.name.endswith("_ha")
    ],
    # --- Imports --------------------------------------------------------------------------------------
    Walk(
        # A text cell goes through the parser; a number cell is the number it is.
        "import deliveries Peso bruto (kg)",
        "coop_world",
        delivery_xlsx("Peso bruto (kg)"),
        (Delivery, JournalEntry),
        refused="1,250",
        shown=1250.5,
        recorded=lambda w, seen: Delivery.objects.get(external_ref="BAL-0001").gross_g,
        expected=1_250_500,
        named=problem_cells(2, "Peso bruto (kg)") + "El peso bruto: ",
    ),
    Walk(
        "import deliveries Tara (kg)",
        "coop_world",
        delivery_xlsx("Tara (kg)"),
        (Delivery, JournalEntry),
        refused="1,250",
        shown=62.125,
        recorded=lambda w, seen: Delivery.objects.get(external_ref="BAL-0001").tare_g,
        expected=62_125,
        named=problem_cells(2, "Tara (kg)") + "La tara: ",
    ),
    Walk(
        "import deliveries Humedad (%)",
        "coop_world",
        delivery_xlsx("Humedad (%)"),
        (Delivery, JournalEntry),
        refused="12.55",
        says="Humedad: use como máximo un decimal.",
        shown=12.5,
        recorded=lambda w, seen: Delivery.objects.get(external_ref="BAL-0001").moisture_pct,
        expected=D("12.5"),
        named=problem_cells(2, "Humedad (%)"),
    ),
    *[
        Walk(
            # As on the fund's page, the rate's range settles «3,418»; «25,000» is no rate either way.
            f"import exchange rates {column}",
            "db_world",
            rates_csv(column),
            (ExchangeRate,),
            refused="25,000",
            shown=shown,
            recorded=lambda w, seen, column=column: getattr(
                ExchangeRate.objects.get(), {"Compra": "buy", "Venta": "sell"}[column]
            ),
            expected=expected,
            named=f"Fila 3, columna «{column}»: ",
        )
        for column, shown, expected in (("Compra", "3,418", D("3.418")), ("Venta", "3.4240", D("3.424")))
    ],
    *[
        Walk(
            f"import register {column.header}",
            "admin_world",
            register_csv(column.header),
            (Plot,) if column.kind == "area" else (Member,),
            refused="1,250",
            shown="1,250.5" if column.kind == "area" else "45",
            recorded=(lambda w, seen, key=column.key: getattr(Plot.objects.get(member__dni="40112233"), key))
            if column.kind == "area"
            else (lambda w, seen: Member.objects.get(dni="40112233").declared_age),
            expected=D("1250.5000") if column.kind == "area" else 45,
            named=problem_cells(2, column.header),
        )
        for column in COLUMNS
        if column.kind in {"area", "age"}
    ],
    Walk(
        # A coordinate has a known range (±180): «-6,551» is -6.551, and then too coarse for EUDR.
        "import register Latitud",
        "admin_world",
        register_csv("Latitud", extra=(("Longitud", "-76.123456"),)),
        (Plot,),
        refused="-6,551",
        says="Las coordenadas necesitan al menos 6 decimales (por ejemplo -6.551).",
        shown="-6,551234",
        recorded=lambda w, seen: Plot.objects.get(member__dni="40112233").centroid_lat,
        expected=D("-6.551234"),
        named=problem_cells(2, "Latitud / Longitud"),
    ),
]


@pytest.fixture
def admin_world(admin_user_minka):
    return {"admin": admin_user_minka}


@pytest.fixture
def db_world(db):
    return {}


def rows(walk) -> list[int]:
    return [model.objects.count() for model in walk.writes]


@pytest.mark.django_db
@pytest.mark.parametrize("walk", WALKS, ids=[walk.id for walk in WALKS])
def test_a_typed_number_is_asked_about_when_ambiguous_and_recorded_as_minka_shows_it(walk, request, client):
    world = request.getfixturevalue(walk.world)
    before = rows(walk)

    seen = walk.send(world, client, walk.refused)
    assert walk.named + walk.refusal in seen.text, seen.errors or seen.text[-2000:]
    if walk.field:
        # Filed under the number's own field, and under no other: the rest of the form was fine.
        assert list(seen.errors) == [walk.field] and walk.refusal in " ".join(seen.errors[walk.field])
    assert rows(walk) == before, "a refused number wrote something"

    seen = walk.send(world, client, walk.shown)
    assert not seen.errors, seen.errors
    if walk.saves:
        assert rows(walk)[0] == before[0] + 1, seen.text[-2000:]
    else:
        assert rows(walk) == before
    assert walk.recorded(world, seen) == walk.expected


# --- Counts ----------------------------------------------------------------------------------------
# The votes of a tally, the ballots issued from a box and the seats of an election are whole counts,
# read by the parser as whole numbers (toolkit.numbers.parse_whole): a grouped figure is asked about,
# a decimal or a character that only looks like a digit («²») is refused, never read as 1 or crashed on.


@pytest.mark.django_db
def test_vote_counts_are_whole_numbers_read_by_the_parser(client, make_user):
    board = make_user(BOARD)
    make_rules()
    make_members(5)
    assembly = convene(board)
    check_in_many(assembly, board, 3)
    assembly_services.open_session(assembly=assembly, call="first", user=board)
    vote = assembly_services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Aprobar la memoria 2025",
        majority="simple",
        method="hands",
        user=board,
    )
    assembly_services.open_motion(motion=vote, user=board)
    options = {option.kind: option.position for option in vote.options.all()}
    url = reverse("assemblies:motion_tally", args=[assembly.pk, vote.number])
    client.force_login(board)
    for typed, says in (
        # 1.25 is no count, so only 1250 is offered
        ("1,250", "«A favor»: «1,250»: ¿1250? Un número entero se escribe sin punto ni coma: 1250."),
        ("1.000", "«A favor»: «1.000»: ¿1000 o 1? Escriba 1000 o 1."),
        ("2,5", "«A favor»: escriba un número entero (0 si no hubo votos)."),
        ("²", "«A favor»: escriba un número entero (0 si no hubo votos)."),
        ("-1", "«A favor»: escriba un número entero (0 si no hubo votos)."),
    ):
        counts = {f"option_{position}": "0" for position in options.values()}
        counts[f"option_{options['yes']}"] = typed
        response = client.post(url, counts, follow=True)
        assert response.status_code in (200, 400) and says in response.content.decode(), typed
    assert not TallyRecord.objects.exists()
    counts = {f"option_{position}": "0" for position in options.values()}
    client.post(url, {**counts, f"option_{options['yes']}": "3"})
    assert TallyCount.objects.get(option__kind="yes").count == 3
