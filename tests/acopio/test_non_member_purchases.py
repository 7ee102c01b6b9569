"""Cocoa bought from non-members (issue 18): a supplier register, purchases from the centres' one
receipt series, their own stock and payable accounts, and never Fairtrade or organic input."""

import io
import re
import uuid
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from acopio import services as purchases
from acopio.models import CocoaForm, CollectionCentre, Delivery, Grade, Lot, Supplier
from acopio.selectors import owed_to_supplier
from acopio.services import build_lot
from certification.audit_pack import write_audit_pack
from certification.fairtrade_report import fairtrade_workbook
from certification.reports import season_report, season_report_table
from coop.models import Member
from fund.models import PremiumCategory
from fund.selectors import fairtrade_grams_by_member
from fund.services import authorize_budget_lines, draft_budget_line, register_distribution
from ledger import chart
from ledger.member_accounts import owed_to_member
from ledger.models import Account, JournalEntry
from ledger.selectors import account_balance
from ledger.verification import verify_ledger
from sales.selectors import mass_balance
from sales.services import record_contract
from tests.acopio.factories import DAY, record
from tests.ledger.factories import activity, fund_with_soles

D = Decimal
RUC = "20131312955"  # a valid RUC (check digit 5)
DNI = "47112233"


def supplier(user, document=DNI, name="Wilder Pezo Tapullima", origin="Caserío Alto Shamboyacu"):
    return purchases.create_supplier(document=document, name=name, origin=origin, user=user)


def buy(coop, user, who, **overrides):
    arguments = {
        "supplier": who,
        "centre": coop["centre"],
        "date": DAY,
        "form": CocoaForm.DRY,
        "grade": Grade.GRADE_1,
        "gross_kg": "201",
        "tare_kg": "1",
        "moisture_pct": "7.0",
        "user": user,
    }
    arguments.update(overrides)
    return purchases.record_purchase(**arguments)


def member_balances() -> dict[str, int]:
    return {m.code: owed_to_member(m) for m in Member.objects.all()}


def written() -> tuple:
    """What a refused purchase or supplier must leave as it was."""
    return (
        Delivery.objects.count(),
        Supplier.objects.count(),
        Account.objects.count(),
        JournalEntry.objects.count(),
        list(CollectionCentre.objects.order_by("pk").values_list("last_receipt_number", flat=True)),
    )


# --- The register ---------------------------------------------------------------------------


def test_a_person_by_dni_and_an_organisation_by_ruc_each_get_their_own_payable_account(
    coop, admin_user_minka
):
    person = supplier(admin_user_minka, document=" 4711 2233 ")
    organisation = supplier(admin_user_minka, document=RUC, name="Asociación Cacao Huallaga", origin="")
    assert (person.document, person.document_label) == (DNI, "DNI")
    assert (organisation.document, organisation.document_label) == (RUC, "RUC")
    assert person.account != organisation.account
    for account in (person.account, organisation.account):
        assert account.member_id is None and account.kind == "liability" and account.currency == "PEN"


@pytest.mark.parametrize(
    ("document", "name", "field", "message"),
    [
        ("4711223", "Wilder", "document", "DNI o RUC: escriba el DNI (8 dígitos)"),
        ("471122334", "Wilder", "document", "DNI o RUC: escriba el DNI (8 dígitos)"),
        ("20131312956", "Wilder", "document", "El RUC 20131312956 no es válido (dígito verificador)."),
        ("30131312955", "Wilder", "document", "El RUC empieza con 10, 15, 16, 17 o 20."),
        ("4711223A", "Wilder", "document", "DNI o RUC"),
        ("", "Wilder", "document", "Indique el DNI o RUC del proveedor."),
        (DNI, "  ", "name", "Indique el nombre o la razón social del proveedor."),
    ],
)
def test_a_bad_dni_or_ruc_is_refused_naming_the_field_and_nothing_is_written(
    coop, admin_user_minka, document, name, field, message
):
    before = written()
    with pytest.raises(ValidationError) as refused:
        purchases.create_supplier(document=document, name=name, user=admin_user_minka)
    assert message in " ".join(refused.value.message_dict[field])
    assert written() == before


