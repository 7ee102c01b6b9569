"""Pages of the member and plot register."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, npgettext
from django.views.decorators.http import require_POST, require_safe

from coop import exports, services
from coop.forms import MemberForm, PlotFormSet
from coop.history import change_log
from coop.maps import plot_map
from coop.models import (
    CertificationFilter,
    ExportFormat,
    ExportStatus,
    Member,
    MemberStatus,
    MemberStatusChange,
    Plot,
    RegisterExport,
)
from coop.wording import status_word
from toolkit.dates import TypedDateField
from toolkit.roles import (
    ADMINISTRATOR,
    ALL_ROLES,
    REVIEWERS,
    has_role,
    role_required,
)
from toolkit.uploads import SpreadsheetForm, stash_upload, take_upload
from toolkit.views import query_without_page

PAGE_SIZE = 50
EXPORT_ROLES = REVIEWERS

# Sections that apps above the register add to the member page (deliveries, account, statements):
# each is called with (request, member) and returns HTML. The composition root (config.pages)
# registers them, so the register imports none of those apps.
MEMBER_PAGE_SECTIONS: list = []


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Buscar"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Estado"), required=False, choices=[("", _("Todos"))] + MemberStatus.choices
    )
    community = forms.CharField(label=_("Comunidad"), required=False, max_length=100)
    certification = forms.ChoiceField(
        label=_("Certificación"), required=False, choices=[("", _("Todas"))] + CertificationFilter.choices
    )


@role_required(*ALL_ROLES)
def member_list(request):
    form = MemberFilterForm(request.GET or None)
    members = Member.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            members = members.search(data["q"])
        if data["status"]:
            members = members.filter(status=data["status"])
        if data["community"]:
            members = members.filter(community=data["community"])
        if data["certification"]:
            members = members.with_certification(data["certification"])
    members = members.only("code", "dni", "name", "sex", "community", "district", "status").order_by("code")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    # Plot counts and certifications for this page only, in one query.
    page_ids = [m.pk for m in page.object_list]
    plots_by_member: dict[int, list[Plot]] = {}
    for plot in Plot.objects.filter(member_id__in=page_ids).only(
        "member_id", "fairtrade_certified", "organic_stage", "total_area_ha"
    ):
        plots_by_member.setdefault(plot.member_id, []).append(plot)
    rows = []
    for member in page.object_list:
        plots = plots_by_member.get(member.pk, [])
        rows.append(
            {
                "member": member,
                "plot_count": len(plots),
                "area": sum((p.total_area_ha or 0) for p in plots),
                "fairtrade": any(p.fairtrade_certified for p in plots),
                "organic": any(p.organic_stage == "organic" for p in plots),
            }
        )
    return render(
        request,
        "coop/member_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "communities": Member.objects.communities(),
            "query_string": query_without_page(request),
            "can_export": has_role(request.user, *EXPORT_ROLES),
        },
    )


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("Nuevo estado"), choices=MemberStatus.choices)
    effective_date = TypedDateField(
        label=_("Fecha"),
    )
    note = forms.CharField(label=_("Motivo"), required=False, max_length=300)


@role_required(*ALL_ROLES)
def member_detail(request, code):
    member = get_object_or_404(
        Member.objects.prefetch_related(
            Prefetch("plots", queryset=Plot.objects.order_by("code")),
            Prefetch("status_changes", queryset=MemberStatusChange.objects.select_related("recorded_by")),
        ),
        code=code,
    )
    plots = list(member.plots.all())
    status_form = StatusChangeForm(initial={"effective_date": timezone.localdate()})
    status_form.fields["status"].choices = [
        (value, status_word(value, member.sex)) for value in MemberStatus.values
    ]
    return render(
        request,
        "coop/member_detail.html",
        {
            "member": member,
            "plots": plots,
            "map": plot_map(plots),
            "total_area": sum((p.total_area_ha or 0) for p in plots),
            "producing_area": sum((p.cocoa_producing_ha or 0) for p in plots),
            "status_changes": member.status_changes.all(),
            "changes": change_log(member, limit=60),
            "status_form": status_form,
            "can_edit": has_role(request.user, ADMINISTRATOR),
            "sections": [section(request, member) for section in MEMBER_PAGE_SECTIONS],
        },
    )


@role_required(ADMINISTRATOR)
@require_POST
def member_status_change(request, code):
    member = get_object_or_404(Member, code=code)
    form = StatusChangeForm(request.POST)
    if form.is_valid():
        try:
            change = services.change_member_status(member=member, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for error_list in exc.message_dict.values():
                for error in error_list:
                    messages.error(request, error)
        else:
            messages.success(
                request,
                _("Estado de %(name)s cambiado a «%(status)s» desde el %(date)s.")
                % {
                    "name": member.name,
                    "status": status_word(change.status, member.sex),
                    "date": change.effective_date.strftime("%d/%m/%Y"),
                },
            )
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
    return redirect(member.get_absolute_url())


@role_required(ADMINISTRATOR)
def member_edit(request, code):
    """Correct a member's data and plots (not the code, not the status): all saved or nothing."""
    member = get_object_or_404(Member, code=code)
    plots = Plot.objects.filter(member=member).order_by("code")
    data = request.POST if request.method == "POST" else None
    # The form gets its own copy: a refused edit must not show the typed name as the member's.
    form = MemberForm(data, instance=Member.objects.get(pk=member.pk))
    formset = PlotFormSet(data, queryset=plots, prefix="parcelas")
    if data is not None and form.is_valid() and formset.is_valid():
        plot_forms = {f.instance.pk: f for f in formset.forms if f.instance.pk}
        if len(plot_forms) != len(formset.forms):  # a plot not of this member, or one not yet saved
            form.add_error(
                None, _("Las parcelas del socio cambiaron mientras editaba. Vuelva a abrir la página.")
            )
            return render(
                request,
                "coop/member_edit.html",
                {"member": member, "form": form, "formset": formset, "refused": True},
            )
        try:
            changed = services.update_member(
                member=member,
                user=request.user,
                values={name: form.cleaned_data[name] for name in services.MEMBER_EDIT_FIELDS},
                plots={
                    pk: {name: f.cleaned_data[name] for name in services.PLOT_EDIT_FIELDS}
                    for pk, f in plot_forms.items()
                },
            )
        except ValidationError as exc:
            _attach_errors(exc, form, plot_forms)
        else:
            if changed:
                messages.success(
                    request,
                    _("Datos de %(name)s guardados; el cambio queda en el historial del socio.")
                    % {"name": form.cleaned_data["name"]},
                )
            else:
                messages.info(request, _("No había nada que cambiar."))
            return redirect(member.get_absolute_url())
    return render(
        request,
        "coop/member_edit.html",
        {
            "member": member,
            "form": form,
            "formset": formset,
            "refused": data is not None,
        },
    )


