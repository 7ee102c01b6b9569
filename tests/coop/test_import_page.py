"""The import page: check first, save only on confirmation, never twice."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coop.models import Member, Plot

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
pytestmark = pytest.mark.django_db
URL = reverse("coop:register_import")


def upload(client, name):
    data = (SAMPLES / name).read_bytes()
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def test_check_then_confirm_imports_once(role_clients):
    client = role_clients["administrador"]
    checked = upload(client, "padron_chazuta.xlsx")
    assert checked.status_code == 200
    assert "El archivo no tiene errores" in checked.content.decode()
    assert not Member.objects.exists()  # the check saves nothing
    token = checked.context["token"]
    done = client.post(URL, {"token": token})
    assert "Importación realizada" in done.content.decode()
    assert (Member.objects.count(), Plot.objects.count()) == (3, 4)
    # a second click on «Confirmar» (or a resent form) does not import again
    again = client.post(URL, {"token": token}, follow=True)
    assert "ya se realizó o expiró" in again.content.decode()
    assert (Member.objects.count(), Plot.objects.count()) == (3, 4)


def test_bad_file_lists_every_row_and_offers_no_confirmation(role_clients):
    response = upload(role_clients["administrador"], "padron_con_errores.csv")
    page = response.content.decode()
    assert "El archivo tiene 9 errores. No se guardó nada." in page
    assert "auto-intersección" in page and "8 dígitos" in page
    assert response.context["token"] is None and 'name="token"' not in page
    assert not Member.objects.exists()


def test_wrong_extension_is_refused_on_the_form(role_clients):
    response = role_clients["administrador"].post(
        URL, {"file": SimpleUploadedFile("padron.pdf", b"%PDF-1.7")}
    )
    assert "Suba un archivo .xlsx o .csv" in response.content.decode()


@pytest.mark.parametrize(
    "role", ["acopiador", "consejo_administracion", "consejo_vigilancia", "certificador"]
)
def test_only_administrators_import(role_clients, role):
    response = upload(role_clients[role], "padron_chazuta.xlsx")
    assert response.status_code == 403
    assert not Member.objects.exists()
