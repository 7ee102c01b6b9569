"""The member list, the member page and status changes, as the administrator sees them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coop.models import Member, MemberStatus, OrganicStage, Plot
from coop.services import change_member_status

pytestmark = pytest.mark.django_db

POLYGON = (
    '{"type":"Polygon","coordinates":[[[-76.130000,-6.570000],[-76.132000,-6.570000],'
    "[-76.132500,-6.572000],[-76.130000,-6.572500],[-76.130000,-6.570000]]]}"
)


@pytest.fixture
def register():
    maria = Member.objects.create(
        code="S-00001",
        dni="41234567",
        name="María Luz Tuanama Sangama",
        sex="F",
        community="Tununtunumba",
        district="Chazuta",
    )
    segundo = Member.objects.create(
        code="S-00002",
        dni="01234567",
        name="Segundo Panaifo Amasifuen",
        sex="M",
        community="Curiyacu",
        district="Chazuta",
        status=MemberStatus.SUSPENDED,
    )
    rosa = Member.objects.create(
        code="S-00003",
        dni="42345678",
        name="Rosa Ríos Isuiza",
        sex="F",
        community="Curiyacu",
        district="Chazuta",
    )
    plot = Plot(
        member=maria,
        code="S-00001-P1",
        total_area_ha=Decimal("5"),
        cocoa_installed_ha=Decimal("3"),
        cocoa_producing_ha=Decimal("2.5"),
        fairtrade_certified=True,
        organic_stage=OrganicStage.ORGANIC,
        geometry=POLYGON,
    )
    plot.full_clean()
    plot.save()
    Plot.objects.create(
        member=segundo,
        code="S-00002-P1",
        total_area_ha=Decimal("1.2"),
        organic_stage=OrganicStage.TRANSITION_2,
    )
    Plot.objects.create(member=rosa, code="S-00003-P1", total_area_ha=Decimal("0.8"))
    return {"maria": maria, "segundo": segundo, "rosa": rosa}


def listed_codes(response) -> list[str]:
    return [row["member"].code for row in response.context["rows"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("tuanama", ["S-00001"]),
        ("MARIA", ["S-00001"]),  # accents and case ignored
        ("rios isuiza", ["S-00003"]),  # every word must match
        ("0123", ["S-00002"]),  # DNI with a leading zero
        ("s-00003", ["S-00003"]),
        ("nadie", []),
    ],
)
def test_search_by_name_dni_or_code(role_clients, register, query, expected):
    response = role_clients["acopiador"].get(reverse("coop:member_list"), {"q": query})
    assert response.status_code == 200
    assert listed_codes(response) == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "suspended"}, ["S-00002"]),
        ({"community": "Curiyacu"}, ["S-00002", "S-00003"]),
        ({"certification": "fairtrade"}, ["S-00001"]),
        ({"certification": "organic"}, ["S-00001"]),
        ({"certification": "transition"}, ["S-00002"]),
        ({"certification": "none"}, ["S-00003"]),
        ({"community": "Curiyacu", "status": "active"}, ["S-00003"]),
    ],
)
def test_filters(role_clients, register, params, expected):
    response = role_clients["certificador"].get(reverse("coop:member_list"), params)
    assert listed_codes(response) == expected


def test_list_shows_plots_area_and_certification(role_clients, register):
    response = role_clients["administrador"].get(reverse("coop:member_list"))
    html = response.content.decode()
    assert "María Luz Tuanama Sangama" in html
    row = next(r for r in response.context["rows"] if r["member"].code == "S-00001")
    assert row["plot_count"] == 1 and row["area"] == Decimal("5") and row["fairtrade"]
    assert "3 socios encontrados" in html


def test_list_paginates_at_fifty(role_clients):
    Member.objects.bulk_create(
        [
            Member(
                code=f"S-{i:05d}",
                dni=f"{40000000 + i}",
                name=f"Socio {i}",
                search_text=f"s-{i:05d} {40000000 + i} socio {i}",
            )
            for i in range(1, 121)
        ]
    )
    client = role_clients["administrador"]
    first = client.get(reverse("coop:member_list"))
    assert len(first.context["rows"]) == 50
    assert "Página 1 de 3" in first.content.decode()
    last = client.get(reverse("coop:member_list"), {"page": 3})
    assert listed_codes(last)[-1] == "S-00120"


def test_member_page_shows_plots_map_and_history(role_clients, register):
    response = role_clients["consejo_vigilancia"].get(reverse("coop:member_detail", args=["S-00001"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "S-00001-P1" in html and "41234567" in html
    assert "<polygon" in html  # the plot's shape is drawn
    assert "Registro creado" in html  # change history
    # Read-only roles see no editing controls.
    assert "Registrar cambio de estado" not in html
    assert "Editar datos del socio" not in html


def test_unknown_member_is_404(role_clients):
    response = role_clients["administrador"].get(reverse("coop:member_detail", args=["S-404"]))
    assert response.status_code == 404


def test_administrator_changes_status_and_history_names_them(role_clients, role_users, register):
    segundo = register["segundo"]
    change_member_status(
        member=segundo,
        status=MemberStatus.ACTIVE,
        effective_date=date(2010, 1, 1),
        user=role_users["administrador"],
    )
    url = reverse("coop:member_status_change", args=[segundo.code])
    response = role_clients["administrador"].post(
        url,
        {"status": "withdrawn", "effective_date": "2026-03-15", "note": "Renuncia voluntaria"},
        follow=True,
    )
    assert "cambiado a «Retirado» desde el 15/03/2026" in response.content.decode()
    segundo.refresh_from_db()
    assert segundo.status == MemberStatus.WITHDRAWN
    last = segundo.status_changes.last()
    assert last.recorded_by == role_users["administrador"]
    assert last.note == "Renuncia voluntaria"
    html = response.content.decode()
    assert "Renuncia voluntaria" in html and "u_administrador" in html


def test_status_change_dated_before_the_last_is_refused(role_users, register):
    maria = register["maria"]
    admin = role_users["administrador"]
    change_member_status(
        member=maria, status=MemberStatus.ACTIVE, effective_date=date(2020, 1, 1), user=admin
    )
    change_member_status(
        member=maria, status=MemberStatus.SUSPENDED, effective_date=date(2024, 6, 1), user=admin
    )
    with pytest.raises(ValidationError, match="anterior al último cambio"):
        change_member_status(
            member=maria, status=MemberStatus.ACTIVE, effective_date=date(2023, 1, 1), user=admin
        )
    with pytest.raises(ValidationError, match="La socia ya está suspendida"):
        change_member_status(
            member=maria, status=MemberStatus.SUSPENDED, effective_date=date(2025, 1, 1), user=admin
        )
    maria.refresh_from_db()
    assert maria.status == MemberStatus.SUSPENDED
    assert maria.status_changes.count() == 2


def test_refused_status_change_shows_message_and_changes_nothing(role_clients, register):
    url = reverse("coop:member_status_change", args=["S-00001"])
    response = role_clients["administrador"].post(
        url, {"status": "deceased", "effective_date": "2999-01-01"}, follow=True
    )
    assert "no puede estar en el futuro" in response.content.decode()
    assert Member.objects.get(code="S-00001").status == MemberStatus.ACTIVE


def test_admin_creates_member_with_first_status_step(role_clients):
    response = role_clients["administrador"].post(
        reverse("admin:coop_member_add"),
        {
            "code": "S-00050",
            "dni": "45678901",
            "name": "Juana Cenepo Tapullima",
            "sex": "F",
            "join_date": "2021-05-03",
            "community": "Chipaota",
            "plots-TOTAL_FORMS": "0",
            "plots-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member = Member.objects.get(code="S-00050")
    step = member.status_changes.get()
    assert (step.status, step.effective_date) == ("active", date(2021, 5, 3))


def test_admin_refuses_a_bad_dni_and_a_broken_polygon(role_clients, register):
    client = role_clients["administrador"]
    response = client.post(
        reverse("admin:coop_member_add"),
        {
            "code": "S-00051",
            "dni": "1234",
            "name": "X",
            "plots-TOTAL_FORMS": "0",
            "plots-INITIAL_FORMS": "0",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "8 dígitos" in response.content.decode()
    plot = Plot.objects.get(code="S-00003-P1")
    unclosed = (
        '{"type":"Polygon","coordinates":[[[-76.130000,-6.570000],[-76.132000,-6.570000],'
        "[-76.132500,-6.572000],[-76.130000,-6.572500]]]}"
    )
    response = client.post(
        reverse("admin:coop_plot_change", args=[plot.pk]),
        {
            "member": plot.member_id,
            "code": plot.code,
            "organic_stage": "none",
            "geometry": unclosed,
            "total_area_ha": "0.8",
        },
    )
    assert response.status_code == 200
    assert "no está cerrado" in response.content.decode()
    plot.refresh_from_db()
    assert plot.geometry == ""
