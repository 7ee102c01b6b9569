"""Background tasks on Redis with RQ (MINKA_TASKS=rq): the statement print run and the audit pack are
queued in Redis and run by RQ's worker (`manage.py rqworker --burst`, the simple worker that runs
each job in its own process), against the Redis at 127.0.0.1:6379 (.ci/run starts one).

Each pytest process uses a Redis database of its own (1 + its xdist number), emptied before and
after each test, so two processes never take each other's tasks.
"""

import io
import os
import zipfile
from datetime import date, timedelta

import pytest
import redis
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rq import Queue
from rq.registry import FailedJobRegistry

from certification import printing
from certification.models import AuditPackRun, DownloadLog, IssuedDocument, PrintStatus, StatementRun


@pytest.fixture
def rq_tasks(settings, tmp_path):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    url = f"redis://127.0.0.1:6379/{1 + (int(worker) if worker.isdigit() else 0)}"
    connection = redis.Redis.from_url(url)
    connection.ping()  # no Redis is a failure, not a skip: CI starts one (.ci/run)
    connection.flushdb()
    settings.VAR_DIR = tmp_path
    settings.MINKA_TASKS = "rq"
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    yield connection
    connection.flushdb()
    connection.close()


def rq_worker() -> None:
    """What `python manage.py rqworker default --burst` does on a worker machine, in this process
    (the simple worker) so it sees this test's database."""
    call_command("rqworker", "default", "--burst", "--worker-class", "rq.worker.SimpleWorker", verbosity=0)


def waiting(connection) -> int:
    return Queue("default", connection=connection).count


@pytest.fixture
def season_delivered(coop, deliver):
    deliver(date=date(2026, 3, 10))
    deliver(member=coop["rosa"], plot=coop["plots"]["rosa_ft"], date=date(2026, 3, 11))
    deliver(member=coop["segundo"], plot=coop["plots"]["segundo"], date=date(2026, 3, 12), gross_kg="30")
    return coop["seasons"]["2026"]


