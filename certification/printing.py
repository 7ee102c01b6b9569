"""Printing every member's season statement in the background, with progress and one file per member.

The run's members are split by community into batches of at most a hundred,
each a task of the Django tasks API (the database backend in production:
``python manage.py db_worker``, one worker per core). A worker renders one
statement at a time and writes it to disk straight away, so its memory does
not grow with the number of members. The task that completes the run packs
every member's statement into one ZIP file; a batch's statements are put
together into one PDF to print when someone first downloads it (about a
second; doing it in the workers slowed the run by a sixth).

A run whose worker was stopped (a restart, a killed process) or that failed on
one member is resumed rather than started again: the members whose file is
missing are queued under the run's next attempt, and any task left over from
an earlier attempt stops at its next progress report.
"""

import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task
from pypdf import PdfWriter

from acopio.models import Delivery
from certification.documents import issue
from certification.models import PrintStatus, StatementRun
from certification.statements import reusing_premium_split, statement_draft
from coop.models import Member, Season
from ledger.models import JournalLine
from toolkit.files import files_root, write_whole, written_whole

CHUNK_SIZE = 100
PROGRESS_EVERY = 10


def run_folder(run: StatementRun) -> Path:
    return files_root() / "estados-de-cuenta" / f"impresion-{run.pk}"


def statement_filename(member_code: str, season_code: str) -> str:
    return f"estado-de-cuenta-{member_code}-{season_code}.pdf"


def combined_filename(run: StatementRun) -> str:
    return f"estados-de-cuenta-{run.season.code}-impresion-{run.pk}.zip"


def batch_filename(name: str) -> str:
    return f"{name}.pdf"


def wanted_members(season: Season) -> list[tuple[int, str, str]]:
    """(id, community, code) of the members who delivered in the season or whose account moved in it,
    by community and code."""
    delivered = Delivery.objects.filter(season=season).values_list("member_id", flat=True).distinct()
    moved = (
        JournalLine.objects.filter(
            entry__date__gte=season.starts_on, entry__date__lte=season.ends_on, account__member__isnull=False
        )
        .values_list("account__member", flat=True)
        .distinct()
    )
    wanted = set(delivered) | set(moved)
    members = Member.objects.order_by("community", "code").values_list("pk", "community", "code")
    return [member for member in members if member[0] in wanted]


def members_to_print(season: Season) -> list[int]:
    return [pk for pk, _community, _code in wanted_members(season)]


def print_batches(season: Season) -> list[dict]:
    """The members to print in batches of at most CHUNK_SIZE, never two communities in one batch:
    each batch is one task, and one PDF to print and hand out in its community."""
    by_community: dict[str, list[tuple[int, str]]] = {}
    for pk, community, code in wanted_members(season):
        by_community.setdefault(community, []).append((pk, code))
    batches, slugs = [], set()
    for community, members in by_community.items():
        slug = base = slugify(community) or "sin-comunidad"
        while slug in slugs:  # «San José» and «San Jose» are two communities, two names
            slug = f"{base}-{len(slugs)}"
        slugs.add(slug)
        parts = [members[i : i + CHUNK_SIZE] for i in range(0, len(members), CHUNK_SIZE)]
        for number, part in enumerate(parts, start=1):
            batches.append(
                {
                    "name": f"comunidad-{slug}-{number:02d}",
                    "community": community,
                    "part": number,
                    "parts": len(parts),
                    "members": len(part),
                    "first": part[0][1],
                    "last": part[-1][1],
                    "codes": dict(part),  # member id → code, in code order; not kept on the run
                }
            )
    return batches


def _queue(run: StatementRun, batches: list[dict], to_print: set[int]) -> None:
    """Queue, once the transaction commits, one task per batch with members to print (an empty
    one when none is left, just to pack the ZIP)."""
    attempt = run.attempt
    chunks = [wanted for batch in batches if (wanted := [pk for pk in batch["codes"] if pk in to_print])] or [
        []
    ]
    transaction.on_commit(lambda: [print_statements.enqueue(run.pk, chunk, attempt) for chunk in chunks])


def _describe(batches: list[dict]) -> list[dict]:
    """What the run keeps of each batch: its name, community, part, size and first and last member
    codes (the members are the community's, between those codes, with a statement in the run)."""
    return [{key: value for key, value in batch.items() if key != "codes"} for batch in batches]


def start_statement_run(*, season: Season, user) -> StatementRun:
    """Queue the printing of a season's statements, or refuse (one run per season at a time).

    A stalled run of the season is resumed instead of starting over.
    """
    with transaction.atomic():
        # Locking the season row makes two clicks (or two administrators) start one run, not two.
        Season.objects.select_for_update().get(pk=season.pk)
        unfinished = StatementRun.objects.in_progress().filter(season=season).first()
        if unfinished is not None:
            if unfinished.stalled:
                return _resume(unfinished)
            raise ValidationError(
                _("Ya se están imprimiendo los estados de cuenta de la %(season)s: espere a que termine.")
                % {"season": season.name}
            )
        batches = print_batches(season)
        if not batches:
            raise ValidationError(
                _("Ningún socio tiene entregas ni movimientos en la %(season)s.") % {"season": season.name}
            )
        member_ids = {pk for batch in batches for pk in batch["codes"]}
        run = StatementRun.objects.create(
            season=season, total=len(member_ids), requested_by=user, batches=_describe(batches)
        )
        _queue(run, batches, member_ids)
    return run


