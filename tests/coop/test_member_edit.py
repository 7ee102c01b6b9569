"""The member edit page: the administration corrects a member and their plots on Minka's own page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from coop.models import Member, Plot
from toolkit.roles import ADMINISTRATOR, ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria():
    member = Member.objects.create(
        code="CHZ-00012",
        dni="41234567",
        name="María Luz Tuanama Sangama",
        sex="F",
        community="Tununtunumba",
        district="Chazuta",
        phone="942 111 222",
    )
    Plot.objects.create(
        member=member,
        code="CHZ-00012-P1",
        community="Tununtunumba",
        total_area_ha=Decimal("5"),
        cocoa_installed_ha=Decimal("3"),
        cocoa_producing_ha=Decimal("2.5"),
        fairtrade_certified=True,
    )
    Plot.objects.create(member=member, code="CHZ-00012-P2", total_area_ha=Decimal("1.5"))
    return member


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(ADMINISTRATOR, username="gerente", first_name="Rosa", last_name="Ríos"))
    return client


def edit_url(member):
    return reverse("coop:member_edit", args=[member.code])


def posted(member, **changes):
    """What the page sends back when nothing is touched, with ``changes`` typed over it."""
    data = {
        "name": member.name,
        "dni": member.dni,
        "sex": member.sex,
        "birth_date": "",
        "join_date": "",
        "phone": member.phone,
        "address": member.address,
        "community": member.community,
        "district": member.district,
        "province": member.province,
        "department": member.department,
        "parcelas-TOTAL_FORMS": "2",
        "parcelas-INITIAL_FORMS": "2",
        "parcelas-MIN_NUM_FORMS": "0",
        "parcelas-MAX_NUM_FORMS": "1000",
    }
    for i, plot in enumerate(member.plots.order_by("code")):
        data |= {
            f"parcelas-{i}-id": str(plot.pk),
            f"parcelas-{i}-name": plot.name,
            f"parcelas-{i}-community": plot.community,
            f"parcelas-{i}-total_area_ha": "" if plot.total_area_ha is None else str(plot.total_area_ha),
            f"parcelas-{i}-cocoa_installed_ha": ""
            if plot.cocoa_installed_ha is None
            else str(plot.cocoa_installed_ha),
            f"parcelas-{i}-cocoa_producing_ha": ""
            if plot.cocoa_producing_ha is None
            else str(plot.cocoa_producing_ha),
            f"parcelas-{i}-cocoa_grafted_ha": "",
            f"parcelas-{i}-has_title": "unknown",
            f"parcelas-{i}-organic_stage": plot.organic_stage,
        }
        if plot.fairtrade_certified:
            data[f"parcelas-{i}-fairtrade_certified"] = "on"
    return data | changes


def snapshot():
    return (
        list(Member.objects.values().order_by("pk")),
        list(Plot.objects.values().order_by("pk")),
        Member.history.count(),
        Plot.history.count(),
    )


def test_the_page_shows_the_member_in_spanish_with_the_code_read_only(admin_client, maria):
    response = admin_client.get(edit_url(maria))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Editar a María Luz Tuanama Sangama" in page
    assert "CHZ-00012" in page and 'name="code"' not in page
    assert '<label for="id_phone">Teléfono</label>' in page
    assert "Parcela CHZ-00012-P1" in page and "Parcela CHZ-00012-P2" in page
    assert 'value="5"' in page  # the area as the parser reads it back
    assert 'name="status"' not in page  # the status changes on the member page, with its date


def test_the_member_page_links_to_the_edit_page_for_the_administration_only(client, maria, make_user):
    admin = make_user(ADMINISTRATOR, username="gerente")
    client.force_login(admin)
    assert edit_url(maria) in client.get(maria.get_absolute_url()).content.decode()
    client.force_login(make_user("acopiador", username="acopiador"))
    assert edit_url(maria) not in client.get(maria.get_absolute_url()).content.decode()


def test_the_administrator_corrects_name_phone_and_a_plot_and_the_history_says_who(admin_client, maria):
    before_member, before_plots = maria.history.count(), Plot.history.filter(member_id=maria.pk).count()
    data = posted(
        maria,
        name="María Luz Tuanama Sangama de Ríos",
        phone="965 333 444",
        code="XYZ-99999",  # not a field of the page: ignored
        **{
            "parcelas-0-total_area_ha": "6,5",
            "parcelas-0-cocoa_producing_ha": "3.25",
            "parcelas-0-has_title": "true",
        },
    )
    response = admin_client.post(edit_url(maria), data, follow=True)
    assert response.redirect_chain[-1][0] == maria.get_absolute_url()
    assert "Datos de María Luz Tuanama Sangama de Ríos guardados" in response.content.decode()
    maria.refresh_from_db()
    assert maria.code == "CHZ-00012"
    assert (maria.name, maria.phone) == ("María Luz Tuanama Sangama de Ríos", "965 333 444")
    first, second = maria.plots.order_by("code")
    assert (first.total_area_ha, first.cocoa_producing_ha, first.has_title) == (
        Decimal("6.5"),
        Decimal("3.25"),
        True,
    )
    assert first.fairtrade_certified  # a field not touched keeps its value
    # One history row for the member and one for the changed plot, with who did it; none for the other.
    assert maria.history.count() == before_member + 1
    latest = maria.history.first()
    assert latest.history_user.username == "gerente"
    assert latest.history_change_reason == "Edición en la página del socio"
    assert Plot.history.filter(member_id=maria.pk).count() == before_plots + 1
    assert first.history.first().history_user.username == "gerente"
    # The member page shows the change in its history.
    page = response.content.decode()
    assert "Rosa Ríos" in page and "965 333 444" in page and "942 111 222" in page


def test_sending_the_page_unchanged_writes_no_history(admin_client, maria):
    before = snapshot()
    response = admin_client.post(edit_url(maria), posted(maria), follow=True)
    assert "No había nada que cambiar." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"name": "   "}, "id_name", "Este campo es obligatorio"),
        ({"dni": "4123456"}, "id_dni", "El DNI debe tener exactamente 8 dígitos."),
        ({"birth_date": "31/02/1980"}, "id_birth_date", "fecha válida"),
        ({"parcelas-0-total_area_ha": "2,500"}, "id_parcelas-0-total_area_ha", "¿2500 o 2.5?"),
        ({"parcelas-1-total_area_ha": "-1"}, "id_parcelas-1-total_area_ha", "no puede ser negativo"),
        (
            {"parcelas-0-cocoa_installed_ha": "9"},
            "id_parcelas-0-cocoa_installed_ha",
            "El cacao instalado no puede ser mayor que el área del predio.",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(admin_client, maria, changes, field_id, message):
    before = snapshot()
    data = posted(maria, phone="999 000 111", **{"parcelas-1-name": "La Loma"}) | changes
    response = admin_client.post(edit_url(maria), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "No se guardó nada." in page
    # The message sits under its field, and the box points at it.
    assert f'id="{field_id}_error"' in page
    error_at = page.index(f'id="{field_id}_error"')
    assert message in page[error_at : error_at + 300]
    assert f'aria-describedby="{field_id}_error"' in page
    assert snapshot() == before  # the good changes beside it were not saved either


def test_a_dni_of_another_member_is_refused(admin_client, maria):
    Member.objects.create(code="CHZ-00013", dni="42345678", name="Rosa Ríos Isuiza")
    before = snapshot()
    response = admin_client.post(edit_url(maria), posted(maria, dni="42345678"))
    page = response.content.decode()
    assert 'id="id_dni_error"' in page and "DNI" in page[page.index('id="id_dni_error"') :][:300]
    assert snapshot() == before


@pytest.mark.parametrize("role", sorted(ALL_ROLES - {ADMINISTRATOR}))
def test_other_roles_cannot_open_or_send_the_page(client, maria, make_user, role):
    client.force_login(make_user(role, username=f"u_{role}"))
    before = snapshot()
    assert client.get(edit_url(maria)).status_code == 403
    assert client.post(edit_url(maria), posted(maria, phone="000")).status_code == 403
    assert snapshot() == before


def test_a_plot_of_another_member_cannot_be_edited_through_the_page(admin_client, maria):
    other = Member.objects.create(code="CHZ-00013", dni="42345678", name="Rosa Ríos Isuiza")
    stranger = Plot.objects.create(member=other, code="CHZ-00013-P1", total_area_ha=Decimal("2"))
    before = snapshot()
    response = admin_client.post(
        edit_url(maria), posted(maria, **{"parcelas-1-id": str(stranger.pk), "parcelas-1-total_area_ha": "9"})
    )
    assert response.status_code == 200
    assert "No se guardó nada." in response.content.decode()
    assert snapshot() == before