def test_a_member_is_not_registered_as_a_non_member_nor_a_supplier_twice(coop, admin_user_minka):
    with pytest.raises(ValidationError, match="es de S-00001 María Luz Tuanama Sangama, socio"):
        supplier(admin_user_minka, document=coop["maria"].dni)
    supplier(admin_user_minka)
    with pytest.raises(ValidationError, match="Ya está registrado el proveedor Wilder Pezo Tapullima"):
        supplier(admin_user_minka, name="Otro nombre")
    assert Supplier.objects.count() == 1


# --- Purchases ------------------------------------------------------------------------------


def test_members_and_non_members_share_one_receipt_series_and_the_receipt_says_so(
    coop, admin_user_minka, client
):
    wilder = supplier(admin_user_minka)
    first = record(coop, admin_user_minka)
    bought = buy(coop, admin_user_minka, wilder)
    third = record(coop, admin_user_minka)
    elsewhere = buy(coop, admin_user_minka, wilder, centre=coop["other_centre"])
    assert [first.receipt_code, bought.receipt_code, third.receipt_code] == [
        "C01-000001",
        "C01-000002",
        "C01-000003",
    ]
    assert elsewhere.receipt_code == "C02-000001"
    # Conventional, no plot, priced from the list's conventional row: 200 kg × S/ 9.50.
    assert (bought.certification, bought.plot, bought.member) == ("conv", None, None)
    assert bought.price_per_kg == D("9.50") and bought.amount_minor == 190_000
    assert bought.origin == "Caserío Alto Shamboyacu"

    client.force_login(admin_user_minka)
    for size in ("a6", "ticket"):
        response = client.get(reverse("acopio:delivery_receipt_pdf", args=[bought.receipt_code, size]))
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        text = re.sub(r"\s+", " ", text)
        assert "Compra a no socio" in text and "Wilder Pezo Tapullima" in text and DNI in text
        assert "S-00001" not in text
    page = client.get(bought.get_absolute_url()).content.decode()
    assert "Compra a no socio" in page and DNI in page
    verify = client.get(reverse("receipt_verify", args=[bought.verification_key])).content.decode()
    assert "Compra a no socio" in verify and "Wilder Pezo Tapullima" in verify


def test_a_purchase_goes_to_non_member_stock_and_the_supplier_never_to_a_member_account(
    coop, admin_user_minka
):
    record(coop, admin_user_minka)
    before = member_balances()
    wilder = supplier(admin_user_minka)
    bought = buy(coop, admin_user_minka, wilder, price_per_kg="4,25")  # a typed price, decimal comma
    assert bought.price_row is None and bought.price_per_kg == D("4.25") and bought.amount_minor == 85_000
    assert member_balances() == before
    assert owed_to_supplier(wilder) == 85_000
    assert account_balance(chart.account(chart.COCOA_INVENTORY_NON_MEMBER)) == 85_000
    lines = JournalEntry.objects.get(source_key=bought.source_key).lines.select_related("account")
    assert {line.account.code for line in lines} == {"1102", f"PROV-{DNI}"}
    assert all(line.account.member_id is None for line in lines)

    purchases.pay_supplier(
        supplier=wilder, date=DAY, amount="500.00", method="cash", document="R-7", user=admin_user_minka
    )
    with pytest.raises(ValidationError, match="se deben S/ 350.00 al proveedor"):
        purchases.pay_supplier(
            supplier=wilder, date=DAY, amount="400", method="cash", document="R-8", user=admin_user_minka
        )
    assert owed_to_supplier(wilder) == 35_000
    assert member_balances() == before

    purchases.void_delivery(delivery=bought, reason="Peso mal leído", user=admin_user_minka)
    assert owed_to_supplier(wilder) == 35_000 - 85_000  # paid more than now owed: the supplier owes it back
    assert account_balance(chart.account(chart.COCOA_INVENTORY_NON_MEMBER)) == 0
    assert member_balances() == before
    assert verify_ledger().ok


