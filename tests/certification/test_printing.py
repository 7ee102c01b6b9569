"""Printing every member's statement in the background: queued as tasks, run by the database worker."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from certification import printing
from certification.models import DownloadLog, IssuedDocument, PrintStatus, StatementRun


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def three_members_delivered(coop, deliver):
    deliver(date=date(2026, 3, 10))
    deliver(member=coop["rosa"], plot=coop["plots"]["rosa_ft"], date=date(2026, 3, 11))
    deliver(member=coop["segundo"], plot=coop["plots"]["segundo"], date=date(2026, 3, 12), gross_kg="30")
    return coop["seasons"]["2026"]


def start(season, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return printing.start_statement_run(season=season, user=user)


# The worker takes its tasks in transactions of its own, as in production: no test-wide transaction around it.
@pytest.mark.django_db(transaction=True)
def test_a_run_is_queued_then_the_worker_prints_one_pdf_per_member_and_a_zip(
    var_dir, three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 2)  # two tasks, as two workers would share them
    run = start(three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks)
    assert (run.status, run.total, run.done) == (PrintStatus.QUEUED, 3, 0)
    assert DBTaskResult.objects.count() == 2

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.done) == (PrintStatus.DONE, 3)
    folder = printing.run_folder(run)
    for code in ("S-00001", "S-00002", "S-00003"):
        text = PdfReader(folder / printing.statement_filename(code, "2026")).pages[0].extract_text()
        assert code in text and "Estado de cuenta del socio" in text
    with zipfile.ZipFile(folder / run.combined_file) as archive:
        assert sorted(archive.namelist()) == [
            printing.statement_filename(c, "2026") for c in ("S-00001", "S-00002", "S-00003")
        ]
    assert IssuedDocument.objects.filter(kind="statement", season=three_members_delivered).count() == 3
    # Curiyacu's two members, in code order, in one PDF to print.
    assert run.batches[0]["name"] == "comunidad-curiyacu-01"
    together = PdfReader(printing.batch_pdf(run, run.batches[0]))
    alone = [PdfReader(folder / printing.statement_filename(c, "2026")) for c in ("S-00002", "S-00003")]
    assert len(together.pages) == sum(len(reader.pages) for reader in alone)
    assert "S-00002" in together.pages[0].extract_text()
    assert "S-00003" in together.pages[len(alone[0].pages)].extract_text()


def test_a_second_run_of_the_same_season_waits_for_the_first(
    var_dir, three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks
):
    start(three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="Ya se están imprimiendo"):
        start(three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks)
    assert StatementRun.objects.count() == 1


def test_a_season_without_deliveries_has_nothing_to_print(
    coop, admin_user_minka, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="Ningún socio tiene entregas"):
        start(coop["seasons"]["2025"], admin_user_minka, django_capture_on_commit_callbacks)
    assert not StatementRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_progress_page_and_the_downloads(
    client, var_dir, three_members_delivered, make_user, django_capture_on_commit_callbacks
):
    treasurer = make_user("tesorero")
    client.force_login(treasurer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:statement_run_start", args=["2026"]))
    run = StatementRun.objects.get()
    assert response["Location"] == reverse("certification:statement_run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "En cola" in page and "0 de 3 estados de cuenta" in page
    assert client.get(reverse("certification:statement_run_zip", args=[run.pk])).status_code == 404

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page = client.get(reverse("certification:statement_run", args=[run.pk])).content.decode()
    assert "3 de 3 estados de cuenta" in page and "Descargar todos (ZIP)" in page
    archive = client.get(reverse("certification:statement_run_zip", args=[run.pk]))
    assert zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).testzip() is None
    one = client.get(reverse("certification:statement_run_file", args=[run.pk, "S-00002"]))
    assert b"".join(one.streaming_content).startswith(b"%PDF")
    assert DownloadLog.objects.filter(user=treasurer).count() == 2


def test_a_certifier_may_watch_but_not_start_a_run(client, make_user, three_members_delivered):
    client.force_login(make_user("certificador"))
    assert client.post(reverse("certification:statement_run_start", args=["2026"])).status_code == 403
    assert not StatementRun.objects.exists()


def stall(run):
    """As a worker that was killed leaves a run: unfinished, nothing heard from it for eleven minutes."""
    StatementRun.objects.filter(pk=run.pk).update(progress_at=timezone.now() - timedelta(minutes=11))


@pytest.mark.django_db(transaction=True)
def test_a_stopped_run_resumes_printing_only_what_is_missing_and_old_tasks_stand_down(
    client, var_dir, three_members_delivered, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 2)
    treasurer = make_user("tesorero")
    run = start(three_members_delivered, treasurer, django_capture_on_commit_callbacks)
    first_chunk = list(DBTaskResult.objects.order_by("enqueued_at"))[0].args_kwargs["args"][1]
    # A worker printed the first chunk, then was killed before the second: both tasks are still queued.
    printing.print_statements.call(run.pk, first_chunk, 1)
    stall(run)

    client.force_login(treasurer)
    page = client.get(reverse("certification:statement_run", args=[run.pk])).content.decode()
    assert "2 de 3 estados de cuenta" in page and "Sin avance desde el" in page
    assert "Reanudar: imprimir el estado de cuenta que falta" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certification:statement_run_resume", args=[run.pk]), follow=True)
    assert "Impresión reanudada: falta 1 estado de cuenta." in response.content.decode()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.attempt) == (PrintStatus.DONE, 3, 3, 2)
    # The two tasks of the first attempt did nothing: one statement each, not two.
    assert IssuedDocument.objects.filter(kind="statement").count() == 3
    with zipfile.ZipFile(printing.run_folder(run) / run.combined_file) as archive:
        assert len(archive.namelist()) == 3


def test_a_run_that_is_still_moving_is_not_resumed(
    client, var_dir, three_members_delivered, make_user, django_capture_on_commit_callbacks
):
    run = start(three_members_delivered, make_user("administrador"), django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="sigue avanzando"):
        printing.resume_statement_run(run)
    client.force_login(make_user("tesorero"))
    page = client.get(reverse("certification:statement_run", args=[run.pk])).content.decode()
    assert "Reanudar" not in page
    response = client.post(reverse("certification:statement_run_resume", args=[run.pk]), follow=True)
    assert "sigue avanzando" in response.content.decode()
    assert StatementRun.objects.get().attempt == 1


def test_printing_again_a_season_whose_run_stalled_resumes_that_run(
    var_dir, three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks
):
    run = start(three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks)
    stall(run)
    again = start(three_members_delivered, admin_user_minka, django_capture_on_commit_callbacks)
    assert (again.pk, again.attempt, again.status) == (run.pk, 2, PrintStatus.QUEUED)
    assert StatementRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_names_the_member_and_once_mended_the_run_resumes_to_the_end(
    client, var_dir, three_members_delivered, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 2)
    real_draft = printing.statement_draft

    def broken_for_rosa(*, member, season):
        if member.code == "S-00002":
            raise ValueError("dato imposible en la cuenta")
        return real_draft(member=member, season=season)

    monkeypatch.setattr(printing, "statement_draft", broken_for_rosa)
    treasurer = make_user("tesorero")
    run = start(three_members_delivered, treasurer, django_capture_on_commit_callbacks)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert run.status == PrintStatus.FAILED and "dato imposible en la cuenta (socio S-00002)" in run.error
    client.force_login(treasurer)
    page = client.get(reverse("certification:statement_run", args=[run.pk])).content.decode()
    assert "La impresión se detuvo" in page and "Reanudar" in page

    monkeypatch.setattr(printing, "statement_draft", real_draft)  # the data was mended
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certification:statement_run_resume", args=[run.pk]))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert (run.status, run.done, run.error) == (PrintStatus.DONE, 3, "")
    assert IssuedDocument.objects.filter(kind="statement").count() == 3
    folder = printing.run_folder(run)
    assert sorted(p.name for p in folder.glob("estado-de-cuenta-*.pdf")) == [
        printing.statement_filename(c, "2026") for c in ("S-00001", "S-00002", "S-00003")
    ]
    assert not list(folder.glob("*.part"))


@pytest.mark.django_db(transaction=True)
def test_each_community_gets_its_statements_in_one_pdf_to_print_in_parts_of_at_most_a_chunk(
    client, var_dir, three_members_delivered, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(printing, "CHUNK_SIZE", 1)  # Curiyacu's two members make two parts
    treasurer = make_user("tesorero")
    run = start(three_members_delivered, treasurer, django_capture_on_commit_callbacks)
    assert [(b["community"], b["part"], b["parts"], b["members"]) for b in run.batches] == [
        ("Curiyacu", 1, 2, 1),
        ("Curiyacu", 2, 2, 1),
        ("Tununtunumba", 1, 1, 1),
    ]

    client.force_login(treasurer)
    link = reverse("certification:statement_run_batch", args=[run.pk, "comunidad-curiyacu-02"])
    assert client.get(link).status_code == 404  # not before the run is over
    monkeypatch.setattr(printing, "CHUNK_SIZE", 2)  # queued already: the run keeps its batches
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    page = client.get(reverse("certification:statement_run", args=[run.pk])).content.decode()
    assert "Para imprimir, por comunidad" in page and "2 de 2" in page and link in page
    folder = printing.run_folder(run)
    for batch, code in zip(run.batches, ("S-00002", "S-00003", "S-00001"), strict=True):
        url = reverse("certification:statement_run_batch", args=[run.pk, batch["name"]])
        together = PdfReader(io.BytesIO(b"".join(client.get(url).streaming_content)))
        alone = PdfReader(folder / printing.statement_filename(code, "2026"))
        assert len(together.pages) == len(alone.pages)
        assert together.pages[0].extract_text() == alone.pages[0].extract_text()
    log = DownloadLog.objects.order_by("at", "pk")
    assert log[1].what.startswith("Estados de cuenta de Curiyacu, parte 2 de 2")
    unknown = reverse("certification:statement_run_batch", args=[run.pk, "comunidad-otra-01"])
    assert client.get(unknown).status_code == 404


def test_two_communities_spelled_alike_get_two_print_batches(coop, deliver):
    coop["segundo"].community = "San José"
    coop["segundo"].save()
    coop["rosa"].community = "San Jose"
    coop["rosa"].save()
    deliver(member=coop["segundo"], plot=coop["plots"]["segundo"], date=date(2026, 3, 12), gross_kg="30")
    deliver(member=coop["rosa"], plot=coop["plots"]["rosa_ft"], date=date(2026, 3, 11))
    names = [batch["name"] for batch in printing.print_batches(coop["seasons"]["2026"])]
    assert len(names) == len(set(names)) == 2
