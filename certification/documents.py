"""Issuing a document: a number, an archival PDF with its data attached, and the hashes that verify it.

Each document is a PDF/A-3b file carrying its data as a CSV attachment. The
SHA-256 of that CSV is the verification code printed on the document; the
SHA-256 of the PDF file is kept too, so the public verification page can
confirm an uploaded copy is the very file Minka issued.

A document reads in the language of whoever asks for it (a certifier may read
English), but what it records does not depend on that: the attached CSV data
(so its SHA-256, the verification code) and the title and figures kept in
``IssuedDocument`` are written in the cooperative's language
(``settings.LANGUAGE_CODE``). Text a draft shares between the PDF and its data
is lazy (``lazy_text``) and becomes words where it is used.

Rendering happens outside any transaction (it takes the longest); only the
number is taken under a short row lock, so two printers never wait on each
other's rendering. A render that fails leaves its number unused.
"""

import csv
import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise, lazy

from certification.models import DocumentCounter, DocumentKind, IssuedDocument
from ledger.selectors import chain_head
from toolkit.pdf import absolute_url, qr_svg, render_pdf
from toolkit.spreadsheets import neutralize_row
from toolkit.verification import paper_verify_url


@dataclass
class DocumentDraft:
    """What a document says, before it is numbered and rendered."""

    kind: DocumentKind
    title: str  # may be lazy: the PDF shows it in the reader's language, the record keeps it in the data's
    template: str
    context: dict
    table: list[list]  # the data attached as CSV: header row first
    # Shown on the verification page: labels marked for translation (kept in the data's language and
    # translated when shown), values as they are.
    summary: list[tuple[str, str]] = field(default_factory=list)
    season: object = None
    member: object = None
    csv_name: str = "datos.csv"


def data_language():
    """The language of what a document records (its data, its title and figures): the cooperative's."""
    return translation.override(settings.LANGUAGE_CODE)


def recorded(text) -> str:
    """A text (lazy or not) as the records keep it, in the cooperative's language."""
    with data_language():
        return str(text)


def lazy_text(build: Callable[[], str]):
    """Text made when it is shown, in the language active then: ``build`` is called each time."""
    return lazy(build, str)()


def data_csv(rows: list[list]) -> bytes:
    """The attached data: UTF-8 with BOM so Excel reads the accents; amounts as plain 1234.56.

    Written in the cooperative's language whatever the reader's, so the same figures always give the
    same verification code.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    with data_language():
        for row in rows:
            writer.writerow(neutralize_row([str(v) if isinstance(v, Promise) else v for v in row]))
    return buffer.getvalue().encode("utf-8-sig")


def _fixed_point_text(units: int, places: int) -> str:
    """An integer count of small units as plain decimal text: exact integer arithmetic, no float."""
    sign = "-" if units < 0 else ""
    whole, rest = divmod(abs(int(units)), 10**places)
    return f"{sign}{whole}.{rest:0{places}d}"


def kg_text(grams: int) -> str:
    """Grams as kilograms with three decimals, for data files: 12500 → 12.500."""
    return _fixed_point_text(grams, 3)


def money_text(minor: int) -> str:
    """Céntimos or cents with two decimals, for data files: -123456 → -1234.56."""
    return _fixed_point_text(minor, 2)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def season_period(season) -> str:
    """«01/01/2026 – 31/12/2026», as every season's document shows it under its title."""
    return (
        f"{date_format(season.starts_on, 'SHORT_DATE_FORMAT')} – "
        f"{date_format(season.ends_on, 'SHORT_DATE_FORMAT')}"
    )


def take_number(kind: DocumentKind) -> str:
    with transaction.atomic():
        DocumentCounter.objects.get_or_create(kind=kind)
        DocumentCounter.objects.filter(kind=kind).update(last_number=F("last_number") + 1)
        last = DocumentCounter.objects.values_list("last_number", flat=True).get(kind=kind)
    return f"{kind.prefix}-{last:07d}"


def verification_path(key: uuid.UUID) -> str:
    return reverse("document_verify", args=[key])


def issue(draft: DocumentDraft, *, user=None, request=None) -> tuple[IssuedDocument, bytes]:
    """Number, render and record the document; returns the record and the PDF bytes."""
    data = data_csv(draft.table)
    content_hash = sha256(data)
    key = uuid.uuid4()
    number = take_number(draft.kind)
    issued_at = timezone.now()
    url = absolute_url(verification_path(key), request)
    context = {
        **draft.context,
        "period": season_period(draft.season) if draft.season else "",
        "document": {
            "number": number,
            "title": draft.title,
            "code": content_hash,
            "verify_url": url,
            "qr": qr_svg(url, scale=2),
            "paper_code": IssuedDocument.paper_code_for(key),
            "paper_url": paper_verify_url(request),
            "kind": draft.kind.label,
            "issued_at": issued_at,
            "minka_version": settings.MINKA_VERSION,
            # The journal's chain head when the paper was made: an anchor outside the database.
            "chain_head": chain_head(),
        },
    }
    pdf = render_pdf(draft.template, context, attachments={draft.csv_name: data})
    # The record and its seal (certification.integrity) in one transaction: never one without the other.
    with transaction.atomic():
        document = IssuedDocument.objects.create(
            number=number,
            kind=draft.kind,
            title=recorded(draft.title)[:250],
            season=draft.season,
            member=draft.member,
            summary=[[recorded(label), recorded(value)] for label, value in draft.summary],
            content_hash=content_hash,
            file_sha256=sha256(pdf),
            verification_key=key,
            issued_at=issued_at,
            minka_version=settings.MINKA_VERSION,
            issued_by=user,
        )
    return document, pdf
