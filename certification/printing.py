"""Printing every member's season statement in the background, with progress and one file per member.

The run is split into chunks of members, each a task of the Django tasks API
(the database backend in production: ``python manage.py db_worker``, one
worker per core). A worker renders one statement at a time and writes it to
disk straight away, so its memory does not grow with the number of members.
The chunk that completes the run packs every statement into one ZIP file.
"""

import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from certification.documents import issue
from certification.models import PrintStatus, StatementRun
from certification.statements import statement_draft
from coop.models import Delivery, Member, Season
from ledger.models import JournalLine

CHUNK_SIZE = 100
PROGRESS_EVERY = 10


def run_folder(run: StatementRun) -> Path:
    return Path(settings.VAR_DIR) / "estados-de-cuenta" / f"impresion-{run.pk}"


def statement_filename(member_code: str, season_code: str) -> str:
    return f"estado-de-cuenta-{member_code}-{season_code}.pdf"


def combined_filename(run: StatementRun) -> str:
    return f"estados-de-cuenta-{run.season.code}-impresion-{run.pk}.zip"


def members_to_print(season: Season) -> list[int]:
    """Members who delivered in the season or whose account moved in it, by community and code."""
    delivered = Delivery.objects.filter(season=season).values_list("member_id", flat=True).distinct()
    moved = (JournalLine.objects.filter(entry__date__gte=season.starts_on, entry__date__lte=season.ends_on,
                                        account__member__isnull=False)
             .values_list("account__member", flat=True).distinct())
    wanted = set(delivered) | set(moved)
    return [pk for pk in Member.objects.order_by("community", "code").values_list("pk", flat=True)
            if pk in wanted]


def start_statement_run(*, season: Season, user) -> StatementRun:
    """Queue the printing of a season's statements, or refuse (one run per season at a time)."""
    with transaction.atomic():
        # Locking the season row makes two clicks (or two administrators) start one run, not two.
        Season.objects.select_for_update().get(pk=season.pk)
        if StatementRun.objects.in_progress().filter(season=season).exists():
            raise ValidationError(f"Ya se están imprimiendo los estados de cuenta de la {season.name}: "
                                  "espere a que termine.")
        member_ids = members_to_print(season)
        if not member_ids:
            raise ValidationError(f"Ningún socio tiene entregas ni movimientos en la {season.name}.")
        run = StatementRun.objects.create(season=season, total=len(member_ids), requested_by=user)
        chunks = [member_ids[i:i + CHUNK_SIZE] for i in range(0, len(member_ids), CHUNK_SIZE)]
        transaction.on_commit(lambda: [print_statements.enqueue(run.pk, chunk) for chunk in chunks])
    return run


@task()
def print_statements(run_id: int, member_ids: list[int]) -> int:
    """Render and file the statements of some members of a run; the chunk that ends the run packs the ZIP."""
    run = StatementRun.objects.select_related("season", "requested_by").get(pk=run_id)
    if run.status == PrintStatus.FAILED:
        return 0
    StatementRun.objects.filter(pk=run_id, started_at__isnull=True).update(
        started_at=timezone.now(), status=PrintStatus.RUNNING)
    folder = run_folder(run)
    folder.mkdir(parents=True, exist_ok=True)
    done = 0
    member = None
    try:
        for member in Member.objects.filter(pk__in=member_ids).order_by("community", "code").iterator():
            _document, pdf = issue(statement_draft(member=member, season=run.season), user=run.requested_by)
            (folder / statement_filename(member.code, run.season.code)).write_bytes(pdf)
            done += 1
            if done % PROGRESS_EVERY == 0:
                _advance(run_id, PROGRESS_EVERY)
    except Exception as exc:
        who = f" (socio {member.code})" if member is not None else ""
        StatementRun.objects.filter(pk=run_id).update(status=PrintStatus.FAILED, finished_at=timezone.now(),
                                                      error=f"{exc}{who}"[:2000])
        raise
    if _advance(run_id, done % PROGRESS_EVERY) >= run.total:
        _pack(run)
    return done


def _advance(run_id: int, count: int) -> int:
    """Add to the run's progress and return how many are done (atomic: two workers never lose a count)."""
    with transaction.atomic():
        if count:
            StatementRun.objects.filter(pk=run_id).update(done=F("done") + count)
        return StatementRun.objects.values_list("done", flat=True).get(pk=run_id)


def _pack(run: StatementRun) -> None:
    """Every statement of the run in one ZIP, written file by file (stored: PDFs are already compressed)."""
    folder = run_folder(run)
    target = folder / combined_filename(run)
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.glob("estado-de-cuenta-*.pdf")):
            archive.write(path, arcname=path.name)
    partial.replace(target)
    StatementRun.objects.filter(pk=run.pk).update(status=PrintStatus.DONE, finished_at=timezone.now(),
                                                  combined_file=target.name)