def test_a_purchase_with_a_member_too_a_negative_weight_or_a_bad_price_is_refused_and_nothing_written(
    coop, admin_user_minka
):
    wilder = supplier(admin_user_minka)
    before = written()
    cases = [
        ({"member": coop["maria"]}, "supplier", "no a los dos"),
        ({"gross_kg": "-50"}, "gross_kg", "El peso bruto"),
        ({"tare_kg": "-1"}, "tare_kg", "La tara"),
        ({"price_per_kg": "1,250"}, "price_per_kg", "Precio por kg"),
        ({"price_per_kg": "-3"}, "price_per_kg", "Precio por kg"),
        ({"supplier": None}, "supplier", "proveedor"),
        ({"supplier": None, "new_supplier": {"document": "2013131295", "name": "X"}}, "new_document", "RUC"),
    ]
    for overrides, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            buy(coop, admin_user_minka, wilder, **overrides)
        assert message in " ".join(refused.value.message_dict[field]), overrides
        assert written() == before, overrides


def test_the_database_refuses_a_delivery_from_both_a_member_and_a_supplier(coop, admin_user_minka):
    wilder = supplier(admin_user_minka)
    delivery = record(coop, admin_user_minka)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(supplier=wilder)
    bought = buy(coop, admin_user_minka, wilder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=bought.pk).update(certification="ft")


# --- Mass balance, lots, sales and the premium -------------------------------------------------


@pytest.fixture
def season_2020(db, make_user):
    """The 2020 season of tests/ledger (40 t of Fairtrade cocoa, 25 t sold, premium in the fund) and
    2 t bought from a non-member."""
    fund = fund_with_soles(make_user)
    wilder = supplier(fund["admin"])
    before = mass_balance(fund["season"])
    bought = buy(fund, fund["admin"], wilder, date=date(2020, 4, 20), gross_kg="2000", tare_kg="0")
    return {**fund, "supplier": wilder, "bought": bought, "balance_before": before}


def test_non_member_kilos_stay_out_of_the_mass_balance_and_show_as_their_own_line(season_2020):
    season = season_2020["season"]
    assert mass_balance(season) == season_2020["balance_before"]
    report = season_report(season)
    assert report.non_member == {"count": 1, "dry_g": 2_000_000, "net_g": 2_000_000, "amount": 1_900_000}
    # The certification lines are the members' own: 30 t Fairtrade + organic, 10 t Fairtrade.
    assert {row["certification"]: row["dry_g"] for row in report.by_certification} == {
        "ft_org": 30_000_000,
        "ft": 10_000_000,
    }
    row = next(row for row in season_report_table(report) if row[0] == "no_socios")
    assert row[1:6] == [
        "compras a no socios",
        "no cuentan como Comercio Justo ni orgánico",
        1,
        "2000.000",
        D("19000.00"),
    ]

    out = io.BytesIO()
    write_audit_pack(season, out, user=season_2020["admin"])
    pack = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    own = pack.read("compras_a_no_socios.csv").decode("utf-8-sig").splitlines()
    assert own[1].split(",")[:5] == ["DNI", DNI, "Wilder Pezo Tapullima", "Caserío Alto Shamboyacu", "1"]
    deliveries = pack.read("entregas.csv").decode("utf-8-sig").splitlines()
    row = next(line for line in deliveries if line.startswith(season_2020["bought"].receipt_code))
    assert row.endswith(f",{DNI}")
    balance = pack.read("balance_de_masas.csv").decode("utf-8-sig")
    assert "Compras a no socios (aparte: no cuentan),2000.000" in balance
    assert "Comercio Justo,40000.000" in balance  # members' Fairtrade kilos only
    purchases_by_member = pack.read("compras_por_socio.csv").decode("utf-8-sig")
    assert DNI not in purchases_by_member and "Wilder" not in purchases_by_member

    book = load_workbook(io.BytesIO(fairtrade_workbook(season)))
    rows = [
        row for row in book["Balance de masas"].iter_rows(values_only=True) if row[0] == "Compras a no socios"
    ]
    assert [row[:2] for row in rows] == [
        ("Compras a no socios", "Comprado (kg, seco)"),
        ("Compras a no socios", 2000),
    ]


