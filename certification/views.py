"""Statements, the certifier's portal, downloads (each logged) and the public document verification page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, render

from certification.documents import issue, sha256
from certification.models import DownloadLog, IssuedDocument
from certification.statements import statement_draft
from config.pdf import pdf_response
from config.roles import READERS, public, role_required
from coop.models import Member, Season

MAX_VERIFY_UPLOAD = 30 * 1024 * 1024


def _logged_pdf(request, document: IssuedDocument, pdf: bytes, filename: str, *, season=None):
    DownloadLog.objects.create(
        user=request.user,
        what=document.title[:200],
        season=season or document.season,
        document=document,
        filename=filename,
    )
    return pdf_response(pdf, filename)


@role_required(*READERS)
def member_statement_pdf(request, code, season):
    """A member's statement for a season, issued (numbered, recorded) each time it is asked for."""
    member = get_object_or_404(Member, code=code)
    season = get_object_or_404(Season, code=season)
    document, pdf = issue(statement_draft(member=member, season=season), user=request.user, request=request)
    return _logged_pdf(
        request, document, pdf, f"{document.number}-estado-de-cuenta-{member.code}-{season.code}.pdf"
    )


@public
def document_verify(request, key):
    """Anyone holding a document checks here that Minka issued it, its figures, and (uploading it)
    that the file was not altered."""
    document = IssuedDocument.objects.filter(verification_key=key).select_related("issued_by").first()
    if document is None:
        return render(request, "certification/verify.html", {"document": None}, status=404)
    outcome = None
    if request.method == "POST":
        upload = request.FILES.get("archivo")
        if upload is None:
            messages.error(request, "Elija el archivo PDF del documento para compararlo.")
        elif upload.size > MAX_VERIFY_UPLOAD:
            messages.error(request, "El archivo es demasiado grande para ser este documento.")
        else:
            outcome = "same" if sha256(upload.read()) == document.file_sha256 else "different"
    return render(request, "certification/verify.html", {"document": document, "outcome": outcome})