def _attach_errors(exc: ValidationError, form, plot_forms) -> None:
    """Put the service's refusals beside the fields they name (a plot's: «plots.<id>.<field>»)."""
    for key, problems in exc.message_dict.items():
        target, field_name = form, key
        if key.startswith("plots."):
            _prefix, pk, field_name = key.split(".", 2)
            target = plot_forms.get(int(pk), form)
        for problem in problems:
            target.add_error(field_name if field_name in target.fields else None, problem)


class ImportForm(SpreadsheetForm):
    file = SpreadsheetForm.file_field(_("Archivo de la hoja de trazabilidad (xlsx o csv)"))


@role_required(ADMINISTRATOR)
def register_import(request):
    """Upload → check (dry run, nothing saved) → confirm → import, all or nothing."""
    if request.method == "POST" and "token" in request.POST:
        stashed = take_upload(request, request.POST["token"])
        if stashed is None:
            messages.error(request, _("Esta importación ya se realizó o expiró. Vuelva a subir el archivo."))
            return redirect("coop:register_import")
        report = services.import_register(
            source=stashed["data"], filename=stashed["name"], dry_run=False, user=request.user
        )
        if report.ok:
            messages.success(request, import_summary(report))
        return render(
            request,
            "coop/import.html",
            {
                "form": ImportForm(),
                "report": report,
                "filename": stashed["name"],
                "done": report.ok,
                **member_lists(report),
            },
        )

    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None, request=request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        report = services.import_register(source=data, filename=upload.name, dry_run=True, user=request.user)
        # Only a file that passed its check waits for «confirm» (toolkit/uploads.py deletes it then).
        token = stash_upload(request, upload.name, data) if report.ok else None
        return render(
            request,
            "coop/import.html",
            {
                "form": ImportForm(),
                "report": report,
                "filename": upload.name,
                "token": token,
                **member_lists(report),
            },
        )
    return render(request, "coop/import.html", {"form": form})