def test_a_lot_with_non_member_cocoa_is_marked_and_never_sold_as_fairtrade_or_organic(season_2020):
    admin, season = season_2020["admin"], season_2020["season"]
    bought = season_2020["bought"]
    with pytest.raises(
        ValidationError, match="es una compra a no socio y no puede ir en un lote Comercio Justo"
    ):
        build_lot(
            code="L-FT", season=season, claim="ft", for_eu=False, receipts=[bought.receipt_code], user=admin
        )
    member_receipt = Delivery.objects.filter(season=season, member__isnull=False).first().receipt_code
    mixed = build_lot(
        code="L-MIX",
        season=season,
        claim="conv",
        for_eu=False,
        receipts=[bought.receipt_code, member_receipt],
        user=admin,
    )
    assert mixed.has_non_member
    assert not build_lot(
        code="L-SOCIOS", season=season, claim="conv", for_eu=False, receipts=["C01-000002"], user=admin
    ).has_non_member
    tonnes = D(mixed.dry_g) / 1_000_000  # the contract's tonnes match the lot's dry weight
    for terms in ("ft", "ft_org", "org"):
        with pytest.raises(ValidationError) as refused:
            record_contract(
                number=f"CV-{terms}",
                buyer="Cacao Export SAC",
                signed_on=date(2020, 5, 20),
                terms=terms,
                tonnes=tonnes,
                contract_price=D("2150"),
                user=admin,
                lots=[mixed],
            )
        assert "El lote L-MIX contiene cacao comprado a no socios" in " ".join(
            refused.value.message_dict["lots"]
        )
    sold = record_contract(
        number="CV-CONV",
        buyer="Cacao Export SAC",
        signed_on=date(2020, 5, 20),
        terms="conv",
        tonnes=tonnes,
        contract_price=D("2150"),
        user=admin,
        lots=[mixed],
    )
    assert list(sold.lots.all()) == [mixed]
    assert Lot.objects.get(code="L-MIX").has_non_member


def test_a_premium_distribution_never_includes_the_supplier(season_2020):
    admin, season = season_2020["admin"], season_2020["season"]
    assert all(member_id is not None for member_id, _grams in fairtrade_grams_by_member(season))
    line = draft_budget_line(
        season=season,
        purpose="Reparto",
        category=PremiumCategory.CASH_TO_MEMBERS,
        amount="1000",
        **activity(),
        user=admin,
    )
    authorize_budget_lines(lines=[line], decision="Acuerdo 5", decided_on=date(2020, 3, 15), user=admin)
    line.refresh_from_db()
    spending = register_distribution(
        line=line,
        season=season,
        amount="1000",
        document="PL-1",
        document_date=date(2020, 8, 1),
        description="Reparto",
        user=admin,
    )
    shares = list(spending.shares.all())
    assert {s.member.code for s in shares} == {"S-00010", "S-00003"}
    assert sum(s.amount_minor for s in shares) == 100_000
    assert owed_to_supplier(season_2020["supplier"]) == 1_900_000
    assert verify_ledger().ok


# --- Pages ----------------------------------------------------------------------------------


def purchase_post(coop, **overrides):
    data = {
        "centre": str(coop["centre"].pk),
        "date": DAY.strftime("%d/%m/%Y"),
        "supplier": "",
        "new_document": RUC,
        "new_name": "Asociación Cacao Huallaga",
        "new_origin": "Valle del Huallaga",
        "origin": "",
        "form": CocoaForm.WET,
        "grade": Grade.UNGRADED,
        "gross_kg": "150",
        "tare_kg": "2",
        "moisture_pct": "50",
        "price_per_kg": "",
        "token": str(uuid.uuid4()),
        "replaces": "",
    }
    data.update(overrides)
    return data


