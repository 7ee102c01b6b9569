"""The certifier's portal, the documents it hands out (each download logged) and the public verification page.

Nothing here writes to the cooperative's records: reports are read, issued
as numbered documents and downloaded. Starting a print run of statements is
the one action, and only administration and treasury may take it.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from acopio.models import Lot
from certification import eudr, pack_runs, paper, printing
from certification.documents import DocumentDraft, issue, sha256
from certification.fairtrade_report import fairtrade_workbook
from certification.models import AuditPackRun, DownloadLog, IssuedDocument, PrintStatus, StatementRun
from certification.reports import fund_report_draft, season_report_draft
from certification.statements import statement_draft
from coop.models import Member, Season
from toolkit.dates import TypedDateField
from toolkit.pdf import pdf_response
from toolkit.replica import reads_reports
from toolkit.roles import (
    ADMINISTRATOR,
    FUND_READERS,
    OVERSIGHT,
    READERS,
    TREASURER,
    has_role,
    public,
    role_required,
)
from toolkit.throttle import Throttle
from toolkit.uploads import upload_refusal
from toolkit.verification import read_code
from toolkit.views import query_without_page, token_or_none

MAX_VERIFY_UPLOAD = 30 * 1024 * 1024
PORTAL_READERS = FUND_READERS  # administration, board, oversight, certifiers and treasury
STATEMENT_PRINTERS = (ADMINISTRATOR, TREASURER)


def log_download(request, what: str, filename: str, *, season=None, document=None) -> None:
    """Record a download. ``what`` is a record, searched by words in the log: it is written in the
    cooperative's language (Spanish), like a journal entry's description, whatever the reader's."""
    DownloadLog.objects.create(
        user=request.user, what=what[:200], season=season, document=document, filename=filename[:200]
    )


def _issued_pdf(request, draft: DocumentDraft, filename: str):
    document, pdf = issue(draft, user=request.user, request=request)
    filename = f"{document.number}-{filename}"
    log_download(request, document.title, filename, season=document.season, document=document)
    return pdf_response(pdf, filename)


@role_required(*PORTAL_READERS)
@reads_reports
def portal(request):
    """Everything a certifier reads and downloads for a season, on one page."""
    seasons, season = Season.chosen(request.GET.get("campana"))
    members = Member.objects.order_by("code")
    query = request.GET.get("q", "").strip()
    if query:
        members = Member.objects.search(query).order_by("code")
    return render(
        request,
        "certification/portal.html",
        {
            "seasons": seasons,
            "season": season,
            "query": query,
            "page": Paginator(members, 25).get_page(request.GET.get("page")),
            "packs": AuditPackRun.objects.filter(season=season).select_related("requested_by")[:3]
            if season
            else [],
            "eu_lots": Lot.objects.filter(season=season, for_eu=True).order_by("code") if season else [],
            "runs": StatementRun.objects.filter(season=season).select_related("requested_by")[:5]
            if season
            else [],
            "can_print": has_role(request.user, *STATEMENT_PRINTERS),
            "downloads": visible_downloads(request.user)[:10],
            "query_string": query_without_page(request),
        },
    )


def sees_every_download(user) -> bool:
    return has_role(user, ADMINISTRATOR, OVERSIGHT)


def visible_downloads(user):
    """Administration and oversight see everyone's downloads; everybody else their own."""
    downloads = DownloadLog.objects.select_related("user", "season", "document")
    return downloads if sees_every_download(user) else downloads.filter(user=user)


