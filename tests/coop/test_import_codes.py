"""Importing a register continues the cooperative's own member code series, and the result page says
who is new, who changed and how many rows were already as the file says."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coop.code_series import member_code_series
from coop.models import Member, Plot
from coop.services import import_register

pytestmark = pytest.mark.django_db
URL = reverse("coop:register_import")
HEADER = "Comunidad,Nombre,DNI,Sexo,Área del predio (ha),Cacao en producción (ha)\n"


@pytest.fixture
def register():
    """The cooperative's series up to CHZ-00360, and one member left from an older numbering."""
    for number, dni in ((1, "40000001"), (359, "40000359"), (360, "40000360")):
        member = Member.objects.create(
            code=f"CHZ-{number:05d}", dni=dni, name=f"Socio {number}", community="Canayo"
        )
        Plot.objects.create(
            member=member, code=f"CHZ-{number:05d}-P1", community="Canayo", total_area_ha=Decimal("2")
        )
    Member.objects.create(code="ANT-9000", dni="40009000", name="Socio de la numeración antigua")


def run(csv: str, user, *, dry_run=False):
    return import_register(source=csv.encode(), filename="padron.csv", dry_run=dry_run, user=user)


def test_new_members_continue_the_series_after_its_last_code(register, admin_user_minka):
    csv = (
        HEADER + "Canayo,Luz Pinedo Amasifuen,47001122,F,1.2,1\nCanayo,Pedro Tuanama Sangama,47001133,M,3,2\n"
    )
    report = run(csv, admin_user_minka)
    assert report.ok, report.errors
    assert Member.objects.get(dni="47001122").code == "CHZ-00361"
    assert Member.objects.get(dni="47001133").code == "CHZ-00362"
    assert Plot.objects.get(member__dni="47001122").code == "CHZ-00361-P1"
    assert not Member.objects.filter(code__startswith="SOC-").exists()  # never a second prefix


def test_a_code_the_file_gives_is_never_given_again_to_a_member_without_one(register, admin_user_minka):
    csv = (
        "Código de socio,"
        + HEADER
        + ",Canayo,Luz Pinedo Amasifuen,47001122,F,1.2,1\n"
        + "CHZ-00361,Canayo,Pedro Tuanama Sangama,47001133,M,3,2\n"
    )
    report = run(csv, admin_user_minka)
    assert report.ok, report.errors
    assert Member.objects.get(dni="47001133").code == "CHZ-00361"
    assert Member.objects.get(dni="47001122").code == "CHZ-00362"


def test_an_empty_register_starts_a_series_and_the_next_import_continues_it(db, admin_user_minka):
    assert run(HEADER + "Canayo,Luz Pinedo Amasifuen,47001122,F,1.2,1\n", admin_user_minka).ok
    first = Member.objects.get().code
    assert first == "SOC-00001"
    assert run(HEADER + "Canayo,Pedro Tuanama Sangama,47001133,M,3,2\n", admin_user_minka).ok
    assert Member.objects.get(dni="47001133").code == "SOC-00002"


@pytest.mark.parametrize(
    ("codes", "series"),
    [
        (["CHZ-00001", "CHZ-00360", "ANT-9000"], ("CHZ-", 5, 360)),
        (["CHZ-1", "CHZ-2", "P-7"], ("CHZ-", 1, 2)),
        (["C001", "C002", "C010"], ("C", 3, 10)),
        (["sin número"], ("SOC-", 5, 0)),
        ([], ("SOC-", 5, 0)),
    ],
)
def test_the_series_is_the_prefix_most_codes_share(codes, series):
    assert member_code_series(codes) == series


def test_the_result_page_lists_new_and_changed_members_with_links_and_counts_unchanged_rows(
    register, role_clients
):
    client = role_clients["administrador"]
    csv = HEADER + (
        "Canayo,Socio 1,40000001,,2,\n"  # as the register has it: unchanged
        "Canayo,Socio 359,40000359,,2,\n"  # unchanged
        "Canayo,Socio 359,40000359,,4,\n"  # a second plot for CHZ-00359: a change
        "Canayo,Socio 360,40000360,,2.5,\n"  # the plot's area changes
        "Canayo,Luz Pinedo Amasifuen,47001122,F,1.2,1\n"  # new
    )
    checked = client.post(URL, {"file": SimpleUploadedFile("padron.csv", csv.encode())})
    page = checked.content.decode()
    assert "Socios que se darán de alta" in page and "CHZ-00361" in page
    assert 'href="/padron/socios/CHZ-00361/"' not in page  # not saved yet: nothing to open
    assert "2 filas sin cambios" in page  # CHZ-00001 and the first plot of CHZ-00359
    done = client.post(URL, {"token": checked.context["token"]}).content.decode()
    assert "Socios nuevos" in done
    assert '<a href="/padron/socios/CHZ-00361/" class="nowrap">CHZ-00361</a> · Luz Pinedo Amasifuen' in done
    assert "Socios con cambios en sus datos o sus parcelas" in done
    assert '<a href="/padron/socios/CHZ-00360/" class="nowrap">CHZ-00360</a> · Socio 360' in done
    assert '<a href="/padron/socios/CHZ-00359/" class="nowrap">CHZ-00359</a> · Socio 359' in done
    assert "/padron/socios/CHZ-00001/" not in done
    assert "2 filas sin cambios: el padrón ya tenía esos datos." in done
    assert Plot.objects.get(code="CHZ-00360-P1").total_area_ha == Decimal("2.5")


def test_importing_the_same_file_again_reports_every_row_unchanged(register, role_clients):
    client = role_clients["administrador"]
    csv = HEADER + "Canayo,Luz Pinedo Amasifuen,47001122,F,1.2,1\n"
    for _time in range(2):
        checked = client.post(URL, {"file": SimpleUploadedFile("padron.csv", csv.encode())})
        done = client.post(URL, {"token": checked.context["token"]}).content.decode()
    assert "1 fila sin cambios" in done
    assert "Socios nuevos" not in done and "Socios con cambios en sus datos o sus parcelas" not in done
    assert Member.objects.filter(dni="47001122").count() == 1