def test_the_clerk_registers_a_new_supplier_and_buys_from_the_same_page(coop, make_user, client):
    clerk = make_user("acopiador")
    client.force_login(clerk)
    page = client.get(reverse("acopio:delivery_new")).content.decode()
    assert reverse("acopio:purchase_new") in page and "No socio" in page

    before = written()
    refused = client.post(reverse("acopio:purchase_new"), purchase_post(coop, new_document="20131312956"))
    assert refused.status_code == 400
    assert "El RUC 20131312956 no es válido (dígito verificador)." in refused.content.decode()
    assert written() == before

    data = purchase_post(coop)
    response = client.post(reverse("acopio:purchase_new"), data)
    bought = Delivery.objects.get(supplier__document=RUC)
    assert response.status_code == 302 and response["Location"] == bought.get_absolute_url()
    assert bought.receipt_code == "C01-000001" and bought.origin == "Valle del Huallaga"
    assert bought.price_per_kg == D("3.10")  # the list's conventional wet price
    assert client.post(reverse("acopio:purchase_new"), data).status_code == 302  # resent: one purchase
    assert Delivery.objects.count() == 1

    # The next one finds the supplier by its RUC.
    client.post(
        reverse("acopio:purchase_new"),
        purchase_post(coop, supplier=RUC, new_document="", new_name="", new_origin=""),
    )
    assert Supplier.objects.get().purchases.count() == 2
    assert client.get(reverse("acopio:supplier_list")).status_code == 403


def test_the_administrator_lists_registers_and_pays_suppliers(coop, admin_user_minka, client):
    client.force_login(admin_user_minka)
    response = client.post(reverse("acopio:supplier_new"), {"document": "1234567", "name": "Wilder"})
    assert (
        response.status_code == 400 and "DNI o RUC: escriba el DNI (8 dígitos)" in response.content.decode()
    )
    assert not Supplier.objects.exists()
    response = client.post(
        reverse("acopio:supplier_new"), {"document": DNI, "name": "Wilder Pezo", "origin": "Alto Shamboyacu"}
    )
    assert response.status_code == 302
    wilder = Supplier.objects.get()
    buy(coop, admin_user_minka, wilder)
    listing = client.get(reverse("acopio:supplier_list")).content.decode()
    assert "Wilder Pezo" in listing and "S/ 1,900.00" in listing
    detail_url = reverse("acopio:supplier_detail", args=[DNI])
    response = client.post(
        detail_url,
        {"date": DAY.strftime("%d/%m/%Y"), "amount": "2,000.00", "method": "cash", "document": "R-1"},
    )
    assert response.status_code == 400 and "se deben S/ 1,900.00" in response.content.decode()
    response = client.post(
        detail_url,
        {"date": DAY.strftime("%d/%m/%Y"), "amount": "1,900.00", "method": "cash", "document": "R-1"},
    )
    assert response.status_code == 302 and owed_to_supplier(wilder) == 0
    listing = client.get(reverse("acopio:delivery_list") + "?no_socios=1").content.decode()
    assert "C01-000001" in listing and "(no socio)" in listing


def test_a_voided_purchase_is_reissued_from_the_purchase_page(coop, admin_user_minka, client):
    wilder = supplier(admin_user_minka)
    bought = buy(coop, admin_user_minka, wilder, price_per_kg="4.00")
    client.force_login(admin_user_minka)
    url = reverse("acopio:delivery_void", args=[bought.receipt_code])
    response = client.post(url, {"reason": "Tara no descontada", "reissue": "1", "confirm": "1"})
    assert response["Location"] == f"{reverse('acopio:purchase_new')}?reemplaza={bought.receipt_code}"
    page = client.get(response["Location"]).content.decode()
    assert f'value="{DNI}"' in page and 'value="4.00"' in page and bought.receipt_code in page
    response = client.post(
        reverse("acopio:purchase_new"),
        purchase_post(
            coop,
            supplier=DNI,
            new_document="",
            new_name="",
            new_origin="",
            form=CocoaForm.DRY,
            grade=Grade.GRADE_1,
            gross_kg="199",
            tare_kg="1",
            moisture_pct="7",
            price_per_kg="4.00",
            replaces=bought.receipt_code,
        ),
    )
    reissued = Delivery.objects.get(replaces=bought)
    assert response["Location"] == reissued.get_absolute_url()
    assert reissued.receipt_code == "C01-000002" and reissued.supplier == wilder
    assert owed_to_supplier(wilder) == 79_200  # 198 kg × S/ 4.00; the void's entry was reversed
    assert verify_ledger().ok


def test_a_supplier_name_with_a_hidden_character_is_refused(coop, admin_user_minka):
    before = written()
    with pytest.raises(ValidationError) as refused:
        supplier(admin_user_minka, name="Wilder\u200b Pezo")
    assert "name" in refused.value.message_dict
    assert written() == before