class DownloadFilterForm(forms.Form):
    """What an auditor of the log asks: who, which season, between which days, what."""

    usuario = forms.ModelChoiceField(
        label=_("Usuario"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Todos"),
        to_field_name="username",
    )
    campana = forms.ModelChoiceField(
        label=_("Campaña"),
        queryset=Season.objects.order_by("-starts_on"),
        required=False,
        empty_label=_("Todas"),
        to_field_name="code",
    )
    desde = TypedDateField(label=_("Desde"), required=False)
    hasta = TypedDateField(label=_("Hasta"), required=False)
    q = forms.CharField(label=_("Documento o archivo"), required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if sees_every_download(user):
            self.fields["usuario"].queryset = (
                get_user_model()
                .objects.filter(pk__in=DownloadLog.objects.values("user"))
                .order_by("username")
            )
        else:
            del self.fields["usuario"]  # a certifier's log is theirs only

    def clean(self):
        data = super().clean()
        if data.get("desde") and data.get("hasta") and data["desde"] > data["hasta"]:
            raise forms.ValidationError(_("La fecha «Desde» es posterior a la fecha «Hasta»."))
        return data

    def apply(self, downloads):
        data = self.cleaned_data
        if data.get("usuario"):
            downloads = downloads.filter(user=data["usuario"])
        if data.get("campana"):
            downloads = downloads.filter(season=data["campana"])
        if data.get("desde"):
            downloads = downloads.filter(at__date__gte=data["desde"])
        if data.get("hasta"):
            downloads = downloads.filter(at__date__lte=data["hasta"])
        if data.get("q"):
            downloads = downloads.filter(Q(what__icontains=data["q"]) | Q(filename__icontains=data["q"]))
        return downloads


@role_required(*PORTAL_READERS)
@reads_reports
def download_log(request):
    """Every logged download, newest first, 50 to a page; filtered by user, season, dates or words."""
    form = DownloadFilterForm(request.GET or None, user=request.user)
    downloads = visible_downloads(request.user)
    if form.is_bound:
        downloads = form.apply(downloads) if form.is_valid() else downloads.none()
    page = Paginator(downloads, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/download_log.html",
        {
            "page": page,
            "form": form,
            "filtered": form.is_bound,
            "query_string": query_without_page(request),
        },
    )


@role_required(*READERS)
@require_safe
@reads_reports
def member_statement_pdf(request, code, season):
    """A member's statement for a season, issued (numbered, recorded) each time it is asked for."""
    member = get_object_or_404(Member, code=code)
    season = get_object_or_404(Season, code=season)
    return _issued_pdf(
        request,
        statement_draft(member=member, season=season),
        f"estado-de-cuenta-{member.code}-{season.code}.pdf",
    )


@role_required(*PORTAL_READERS)
@require_safe
@reads_reports
def fund_report_pdf(request, season):
    season = get_object_or_404(Season, code=season)
    return _issued_pdf(request, fund_report_draft(season), f"fondo-de-prima-{season.code}.pdf")


@role_required(*PORTAL_READERS)
@require_safe
@reads_reports
def season_report_pdf(request, season):
    season = get_object_or_404(Season, code=season)
    return _issued_pdf(request, season_report_draft(season), f"informe-de-campana-{season.code}.pdf")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"


def _download(
    request, content: bytes, filename: str, content_type: str, what: str, season=None
) -> HttpResponse:
    log_download(request, what, filename, season=season)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*PORTAL_READERS)
@require_safe
@reads_reports
def fairtrade_xlsx(request, season):
    season = get_object_or_404(Season, code=season)
    return _download(
        request,
        fairtrade_workbook(season),
        f"comercio-justo-{season.code}.xlsx",
        XLSX,
        f"Reporte de Comercio Justo, {season.name}",
        season,
    )


@role_required(*PORTAL_READERS)
@require_POST
def audit_pack_start(request, season):
    """Made in the background: a season of half a million deliveries takes about a minute."""
    season = get_object_or_404(Season, code=season)
    run = pack_runs.start_pack_run(season=season, user=request.user)
    return redirect("certification:audit_pack_run", pack=run.pk)


@role_required(*PORTAL_READERS)
def audit_pack_run(request, pack):
    run = get_object_or_404(AuditPackRun.objects.select_related("season", "requested_by"), pk=pack)
    template = "certification/_pack_progress.html" if request.htmx else "certification/pack_run.html"
    return render(request, template, {"run": run})


@role_required(*PORTAL_READERS)
@require_safe
def audit_pack_zip(request, pack):
    run = get_object_or_404(AuditPackRun.objects.select_related("season"), pk=pack)
    path = pack_runs.pack_folder(run) / run.filename
    if run.status != PrintStatus.DONE or not path.is_file():
        raise Http404(gettext("El paquete todavía no está listo."))
    log_download(
        request,
        f"Paquete de auditoría de la {run.season.name} ({run.files} archivos)",
        run.filename,
        season=run.season,
    )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=run.filename, content_type="application/zip"
    )