LISTED_MEMBERS = 300  # a first import of thousands lists the first ones; the register has the rest
LISTED_CHANGES = 2000  # field by field: old and new value of each


def member_lists(report) -> dict:
    """The new and changed members the result page lists, and how many are left out of each list."""
    return {
        "new_members": report.new_members[:LISTED_MEMBERS],
        "new_members_more": max(len(report.new_members) - LISTED_MEMBERS, 0),
        "changed_members": report.changed_members[:LISTED_MEMBERS],
        "changed_members_more": max(len(report.changed_members) - LISTED_MEMBERS, 0),
        "changes": report.changes[:LISTED_CHANGES],
        "changes_more": max(len(report.changes) - LISTED_CHANGES, 0),
    }


def import_summary(report) -> str:
    """«Importación realizada: 3 socios nuevos, 1 actualizado, 5 parcelas nuevas, 0 actualizadas.»"""
    # Each count is a phrase with its own plural; the sentence around them is one message.
    counts = {
        "new_members": ngettext("%(count)s socio nuevo", "%(count)s socios nuevos", report.members_created),
        "updated_members": npgettext(
            "socios", "%(count)s actualizado", "%(count)s actualizados", report.members_updated
        ),
        "new_plots": ngettext("%(count)s parcela nueva", "%(count)s parcelas nuevas", report.plots_created),
        "updated_plots": npgettext(
            "parcelas", "%(count)s actualizada", "%(count)s actualizadas", report.plots_updated
        ),
    }
    numbers = {
        "new_members": report.members_created,
        "updated_members": report.members_updated,
        "new_plots": report.plots_created,
        "updated_plots": report.plots_updated,
    }
    phrases = {key: text % {"count": numbers[key]} for key, text in counts.items()}
    return (
        _("Importación realizada: %(new_members)s, %(updated_members)s, %(new_plots)s, %(updated_plots)s.")
        % phrases
    )


@role_required(*EXPORT_ROLES)
def register_export(request):
    """The register as the traceability sheet, made in the background (coop.exports): a POST queues it
    and leads to its progress page; the page lists the latest exports to download."""
    if request.method == "POST":
        fmt = request.POST.get("formato")
        export = exports.start_register_export(
            fmt=fmt if fmt in ExportFormat.values else ExportFormat.XLSX, user=request.user
        )
        return redirect("coop:register_export_run", pk=export.pk)
    return render(
        request,
        "coop/register_export.html",
        {
            "formats": ExportFormat.choices,
            "chosen": request.GET.get("formato", ExportFormat.XLSX),
            "exports": RegisterExport.objects.select_related("requested_by")[:10],
        },
    )


@role_required(*EXPORT_ROLES)
def register_export_run(request, pk):
    export = get_object_or_404(RegisterExport.objects.select_related("requested_by"), pk=pk)
    template = "coop/_export_progress.html" if request.htmx else "coop/register_export_run.html"
    return render(request, template, {"export": export})


@role_required(*EXPORT_ROLES)
@require_safe
def register_export_file(request, pk):
    export = get_object_or_404(RegisterExport, pk=pk)
    path = exports.export_folder(export) / export.filename
    if export.status != ExportStatus.DONE or not export.filename or not path.is_file():
        raise Http404(_("El archivo todavía no está listo."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=exports.CONTENT_TYPES[export.format],
    )