@pytest.mark.django_db(transaction=True)
def test_the_statement_print_run_goes_through_redis_and_an_rq_worker_prints_it(
    client, rq_tasks, season_delivered, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 2)  # two tasks, as two workers would share them
    client.force_login(make_user("tesorero"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:statement_run_start", args=["2026"]))
    run = StatementRun.objects.get()
    assert waiting(rq_tasks) == 2 and run.status == PrintStatus.QUEUED
    health = client.get(reverse("health")).json()["tasks"]
    assert (health["backend"], health["waiting"], health["workers"]) == ("rq", 2, 0)

    rq_worker()

    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (PrintStatus.DONE, 3, 3)
    assert waiting(rq_tasks) == 0
    page = client.get(reverse("certification:statement_run", args=[run.pk])).content.decode()
    assert "3 de 3 estados de cuenta" in page
    download = client.get(reverse("certification:statement_run_zip", args=[run.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        printing.statement_filename(code, "2026") for code in ("S-00001", "S-00002", "S-00003")
    ]
    assert IssuedDocument.objects.filter(kind="statement").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_print_task_that_dies_is_reported_and_the_resumed_run_prints_each_statement_once(
    client, rq_tasks, season_delivered, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 2)
    real_draft = printing.statement_draft

    def broken_for_rosa(*, member, season):
        if member.code == "S-00002":
            raise ValueError("dato imposible en la cuenta")
        return real_draft(member=member, season=season)

    monkeypatch.setattr(printing, "statement_draft", broken_for_rosa)
    treasurer = make_user("tesorero")
    client.force_login(treasurer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:statement_run_start", args=["2026"]))
    rq_worker()

    run = StatementRun.objects.get()
    assert run.status == PrintStatus.FAILED and "(socio S-00002)" in run.error
    assert FailedJobRegistry(queue=Queue("default", connection=rq_tasks)).count == 1
    assert client.get(reverse("health")).json()["tasks"]["failed"] == 1
    page = client.get(reverse("certification:statement_run", args=[run.pk])).content.decode()
    assert "La impresión se detuvo" in page and "Reanudar" in page

    monkeypatch.setattr(printing, "statement_draft", real_draft)  # the data was mended
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:statement_run_resume", args=[run.pk]))
    rq_worker()

    run.refresh_from_db()
    assert (run.status, run.done, run.attempt, run.error) == (PrintStatus.DONE, 3, 2, "")
    # S-00001 was printed before the failure and not again: one statement issued per member.
    assert IssuedDocument.objects.filter(kind="statement").count() == 3
    folder = printing.run_folder(run)
    assert len(list(folder.glob("estado-de-cuenta-*.pdf"))) == 3 and not list(folder.glob("*.part"))


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_was_killed_is_resumed_and_the_old_tasks_stand_down(
    client, rq_tasks, season_delivered, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 2)
    treasurer = make_user("tesorero")
    client.force_login(treasurer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:statement_run_start", args=["2026"]))
    # The worker machine went away before any task ran; nothing moved for a quarter of an hour.
    StatementRun.objects.update(requested_at=timezone.now() - timedelta(minutes=15))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:statement_run_resume", args=[StatementRun.objects.get().pk]))
    assert waiting(rq_tasks) == 4  # two tasks of the first attempt, two of the second

    rq_worker()

    run = StatementRun.objects.get()
    assert (run.status, run.done, run.attempt) == (PrintStatus.DONE, 3, 2)
    assert IssuedDocument.objects.filter(kind="statement").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_audit_pack_goes_through_redis_and_an_rq_worker_makes_it(
    client, rq_tasks, coop, deliver, make_user, django_capture_on_commit_callbacks
):
    deliver(date=date(2026, 3, 10))
    client.force_login(make_user("certificador", username="auditora"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:audit_pack_start", args=["2026"]))
    run = AuditPackRun.objects.get()
    assert waiting(rq_tasks) == 1
    assert "En cola" in client.get(response["Location"]).content.decode()

    rq_worker()

    run.refresh_from_db()
    assert run.status == PrintStatus.DONE and run.files > 0
    assert "Descargar ZIP" in client.get(response["Location"]).content.decode()
    download = client.get(reverse("certification:audit_pack_zip", args=[run.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "manifest.csv" in archive.namelist() and "informe_campana.pdf" in archive.namelist()
    assert DownloadLog.objects.get().filename == "paquete_auditoria_2026.zip"


def test_salud_says_so_when_redis_does_not_answer(client, db, settings):
    settings.MINKA_TASKS = "rq"
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["tasks"]["message"] == "Redis no responde: no se pueden encolar tareas."


@pytest.mark.django_db(transaction=True)
def test_the_assembly_letters_go_through_redis_and_an_rq_worker_keeps_the_zip(
    client, rq_tasks, make_user, django_capture_on_commit_callbacks
):
    from assemblies.models import LetterRun, RemoteCode
    from tests.assemblies.factories import convene, make_members, make_rules

    board = make_user("consejo_administracion", username="presidenta")
    make_rules()
    make_members(3)
    assembly = convene(board, mode="hybrid", link="https://reunion.example.org/asamblea")
    client.force_login(board)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assemblies:remote_codes", args=[assembly.pk]), {"action": "all"})
    assert waiting(rq_tasks) == 1

    rq_worker()

    run = LetterRun.objects.get()
    assert (run.status, run.done, run.total) == ("done", 3, 3)
    assert "3 cartas y sus SMS" in client.get(response["Location"]).content.decode()
    download = client.get(reverse("assemblies:letter_run_zip", args=[assembly.pk, run.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == ["cartas-codigos.pdf", "sms-codigos.csv"]
    assert RemoteCode.objects.filter(assembly=assembly, replaced_at__isnull=True).count() == 3