@role_required(*PORTAL_READERS)
@require_safe
@reads_reports
def eudr_season(request, season):
    season = get_object_or_404(Season, code=season)
    try:
        content = eudr.season_geojson_bytes(season)
    except ValidationError as exc:
        return _eudr_refused(request, season.name, exc.messages, season)
    return _download(
        request,
        content,
        f"eudr-{season.code}.geojson",
        GEOJSON,
        f"Geolocalización EUDR, lotes para la UE de la {season.name}",
        season,
    )


@role_required(*PORTAL_READERS)
@require_safe
@reads_reports
def eudr_lot(request, lot):
    lot = get_object_or_404(Lot.objects.select_related("season"), code=lot)
    try:
        content = eudr.lot_geojson_bytes(lot)
    except ValidationError as exc:
        return _eudr_refused(request, gettext("lote %(code)s") % {"code": lot.code}, exc.messages, lot.season)
    return _download(
        request,
        content,
        f"eudr-lote-{lot.code}.geojson",
        GEOJSON,
        f"Geolocalización EUDR del lote {lot.code}",
        lot.season,
    )


def _eudr_refused(request, subject: str, problems: list[str], season):
    """No file when a plot fails: the page names each plot and what is wrong with it."""
    return render(
        request,
        "certification/eudr_refused.html",
        {"subject": subject, "problems": problems, "season": season},
        status=422,
    )


# --- Printing every statement of a season ------------------------------------------------------------


@role_required(*STATEMENT_PRINTERS)
@require_POST
def statement_run_start(request, season):
    season = get_object_or_404(Season, code=season)
    try:
        run = printing.start_statement_run(season=season, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(f"{reverse('certification:portal')}?campana={season.code}")
    return redirect("certification:statement_run", pk=run.pk)


@role_required(*PORTAL_READERS)
def statement_run(request, pk):
    run = get_object_or_404(StatementRun.objects.select_related("season", "requested_by"), pk=pk)
    template = "certification/_run_progress.html" if request.htmx else "certification/statement_run.html"
    return render(request, template, {"run": run, "can_print": has_role(request.user, *STATEMENT_PRINTERS)})


@role_required(*STATEMENT_PRINTERS)
@require_POST
def statement_run_resume(request, pk):
    """A failed or stalled run prints what it is missing; what is on disk is kept."""
    run = get_object_or_404(StatementRun, pk=pk)
    try:
        run = printing.resume_statement_run(run)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            ngettext(
                "Impresión reanudada: falta %(n)d estado de cuenta.",
                "Impresión reanudada: faltan %(n)d estados de cuenta.",
                run.missing,
            )
            % {"n": run.missing},
        )
    return redirect("certification:statement_run", pk=run.pk)


@role_required(*PORTAL_READERS)
@require_safe
def statement_run_file(request, pk, code=None, batch=None):
    """One member's statement from a run, a batch's PDF to print, or (neither) the ZIP with all of them."""
    run = get_object_or_404(StatementRun.objects.select_related("season"), pk=pk)
    if batch is not None:
        described = next((b for b in run.batches if b["name"] == batch), None)
        if described is None:
            raise Http404(gettext("Esa comunidad no está en esta impresión."))
        if run.status != PrintStatus.DONE:
            raise Http404(gettext("La impresión todavía no terminó."))
        name = printing.batch_pdf(run, described).name
        what = (
            f"Estados de cuenta de {described['community'] or 'socios sin comunidad'}, parte "
            f"{described['part']} de {described['parts']}, {run.season.name} (impresión {run.pk})"
        )
    elif code is None:
        if run.status != PrintStatus.DONE:
            raise Http404(gettext("La impresión todavía no terminó."))
        name, what = run.combined_file, f"Estados de cuenta de la {run.season.name} (impresión {run.pk})"
    else:
        name = printing.statement_filename(code, run.season.code)
        what = f"Estado de cuenta de {code}, {run.season.name} (impresión {run.pk})"
    path = printing.run_folder(run) / name
    if not path.is_file():
        raise Http404(gettext("Ese archivo no existe en esta impresión."))
    log_download(request, what, name, season=run.season)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


