"""The register exported in the background, with progress: 20,000 members take longer than a page may.

A click queues one task (a second click for the same format while one is being made joins it);
the worker writes the traceability sheet (``coop.traceability.export_register``, the same code
as ``manage.py export_members`` and the certifiers' audit pack) under a temporary name until it
is complete, and reports how many members it has written.
"""

from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from coop.models import ExportStatus, Member, RegisterExport
from coop.traceability import export_register
from toolkit.files import files_root, written_whole

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def export_folder(export: RegisterExport) -> Path:
    return files_root() / "padron-exportado" / f"exportacion-{export.pk}"


def export_filename(export: RegisterExport) -> str:
    return f"padron-trazabilidad-{timezone.localtime(export.requested_at):%Y%m%d}.{export.format}"


def start_register_export(*, fmt: str, user) -> RegisterExport:
    """Queue the register as ``fmt`` (xlsx or csv), or return the export of that format already under way."""
    with transaction.atomic():
        busy = RegisterExport.objects.in_progress().filter(format=fmt).select_for_update().first()
        if busy is not None and not busy.stalled:
            return busy
        if busy is not None:
            RegisterExport.objects.filter(pk=busy.pk).update(
                status=ExportStatus.FAILED,
                finished_at=timezone.now(),
                error=_(
                    "Interrumpido: el proceso de fondo no terminó el archivo; "
                    "se preparó uno nuevo al pedirlo otra vez."
                ),
            )
        export = RegisterExport.objects.create(format=fmt, requested_by=user, total=Member.objects.count())
        transaction.on_commit(lambda: build_register_export.enqueue(export.pk))
    return export


@task()
def build_register_export(export_id: int) -> int:
    """Write the register to the export's folder; returns the number of members written."""
    export = RegisterExport.objects.get(pk=export_id)
    if export.status != ExportStatus.QUEUED:
        return 0  # given up as interrupted before a worker reached it
    RegisterExport.objects.filter(pk=export_id).update(
        status=ExportStatus.RUNNING, progress_at=timezone.now()
    )

    def progress(members: int) -> None:
        RegisterExport.objects.filter(pk=export_id).update(done=members, progress_at=timezone.now())

    folder = export_folder(export)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / export_filename(export)
    try:
        content = export_register(fmt=export.format, progress=progress)
        with written_whole(target, durable=True) as out:
            out.write(content)
    except Exception as exc:
        RegisterExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    RegisterExport.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE, finished_at=timezone.now(), filename=target.name, total=F("done")
    )
    return RegisterExport.objects.get(pk=export_id).done
