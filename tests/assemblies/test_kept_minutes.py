"""The minutes kept at closing: the code fixed once, the PDF rendered once in the background and served
from its file, never recomputed when a page opens, never served altered."""

import hashlib
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assemblies import kept as kept_module
from assemblies import minutes as minutes_module
from assemblies import views as views_module
from assemblies.kept import build_minutes, minutes_folder
from assemblies.minutes import hash_of, minutes_hash
from assemblies.models import KeptMinutes, Motion
from tests.assemblies.test_pages import held

pytestmark = pytest.mark.django_db

TASK = "assemblies.kept.build_minutes"


@pytest.fixture
def board(make_user):
    return make_user("consejo_administracion", username="presidenta")


@pytest.fixture
def board_client(client, board):
    client.force_login(board)
    return client


@pytest.fixture
def assembly(db, board):
    from tests.assemblies.factories import convene, make_members, make_rules

    make_rules()
    make_members(12)
    return convene(board)


@pytest.fixture
def closed(assembly, board, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return held(assembly, board)


def text_of(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def no_hashing(monkeypatch):
    """Make every way of recomputing the minutes' facts or code fail loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("the minutes were recomputed on view")

    for module in (minutes_module, kept_module, views_module):
        for name in ("minutes_facts", "hash_of", "minutes_hash", "minutes_match"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)


def test_closing_fixes_the_code_and_queues_the_pdf_once(closed):
    kept = KeptMinutes.objects.get(assembly=closed)
    # The same code as before minutes were kept: the facts hashed in the cooperative's language.
    assert closed.minutes_hash == kept.facts_hash == minutes_hash(closed) == hash_of(kept.facts)
    assert kept.language == settings.LANGUAGE_CODE and not kept.ready
    assert list(DBTaskResult.objects.filter(task_path=TASK).values_list("args_kwargs", flat=True)) == [
        {"args": [closed.pk], "kwargs": {}}
    ]
    build_minutes.call(closed.pk)
    kept.refresh_from_db()
    stored = (minutes_folder() / kept.pdf_file).read_bytes()
    assert kept.ready and hashlib.sha256(stored).hexdigest() == kept.pdf_sha256
    assert closed.minutes_hash in "".join(text_of(stored).split())


def test_the_closed_page_and_the_verification_page_do_not_recompute_the_code(
    closed, board_client, client, monkeypatch
):
    build_minutes.call(closed.pk)
    no_hashing(monkeypatch)
    page = board_client.get(closed.get_absolute_url())
    assert page.status_code == 200 and closed.minutes_hash in page.content.decode()
    verify = client.get(reverse("minutes_verify", args=[closed.verification_key])).content.decode()
    assert "Acta auténtica" in verify and closed.minutes_hash in verify
    assert "7 presentes y 1 representado" in verify


def test_the_download_serves_the_stored_bytes_without_rendering(closed, board_client, monkeypatch):
    build_minutes.call(closed.pk)
    kept = KeptMinutes.objects.get(assembly=closed)
    stored = (minutes_folder() / kept.pdf_file).read_bytes()
    no_hashing(monkeypatch)
    monkeypatch.setattr(views_module, "minutes_pdf", lambda *a, **k: pytest.fail("rendered on download"))
    response = board_client.get(reverse("assemblies:minutes", args=[closed.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content == stored


def test_before_it_is_ready_the_download_says_it_is_being_prepared(closed, board_client):
    response = board_client.get(reverse("assemblies:minutes", args=[closed.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "El acta se está preparando" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1  # not queued again on each refresh


def test_an_altered_file_is_never_served_but_rendered_again(
    closed, board_client, django_capture_on_commit_callbacks
):
    build_minutes.call(closed.pk)
    kept = KeptMinutes.objects.get(assembly=closed)
    path = minutes_folder() / kept.pdf_file
    original = path.read_bytes()
    altered = original[:1000] + (b"X" if original[1000:1001] != b"X" else b"Y") + original[1001:]
    path.write_bytes(altered)  # one byte changed on disk
    url = reverse("assemblies:minutes", args=[closed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = board_client.get(url)
    assert "El acta se está preparando" in response.content.decode()
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2  # the render queued again
    build_minutes.call(closed.pk)
    served = board_client.get(url).content
    assert served != altered
    assert "S-00001 · Socia Número 1" in text_of(served)
    kept.refresh_from_db()
    assert hashlib.sha256(served).hexdigest() == kept.pdf_sha256


def test_a_reader_in_english_gets_the_minutes_rendered_in_english(closed, board_client):
    build_minutes.call(closed.pk)
    board_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = board_client.get(reverse("assemblies:minutes", args=[closed.pk]))
    text = text_of(response.content)
    assert "Attendees (7 present at closing)" in text and closed.minutes_hash in "".join(text.split())


def test_an_assembly_closed_before_minutes_were_kept_gets_them_unless_its_records_changed(
    closed, board_client, client
):
    KeptMinutes.objects.filter(assembly=closed).delete()  # as after the migration
    response = board_client.get(reverse("assemblies:minutes", args=[closed.pk]))
    assert "El acta se está preparando" in response.content.decode()
    assert KeptMinutes.objects.get(assembly=closed).facts_hash == closed.minutes_hash

    KeptMinutes.objects.filter(assembly=closed).delete()
    Motion.objects.filter(assembly=closed).update(result_text="Aprobada por unanimidad")
    verify = client.get(reverse("minutes_verify", args=[closed.verification_key])).content.decode()
    assert "ya no coinciden con el acta emitida" in verify
    assert not KeptMinutes.objects.filter(assembly=closed).exists()  # altered records are never kept