# --- Public verification ----------------------------------------------------------------------------


@public
def document_verify(request, key):
    """Anyone holding a document checks here that Minka issued it, its figures, and (uploading it)
    that the file was not altered."""
    key = token_or_none(key)  # text that is not a key finds no document, like an unknown key
    document = key and IssuedDocument.objects.filter(verification_key=key).select_related("issued_by").first()
    if document is None:
        return render(request, "certification/verify.html", {"document": None}, status=404)
    outcome = None
    if request.method == "POST":
        upload = request.FILES.get("archivo")
        if refusal := upload_refusal(request):
            messages.error(request, refusal)
        elif upload is None:
            messages.error(request, gettext("Elija el archivo PDF del documento para compararlo."))
        elif upload.size > MAX_VERIFY_UPLOAD:
            messages.error(request, gettext("El archivo es demasiado grande para ser este documento."))
        else:
            outcome = "same" if sha256(upload.read()) == document.file_sha256 else "different"
    return render(request, "certification/verify.html", {"document": document, "outcome": outcome})


# Wrong number-and-code pairs from one address: after 10 in 15 minutes, /verificar/ refuses it for the
# rest of that time (the sign-in lock's measure). 40 tries an hour against a 40-bit code.
PAPER_GUESSES = Throttle("paper-verify", limit=10, window=15 * 60)


class PaperVerifyForm(forms.Form):
    numero = forms.CharField(
        label=_("Número del recibo, documento o acta"),
        max_length=40,
        error_messages={"required": _("Escriba el número impreso en el recibo, documento o acta.")},
    )
    codigo = forms.CharField(
        label=_("Código corto"),
        max_length=40,
        error_messages={"required": _("Escriba el código corto impreso junto al número.")},
    )

    def clean_numero(self):
        typed = self.cleaned_data["numero"]
        if paper.read_number(typed) is None:
            raise forms.ValidationError(
                _(
                    "«%(typed)s» no es un número de Minka. Escríbalo como está impreso, con su guion: "
                    "C01-000123 (recibo), EC-0000001 (documento) o AG-000012 (acta)."
                ),
                params={"typed": typed},
            )
        return typed

    def clean_codigo(self):
        typed = self.cleaned_data["codigo"]
        if read_code(typed) is None:
            raise forms.ValidationError(
                _("«%(typed)s» no es un código corto: tiene 8 letras y cifras, como 7KQ2-M9XD."),
                params={"typed": typed},
            )
        return typed


@public
def paper_verify(request):
    """For whoever holds a paper receipt or document and no QR reader: its number and the short code
    printed beside it open the same verification page as the QR code; anything else is refused, naming
    what was wrong but never whether the number exists."""
    form = PaperVerifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if PAPER_GUESSES.blocked(request):
            return render(
                request, "certification/paper_verify.html", {"form": form, "blocked": True}, status=429
            )
        if form.is_valid():
            page = paper.verification_page(
                number=form.cleaned_data["numero"], code=form.cleaned_data["codigo"]
            )
            if page:
                return redirect(page)
            PAPER_GUESSES.failed(request)
            form.add_error(
                None,
                _(
                    "El número y el código corto no corresponden a ningún recibo, documento o acta de Minka. "
                    "Revise los dos en su papel; si están bien escritos, el papel puede no ser auténtico: "
                    "consulte en la cooperativa."
                ),
            )
        return render(request, "certification/paper_verify.html", {"form": form}, status=400)
    return render(request, "certification/paper_verify.html", {"form": form})
