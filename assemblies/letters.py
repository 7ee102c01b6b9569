"""The voting codes of a virtual or hybrid assembly, on paper and for SMS: made once, handed out once.

Minka keeps only each code's HMAC (assemblies.codes), so the codes exist in clear only in what this
module writes when the board makes them: one ZIP with a letter per member (PDF, one page each: name,
code, DNI to type, address and instructions) and a CSV with one SMS text per member, for the
cooperative to print and send. Making them again gives new codes that replace the earlier ones.

The letters of the whole roll (400 letters take over a minute) are made in the background
(``make_letters``, queued by ``services.start_letter_run``): the task makes the codes, renders the
letters LETTERS_PER_PART at a time reporting its progress, and keeps the ZIP under
``files_root()/cartas-voto/`` (written whole, or not at all). An attempt that fails or whose worker
stops is reported on its page; making it again gives the same members new codes, as nobody saw the
earlier ones. A single lost letter is still made in the request.
"""

import csv
import io
import zipfile
from pathlib import Path

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from pypdf import PdfWriter

from assemblies.codes import printed
from assemblies.models import Assembly, LetterRun, LetterStatus, RollEntry
from toolkit.files import files_root, written_whole
from toolkit.pdf import absolute_url, render_pdf
from toolkit.spreadsheets import neutralize_row


def sign_in_url(request=None) -> str:
    return absolute_url(reverse("remote:home"), request)


def letters_pdf(assembly: Assembly, made: list[tuple[RollEntry, str]], *, request=None) -> bytes:
    return render_pdf(
        "assemblies/pdf/remote_letters.html",
        {
            "assembly": assembly,
            "letters": [(entry, printed(code)) for entry, code in made],
            "url": sign_in_url(request),
            "made_at": timezone.localtime(),
        },
    )


def sms_csv(assembly: Assembly, made: list[tuple[RollEntry, str]], *, request=None) -> bytes:
    url = sign_in_url(request)
    ids = [entry.pk for entry, _code in made]
    phones = dict(RollEntry.objects.filter(pk__in=ids).values_list("pk", "member__phone"))
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [_("codigo_socio"), _("nombres"), _("dni"), _("telefono"), _("codigo_voto"), _("mensaje")]
    writer.writerow(columns)
    day = timezone.localtime(assembly.first_call_at).strftime("%d/%m/%Y %H:%M")
    for entry, code in made:
        text = _(
            "Asamblea %(day)s: para participar y votar desde su casa entre a %(url)s con su DNI y el "
            "código %(code)s. Es personal: no lo comparta."
        ) % {"day": day, "url": url, "code": printed(code)}
        writer.writerow(
            neutralize_row(
                [entry.code, entry.name, entry.dni, phones.get(entry.pk) or "", printed(code), text]
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # with a BOM, so Excel reads the accents


def codes_zip(assembly: Assembly, made: list[tuple[RollEntry, str]], *, request=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_("cartas-codigos.pdf"), letters_pdf(assembly, made, request=request))
        archive.writestr(_("sms-codigos.csv"), sms_csv(assembly, made, request=request))
    return buffer.getvalue()


LETTERS_PER_PART = 50


def letters_folder() -> Path:
    return files_root() / "cartas-voto"


def letters_filename(run: LetterRun) -> str:
    return f"codigos-voto-{run.assembly.minutes_number}-{run.pk}.zip"


@task()
def make_letters(run_id: int, attempt: int) -> int:
    """Make the codes of the run's members, their letters and SMS texts, and keep the ZIP."""
    from assemblies import services  # services queues this task

    run = LetterRun.objects.select_related("assembly", "requested_by").get(pk=run_id)
    if run.attempt != attempt or run.status != LetterStatus.QUEUED:
        return 0  # made again under a later attempt, or already done
    LetterRun.objects.filter(pk=run_id, attempt=attempt).update(
        status=LetterStatus.RUNNING, progress_at=timezone.now(), done=0
    )
    try:
        order = {pk: index for index, pk in enumerate(run.entry_ids)}
        entries = sorted(RollEntry.objects.filter(pk__in=run.entry_ids), key=lambda entry: order[entry.pk])
        made = services.issue_remote_codes(assembly=run.assembly, entries=entries, user=run.requested_by)
        writer = PdfWriter()
        for start in range(0, len(made), LETTERS_PER_PART):
            part = made[start : start + LETTERS_PER_PART]
            writer.append(io.BytesIO(letters_pdf(run.assembly, part)), import_outline=False)
            moving = LetterRun.objects.filter(pk=run_id, attempt=attempt, status=LetterStatus.RUNNING).update(
                done=F("done") + len(part), progress_at=timezone.now()
            )
            if not moving:
                return 0  # made again elsewhere: this attempt's codes were replaced
        letters = io.BytesIO()
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
        writer.write(letters)
        folder = letters_folder()
        folder.mkdir(parents=True, exist_ok=True)
        name = letters_filename(run)
        with (
            written_whole(folder / name, durable=True) as out,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr(_("cartas-codigos.pdf"), letters.getvalue())
            archive.writestr(_("sms-codigos.csv"), sms_csv(run.assembly, made))
    except Exception as exc:
        LetterRun.objects.filter(pk=run_id, attempt=attempt).update(
            status=LetterStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    LetterRun.objects.filter(pk=run_id, attempt=attempt, status=LetterStatus.RUNNING).update(
        status=LetterStatus.DONE, filename=name, finished_at=timezone.now(), progress_at=timezone.now()
    )
    return len(made)
