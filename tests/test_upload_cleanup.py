"""An uploaded import file is kept only between «check» and «confirm»: it is deleted when the import is
confirmed or refused, never kept when the check refuses it, and swept after MINKA_UPLOAD_MAX_AGE_HOURS
if nobody confirms it (at the next upload, and by ``manage.py purge_uploads``)."""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from acopio.models import Delivery
from coop.models import Member
from tests.acopio.test_import_deliveries import GOOD
from toolkit.uploads import upload_dir

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
REGISTER = reverse("coop:register_import")
DELIVERIES = reverse("acopio:delivery_import")
DAY = 24 * 3600


def stashed() -> list[str]:
    return sorted(p.name for p in upload_dir().iterdir()) if upload_dir().exists() else []


def check(client, url, name, data: bytes):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def register_file() -> bytes:
    return (SAMPLES / "padron_chazuta.xlsx").read_bytes()


def aged(name: str, seconds: float) -> Path:
    """A file in the upload folder last written ``seconds`` ago."""
    upload_dir().mkdir(parents=True, exist_ok=True)
    path = upload_dir() / name
    path.write_bytes(b"Nombre;DNI\n")
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_a_checked_register_file_waits_and_is_deleted_once_confirmed(role_clients):
    admin = role_clients["administrador"]
    checked = check(admin, REGISTER, "padron.xlsx", register_file())
    assert "El archivo no tiene errores" in checked.content.decode()
    assert len(stashed()) == 1 and stashed()[0].endswith(".xlsx")
    done = admin.post(REGISTER, {"token": checked.context["token"]})
    assert "Importación realizada" in done.content.decode()
    assert Member.objects.count() == 3
    assert stashed() == []


def test_a_checked_delivery_file_is_deleted_once_confirmed(coop, role_clients):
    admin = role_clients["administrador"]
    checked = check(admin, DELIVERIES, "balanza.csv", GOOD.encode())
    assert len(stashed()) == 1
    admin.post(DELIVERIES, {"token": checked.context["token"]})
    assert Delivery.objects.count() == 3
    assert stashed() == []


@pytest.mark.parametrize(
    ("url", "name", "data"),
    [
        (REGISTER, "padron.csv", b"Nombre;DNI\nRosa Tapullima;4011\n"),
        (DELIVERIES, "balanza.csv", GOOD.replace("BAL-0002;C01", "BAL-0002;C77").encode()),
    ],
)
def test_a_file_the_check_refuses_is_never_kept(coop, role_clients, url, name, data):
    response = check(role_clients["administrador"], url, name, data)
    assert "No se guardó nada" in response.content.decode()
    assert response.context["token"] is None
    assert stashed() == []


def test_a_delivery_file_with_nothing_new_is_not_kept(coop, role_clients):
    admin = role_clients["administrador"]
    first = check(admin, DELIVERIES, "balanza.csv", GOOD.encode())
    admin.post(DELIVERIES, {"token": first.context["token"]})
    again = check(admin, DELIVERIES, "balanza.csv", GOOD.encode())
    assert again.context["token"] is None  # nothing to confirm: the three are already imported
    assert stashed() == []


def test_a_file_refused_at_confirm_is_deleted_and_nothing_is_written(coop, role_clients):
    admin = role_clients["administrador"]
    checked = check(admin, DELIVERIES, "balanza.csv", GOOD.encode())
    # Between «check» and «confirm» the file on disk changes (as if what it names had changed).
    (upload_dir() / stashed()[0]).write_bytes(GOOD.replace("BAL-0002;C01", "BAL-0002;C77").encode())
    refused = admin.post(DELIVERIES, {"token": checked.context["token"]})
    assert "C77" in refused.content.decode()
    assert Delivery.objects.count() == 0
    assert stashed() == []


def test_an_upload_sweeps_stashed_files_older_than_a_day_and_nothing_else(role_clients):
    old = aged("0123456789abcdef0123456789abcdef.csv", DAY + 60)
    old_part = aged(".fedcba9876543210fedcba9876543210.xlsx.0a1b2c3d.part", 2 * DAY)
    young = aged("00000000000000000000000000000001.xlsx", DAY - 600)
    not_ours = aged("notas.txt", 30 * DAY)
    check(role_clients["administrador"], REGISTER, "padron.xlsx", register_file())
    assert not old.exists() and not old_part.exists()
    assert young.exists() and not_ours.exists()
    assert len(stashed()) == 3  # the young one, notas.txt and the file just checked


def test_confirming_an_upload_swept_after_a_day_says_it_expired(role_clients, settings):
    admin = role_clients["administrador"]
    checked = check(admin, REGISTER, "padron.xlsx", register_file())
    path = upload_dir() / stashed()[0]
    then = time.time() - DAY - 60
    os.utime(path, (then, then))
    call_command("purge_uploads", stdout=io.StringIO())
    assert not path.exists()
    again = admin.post(REGISTER, {"token": checked.context["token"]}, follow=True)
    assert "ya se realizó o expiró" in again.content.decode()
    assert not Member.objects.exists()


def test_purge_uploads_deletes_what_is_older_than_the_setting_and_says_how_many(settings):
    settings.MINKA_UPLOAD_MAX_AGE_HOURS = 2
    aged("0123456789abcdef0123456789abcdef.csv", 3 * 3600)
    aged("0123456789abcdef0123456789abcde0.xlsx", 4 * 3600)
    young = aged("0123456789abcdef0123456789abcde1.csv", 3600)
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert "2 archivos de importación de hace más de 2 horas borrados" in out.getvalue()
    assert stashed() == [young.name]
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert out.getvalue().startswith("0 archivos")


def test_purge_uploads_with_no_upload_folder_deletes_nothing():
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert out.getvalue().startswith("0 archivos") and not upload_dir().exists()
