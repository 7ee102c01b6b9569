"""The administrator imports a scale file from the web: check first, confirm once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acopio.models import Delivery
from tests.acopio.test_import_deliveries import GOOD

pytestmark = pytest.mark.django_db
URL = reverse("acopio:delivery_import")


def upload(text: str, name: str = "balanza.csv"):
    return {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}


def test_check_then_confirm_then_a_second_confirm_is_refused(coop, role_clients):
    admin = role_clients["administrador"]
    checked = admin.post(URL, upload(GOOD))
    html = checked.content.decode()
    assert "El archivo no tiene errores." in html and "Todavía no se ha guardado nada." in html
    assert Delivery.objects.count() == 0
    token = checked.context["token"]
    done = admin.post(URL, {"token": token})
    assert "Importación realizada." in done.content.decode()
    assert Delivery.objects.count() == 3
    again = admin.post(URL, {"token": token}, follow=True)
    assert "ya se realizó o expiró" in again.content.decode()
    assert Delivery.objects.count() == 3


def test_a_bad_file_lists_its_rows_and_offers_no_confirmation(coop, role_clients):
    bad = GOOD.replace("BAL-0002;C01", "BAL-0002;C77")
    response = role_clients["administrador"].post(URL, upload(bad))
    html = response.content.decode()
    assert "El archivo tiene 1 error. No se guardó nada." in html and "C77" in html
    assert response.context["token"] is None and 'name="token"' not in html
    assert Delivery.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_by_the_form(coop, role_clients):
    response = role_clients["administrador"].post(URL, upload("hola", name="entregas.pdf"))
    assert "xlsx" in response.content.decode() and Delivery.objects.count() == 0
