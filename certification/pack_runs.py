"""The audit pack made in the background, so a large season never hits the web server's time limit.

A click queues one task per request (a second click while the season's pack is
being made joins that run instead of starting another); the worker writes the
ZIP beside the statements' runs, under a temporary name until it is complete.
"""

from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from certification.audit_pack import pack_filename, write_audit_pack
from certification.models import AuditPackRun, PrintStatus
from coop.models import Season
from toolkit.files import files_root, written_whole

INTERRUPTED = gettext_lazy(
    "Interrumpido: el proceso de fondo no terminó el paquete; se preparó uno nuevo al pedirlo otra vez."
)


def pack_folder(run: AuditPackRun) -> Path:
    return files_root() / "paquetes-de-auditoria" / f"paquete-{run.pk}"


def start_pack_run(*, season: Season, user) -> AuditPackRun:
    """Queue the season's audit pack, or return the run already making it."""
    with transaction.atomic():
        Season.objects.select_for_update().get(pk=season.pk)
        busy = AuditPackRun.objects.in_progress().filter(season=season).first()
        if busy is not None and not busy.stalled:
            return busy
        if busy is not None:
            # Its worker was stopped (a pack takes about a minute): say so, and make a new one.
            AuditPackRun.objects.filter(pk=busy.pk).update(
                status=PrintStatus.FAILED, finished_at=timezone.now(), error=str(INTERRUPTED)
            )
        run = AuditPackRun.objects.create(season=season, requested_by=user)
        transaction.on_commit(lambda: build_pack.enqueue(run.pk))
    return run


@task()
def build_pack(run_id: int) -> int:
    run = AuditPackRun.objects.select_related("season", "requested_by").get(pk=run_id)
    if run.status != PrintStatus.QUEUED:
        return 0  # given up as interrupted before a worker reached it
    AuditPackRun.objects.filter(pk=run_id).update(status=PrintStatus.RUNNING, progress_at=timezone.now())
    folder = pack_folder(run)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / pack_filename(run.season)
    try:
        with written_whole(target) as out:
            manifest = write_audit_pack(run.season, out, user=run.requested_by)
    except Exception as exc:
        AuditPackRun.objects.filter(pk=run_id).update(
            status=PrintStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    AuditPackRun.objects.filter(pk=run_id, status=PrintStatus.RUNNING).update(
        status=PrintStatus.DONE, finished_at=timezone.now(), filename=target.name, files=len(manifest.files)
    )
    return len(manifest.files)