def resume_statement_run(run: StatementRun) -> StatementRun:
    """Print what a failed or stalled run is missing; refused while the run is still moving."""
    with transaction.atomic():
        Season.objects.select_for_update().get(pk=run.season_id)
        run = StatementRun.objects.select_related("season").get(pk=run.pk)
        if run.status == PrintStatus.DONE:
            raise ValidationError(_("Esta impresión ya terminó."))
        if run.status != PrintStatus.FAILED and not run.stalled:
            raise ValidationError(_("Esta impresión sigue avanzando: no hace falta reanudarla."))
        others = StatementRun.objects.in_progress().filter(season=run.season_id).exclude(pk=run.pk)
        if any(not other.stalled for other in others):
            raise ValidationError(
                _("Ya se están imprimiendo los estados de cuenta de la %(season)s en otra impresión.")
                % {"season": run.season.name}
            )
        return _resume(run)


def _resume(run: StatementRun) -> StatementRun:
    """Within the season's lock: count the statements on disk and queue the missing ones, next attempt."""
    batches = print_batches(run.season)
    folder = run_folder(run)
    on_disk = {path.name for path in folder.glob("estado-de-cuenta-*.pdf")} if folder.is_dir() else set()
    codes = {pk: code for batch in batches for pk, code in batch["codes"].items()}
    missing = {pk for pk, code in codes.items() if statement_filename(code, run.season.code) not in on_disk}
    run.attempt += 1
    run.total, run.done = len(codes), len(codes) - len(missing)
    run.status, run.error, run.finished_at, run.combined_file = PrintStatus.QUEUED, "", None, ""
    run.progress_at, run.batches = timezone.now(), _describe(batches)
    for stale in folder.glob("comunidad-*.pdf"):  # put together again, from the statements as they will be
        stale.unlink()
    run.save(
        update_fields=[
            "attempt",
            "total",
            "done",
            "status",
            "error",
            "finished_at",
            "combined_file",
            "progress_at",
            "batches",
        ]
    )
    _queue(run, batches, missing)
    return run


@task()
def print_statements(run_id: int, member_ids: list[int], attempt: int = 1) -> int:
    """Render and file the statements of some members of a run; the task that ends the run packs the ZIP."""
    run = StatementRun.objects.select_related("season", "requested_by").get(pk=run_id)
    if run.status == PrintStatus.FAILED or run.attempt != attempt:
        return 0
    now = timezone.now()
    StatementRun.objects.filter(pk=run_id, attempt=attempt, status=PrintStatus.QUEUED).update(
        status=PrintStatus.RUNNING, progress_at=now, started_at=Coalesce(F("started_at"), now)
    )
    folder = run_folder(run)
    folder.mkdir(parents=True, exist_ok=True)
    done = 0
    member = None
    try:
        # The season's premium split over the members by Fairtrade kilos is read once for the batch.
        with reusing_premium_split():
            for member in Member.objects.filter(pk__in=member_ids).order_by("community", "code").iterator():
                _document, pdf = issue(
                    statement_draft(member=member, season=run.season), user=run.requested_by
                )
                # Whole or absent: a killed worker never leaves half a PDF that would count as printed.
                write_whole(folder / statement_filename(member.code, run.season.code), pdf)
                done += 1
                if done % PROGRESS_EVERY == 0 and _advance(run_id, attempt, PROGRESS_EVERY) is None:
                    return done  # the run failed elsewhere or was resumed: this task is no longer wanted
    except Exception as exc:
        error = (
            str(exc)
            if member is None
            else _("%(error)s (socio %(member)s)") % {"error": exc, "member": member.code}
        )
        StatementRun.objects.filter(pk=run_id, attempt=attempt).update(
            status=PrintStatus.FAILED, finished_at=timezone.now(), error=error[:2000]
        )
        raise
    total_done = _advance(run_id, attempt, done % PROGRESS_EVERY)
    if total_done is not None and total_done >= run.total:
        _pack(run)
    return done


def batch_pdf(run: StatementRun, batch: dict) -> Path:
    """The batch's statements, in code order, as one PDF to print; put together on first use.

    About a second and 3 MB for a hundred members: each statement carries the same colour profile
    and metadata, which are kept once.
    """
    folder = run_folder(run)
    target = folder / batch_filename(batch["name"])
    if target.is_file():
        return target
    codes = (
        Member.objects.filter(community=batch["community"], code__gte=batch["first"], code__lte=batch["last"])
        .order_by("code")
        .values_list("code", flat=True)
    )
    statements = [
        path for code in codes if (path := folder / statement_filename(code, run.season.code)).is_file()
    ]
    writer = PdfWriter()
    for path in statements:
        writer.append(path, import_outline=False)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    with written_whole(target) as out:
        writer.write(out)
    return target


def _advance(run_id: int, attempt: int, count: int) -> int | None:
    """Add to the run's progress and return how many are done (atomic: two workers never lose a count).

    None when the run failed or moved on to another attempt, so the caller stops.
    """
    with transaction.atomic():
        moving = (
            StatementRun.objects.filter(pk=run_id, attempt=attempt)
            .exclude(status=PrintStatus.FAILED)
            .update(done=F("done") + count, progress_at=timezone.now())
        )
        if not moving:
            return None
        return StatementRun.objects.values_list("done", flat=True).get(pk=run_id)


def _pack(run: StatementRun) -> None:
    """Every statement of the run in one ZIP, written file by file (stored: PDFs are already compressed)."""
    folder = run_folder(run)
    target = folder / combined_filename(run)
    with written_whole(target) as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.glob("estado-de-cuenta-*.pdf")):
            archive.write(path, arcname=path.name)
    now = timezone.now()
    StatementRun.objects.filter(pk=run.pk, attempt=run.attempt).update(
        status=PrintStatus.DONE, finished_at=now, progress_at=now, combined_file=target.name
    )
