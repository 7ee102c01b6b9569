"""Member codes follow one pattern and stay put once a paper names them; names and codes hold no
character nobody can see — in the register import, the delivery import and the admin."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from acopio.models import Delivery
from acopio.services import import_deliveries
from coop.code_series import DEFAULT_PREFIX
from coop.demo import DEMO_PREFIX
from coop.models import Member, Plot, member_code_validator
from coop.services import import_register

pytestmark = pytest.mark.django_db

HEADER = ["Código de socio", "Nombre", "DNI", "Cacao instalado (ha)", "Área del predio (ha)"]


def register_csv(*rows):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def run(source):
    return import_register(source=source, filename="padron.csv", dry_run=False, user=None)


def counts():
    return Member.objects.count(), Plot.objects.count(), Member.history.count()


@pytest.mark.parametrize(
    "code", [f"{DEMO_PREFIX}00001", f"{DEFAULT_PREFIX}00042", "S-00001", "A" * 20, "ab12"]
)
def test_the_codes_minka_makes_and_plain_codes_are_valid(code):
    member_code_validator(code)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("CHZ/00001", "a slash breaks the member's address"),
        ("A" * 21, "longer than the column (PostgreSQL refused it with a traceback)"),
        ("CHZ 00001", "a space"),
        ("CHZ-0000ñ", "a letter with a tilde"),
        ("CHZ-00001?x=1", "URL characters"),
        ("../admin", "a path"),
    ],
)
def test_the_import_refuses_a_bad_member_code_naming_row_and_column(code, why):
    before = counts()
    report = run(
        register_csv(
            ["CHZ-00007", "Rosa Tapullima", "40112233", "1", "2"], [code, "Juan Pérez", "40112234", "1", "2"]
        )
    )
    assert not report.ok, why
    assert [(p.row, p.column) for p in report.errors] == [(3, "Código de socio")]
    assert "solo letras sin tilde, números y guiones" in str(report.errors[0])
    assert counts() == before


def test_a_good_code_imports_and_the_member_page_answers(client, admin_user_minka):
    report = run(register_csv(["CHZ-00007", "Rosa Tapullima", "40112233", "1", "2"]))
    assert report.ok, report.errors
    client.force_login(admin_user_minka)
    assert client.get(Member.objects.get().get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Rosa\u200bTapullima", "U+200B"),  # zero-width space
        ("Rosa \u202eamillupaT", "U+202E"),  # right-to-left override
        ("Rosa\x00Tapullima", "U+0000"),  # NUL: PostgreSQL refuses it with a traceback
        ("Rosa\x07Tapullima", "U+0007"),
        ("\ufeffRosa", "U+FEFF"),
    ],
)
def test_the_register_import_refuses_characters_nobody_sees(name, shown):
    before = counts()
    report = run(register_csv(["CHZ-00007", name, "40112233", "1", "2"]))
    assert [(p.row, p.column) for p in report.errors] == [(2, "Nombre")]
    assert shown in str(report.errors[0]) and "carácter invisible" in str(report.errors[0])
    assert counts() == before


def test_the_delivery_import_refuses_hidden_characters_naming_row_and_column(coop):
    source = (
        "Referencia externa;Centro;Fecha;Código de socio;Forma;Grado;Peso bruto (kg);Tara (kg);Humedad (%)\n"
        "BAL-1;C01;10/03/2026;S-00001;seco;I;100;1;7\n"
        "BAL-2\x00;C01;10/03/2026;S-0000\u200b2;seco;I;100;1;7\n"
    ).encode()
    report = import_deliveries(source=source, filename="balanza.csv", user=None)
    assert [(p.row, p.column) for p in report.errors] == [(3, "Referencia externa"), (3, "Código de socio")]
    assert Delivery.objects.count() == 0


def test_the_admin_form_refuses_a_bad_code_and_hidden_characters(client, admin_user_minka, coop):
    client.force_login(admin_user_minka)
    member = coop["rosa"]
    data = {
        "code": "S/3",
        "dni": member.dni,
        "name": "Rosa\u202eRíos",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "plots-TOTAL_FORMS": "0",
        "plots-INITIAL_FORMS": "0",
    }
    from django.urls import reverse

    response = client.post(reverse("admin:coop_member_change", args=[member.pk]), data)
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors
    assert "solo letras sin tilde" in errors["code"][0]
    assert "U+202E" in errors["name"][0]
    member.refresh_from_db()
    assert (member.code, member.name) == ("S-00003", "Rosa Ríos Isuiza")


def test_a_code_named_by_a_receipt_cannot_change(deliver, coop):
    deliver(member=coop["maria"])
    maria = Member.objects.get(pk=coop["maria"].pk)
    maria.code = "S-99999"
    with pytest.raises(ValidationError) as refused:
        maria.full_clean()
    assert "S-00001 ya figura en recibos" in refused.value.message_dict["code"][0]
    with pytest.raises(ValidationError):
        maria.save()
    assert Member.objects.get(pk=maria.pk).code == "S-00001"


def test_a_code_nothing_names_yet_may_still_be_corrected(coop):
    rosa = Member.objects.get(pk=coop["rosa"].pk)
    rosa.code = "S-00033"
    rosa.full_clean()
    rosa.save()
    assert Member.objects.get(pk=rosa.pk).code == "S-00033"
