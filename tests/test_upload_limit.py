"""No upload is read past MINKA_UPLOAD_MAX_MB: the import pages and the public verification page
refuse a larger file in Spanish, with its size, and keep nothing of it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.documents import issue
from certification.statements import statement_draft
from coop.models import Member
from tests.acopio.factories import DAY
from toolkit.uploads import upload_dir

pytestmark = pytest.mark.django_db

BIG = b"Nombre;DNI\n" + b"x" * (2 * 1024 * 1024)  # 2 MB


def stashed():
    return sorted(upload_dir().glob("*")) if upload_dir().exists() else []


@pytest.mark.parametrize(
    ("url", "name"), [("coop:register_import", "padron.csv"), ("acopio:delivery_import", "balanza.csv")]
)
def test_an_import_page_refuses_a_file_over_the_limit_with_its_size(role_clients, settings, url, name):
    settings.MINKA_UPLOAD_MAX_MB = 1
    before = stashed()
    response = role_clients["administrador"].post(reverse(url), {"file": SimpleUploadedFile(name, BIG)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "El archivo pesa 2.0 MB; Minka acepta archivos de hasta 1 MB." in page
    assert stashed() == before  # nothing kept
    assert not Member.objects.exists()


def test_a_file_under_the_limit_is_still_checked(role_clients, settings):
    settings.MINKA_UPLOAD_MAX_MB = 1
    response = role_clients["administrador"].post(
        reverse("coop:register_import"),
        {"file": SimpleUploadedFile("padron.csv", b"Nombre;DNI\nRosa Tapullima;40112233\n")},
    )
    assert "El archivo no tiene errores" in response.content.decode()


def test_the_public_verification_page_refuses_a_big_upload_before_reading_it(client, settings, coop, deliver):
    settings.MINKA_UPLOAD_MAX_MB = 1
    deliver(date=DAY)
    document, _pdf = issue(statement_draft(member=coop["maria"], season=coop["seasons"]["2026"]))
    url = reverse("document_verify", args=[document.verification_key])
    response = client.post(
        url, {"archivo": SimpleUploadedFile("estado.pdf", b"%PDF" + b"0" * (3 * 1024 * 1024))}
    )
    page = response.content.decode()
    assert "El archivo pesa 3.0 MB; Minka acepta archivos de hasta 1 MB." in page
    assert "idéntico" not in page and "NO coincide" not in page
