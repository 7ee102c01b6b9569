"""The minutes kept: fixed once at closing, rendered once in the background, served from their file.

At closing (``keep_minutes``, inside ``close_assembly``'s transaction) the facts are gathered once in the
cooperative's language, hashed, and stored on a ``KeptMinutes`` row; after commit one task renders
the PDF (4,500 names take about ten seconds) and writes it under ``VAR_DIR/actas/`` with its SHA-256.
The download serves that file while its SHA-256 matches; a file missing or altered is never served:
it is rendered again in the background and the page says the acta is being prepared.

A reader in another language (English) gets the acta rendered on demand, as before: only the
cooperative's language is kept.
"""

import hashlib
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from assemblies.minutes import hash_of, minutes_facts, minutes_pdf
from assemblies.models import Assembly, AssemblyStatus, KeptMinutes
from toolkit.files import files_root, write_whole

# A render not finished after this long is taken as lost (the worker stopped) and queued again.
STALLED_AFTER = timedelta(minutes=5)


def minutes_folder() -> Path:
    return files_root() / "actas"


def keep_minutes(assembly: Assembly) -> KeptMinutes:
    """Fix the facts and their hash at closing, and queue the PDF for after the commit."""
    with translation.override(settings.LANGUAGE_CODE):
        facts = minutes_facts(assembly)
    kept = KeptMinutes.objects.create(
        assembly=assembly,
        facts=facts,
        facts_hash=hash_of(facts),
        language=settings.LANGUAGE_CODE,
        queued_at=timezone.now(),
    )
    transaction.on_commit(lambda: build_minutes.enqueue(assembly.pk))
    return kept


def kept_for(assembly: Assembly, *, with_facts: bool = True) -> KeptMinutes | None:
    """The kept minutes of a closed assembly. An assembly closed before minutes were kept gets them
    now, but only if its records still give the code fixed at closing (else None: the pages then
    show the records as they are, and say they no longer match)."""
    if assembly.status != AssemblyStatus.CLOSED or not assembly.minutes_hash:
        return None
    rows = KeptMinutes.objects.filter(assembly=assembly)
    kept = (rows if with_facts else rows.defer("facts")).first()  # the facts of 4,500 names: ~0.5 MB
    if kept is not None:
        return kept
    with translation.override(settings.LANGUAGE_CODE):
        facts = minutes_facts(assembly)
    if hash_of(facts) != assembly.minutes_hash:
        return None
    with transaction.atomic():
        kept, created = KeptMinutes.objects.get_or_create(
            assembly=assembly,
            defaults={
                "facts": facts,
                "facts_hash": assembly.minutes_hash,
                "language": settings.LANGUAGE_CODE,
                "queued_at": timezone.now(),
            },
        )
        if created:
            transaction.on_commit(lambda: build_minutes.enqueue(assembly.pk))
    return kept


def kept_pdf(kept: KeptMinutes) -> bytes | None:
    """The kept PDF's bytes if the file is there and whole; else None, with a new render queued
    (never twice while one is under way, unless it stalled)."""
    if kept.ready:
        try:
            content = (minutes_folder() / kept.pdf_file).read_bytes()
        except FileNotFoundError:
            content = None
        if content is not None and hashlib.sha256(content).hexdigest() == kept.pdf_sha256:
            return content
        # Missing or altered: forget it and render it again from the kept facts.
        KeptMinutes.objects.filter(pk=kept.pk).update(
            pdf_file="", pdf_sha256="", made_at=None, queued_at=timezone.now()
        )
        transaction.on_commit(lambda: build_minutes.enqueue(kept.assembly_id))
        return None
    if kept.queued_at < timezone.now() - STALLED_AFTER:
        stale = KeptMinutes.objects.filter(pk=kept.pk, queued_at=kept.queued_at, pdf_sha256="")
        if stale.update(queued_at=timezone.now()):
            transaction.on_commit(lambda: build_minutes.enqueue(kept.assembly_id))
    return None


@task()
def build_minutes(assembly_id: int) -> int:
    """Render the kept minutes' PDF in the cooperative's language and keep it with its SHA-256."""
    kept = KeptMinutes.objects.select_related("assembly__rule_set").get(assembly_id=assembly_id)
    if kept.ready and (minutes_folder() / kept.pdf_file).is_file():
        return 0  # made by an earlier task
    with translation.override(kept.language):
        try:
            content = minutes_pdf(kept.assembly, facts=kept.facts)
        except Exception as exc:
            KeptMinutes.objects.filter(pk=kept.pk).update(error=str(exc)[:2000])
            raise
    folder = minutes_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"acta-{assembly_id}.pdf"
    write_whole(folder / name, content, durable=True)
    KeptMinutes.objects.filter(pk=kept.pk).update(
        pdf_file=name, pdf_sha256=hashlib.sha256(content).hexdigest(), made_at=timezone.now(), error=""
    )
    return len(content)
