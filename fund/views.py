"""Pages of the premium fund: the overview, the Development Plan, spending and its signatures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from coop.models import Season
from fund.models import (
    AGE_BANDS,
    ActivityStatus,
    ApprovalCapacity,
    BudgetLine,
    PremiumCategory,
    PremiumConversion,
    Spending,
    SpendingApproval,
    SpendingKind,
    SpendingStatus,
)
from fund.selectors import fund_report, line_remaining_minor, plan_progress
from fund.services import (
    CAPACITY_ROLES,
    PROGRESS_COUNTS,
    approve_spending,
    convert_premium,
    draft_budget_line,
    register_distribution,
    register_spending,
    reject_spending,
    report_progress,
    reverse_spending,
)
from toolkit.money import format_money
from toolkit.pdf import pdf_response, render_pdf
from toolkit.roles import (
    ADMINISTRATOR,
    FUND_READERS,
    PLAN_DRAFTERS,
    SPENDING_APPROVERS,
    has_role,
    role_required,
)
from toolkit.views import date_or_none, errors_of, refused

SHARES_PER_PAGE = 100
# Where the board takes a Development Plan to the general assembly. The fund never reaches the
# assemblies, which sit above it: the composition root names the page (config.pages).
PROPOSE_PLAN_AT: str | None = None
ENTRY_LINES_SHOWN = 10  # a distribution's entry has a line per member: the payroll lists them all


@role_required(*FUND_READERS)
def fund_overview(request):
    report = fund_report()
    spendings = (
        Spending.objects.select_related("line", "created_by")
        .prefetch_related(Prefetch("approvals", SpendingApproval.objects.select_related("user")))
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "fund/overview.html",
        {
            "report": report,
            "spendings": spendings,
            "today": timezone.localdate(),
            "conversions": PremiumConversion.objects.select_related("entered_by")[:20],
            "can_draft_plan": has_role(request.user, *PLAN_DRAFTERS),
            "propose_plan_url": PROPOSE_PLAN_AT and reverse(PROPOSE_PLAN_AT),
        },
    )


@role_required(ADMINISTRATOR)
@require_POST
def premium_conversion(request):
    try:
        conversion = convert_premium(
            usd=request.POST.get("usd", ""),
            rate=request.POST.get("rate", ""),
            on=date_or_none(request.POST.get("on")),
            document=request.POST.get("document", ""),
            user=request.user,
        )
    except ValidationError as exc:
        refused(request, exc, about=_("Cambio a soles"))
    else:
        messages.success(
            request,
            _("Operación %(document)s: %(usd)s a %(rate)s = %(pen)s al fondo en soles.")
            % {
                "document": conversion.document,
                "usd": format_money(conversion.usd_cents, "USD"),
                "rate": conversion.rate,
                "pen": format_money(conversion.pen_minor, "PEN"),
            },
        )
    return redirect("fund:fund_overview")


@role_required(*PLAN_DRAFTERS)
def budget_line_new(request):
    """The board drafts an activity of the Development Plan (or a reallocation between activities)."""
    errors, data = {}, request.POST if request.method == "POST" else request.GET
    authorized = list(
        BudgetLine.objects.filter(authorization__isnull=False).select_related("season").order_by("-id")
    )
    if request.method == "POST":
        source = next((line for line in authorized if str(line.pk) == data.get("reallocated_from")), None)
        try:
            line = draft_budget_line(
                season=Season.picked(data.get("season")),
                purpose=data.get("purpose", ""),
                objective=data.get("objective", ""),
                category=data.get("category", ""),
                amount=data.get("amount", ""),
                starts_on=date_or_none(data.get("starts_on")),
                ends_on=date_or_none(data.get("ends_on")),
                responsible=data.get("responsible", ""),
                beneficiaries=data.get("beneficiaries", ""),
                women=data.get("women", ""),
                youth=data.get("youth", ""),
                indicators=data.get("indicators", ""),
                reallocated_from=source,
                user=request.user,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(
                request,
                _(
                    "Actividad «%(line)s» agregada al plan como borrador por %(amount)s: "
                    "la asamblea debe aprobarla en una moción de presupuesto antes de gastar."
                )
                % {"line": line.purpose, "amount": format_money(line.amount_minor, "PEN")},
            )
            return redirect("fund:plan", season=line.season.code)
    return render(
        request,
        "fund/budget_line_form.html",
        {
            "errors": errors,
            "data": data,
            "seasons": Season.objects.all(),
            "categories": PremiumCategory.choices,
            "authorized": authorized,
        },
        status=400 if errors else 200,
    )


def _plan_season(code):
    return get_object_or_404(Season, code=code)


@role_required(*FUND_READERS)
def plan(request, season):
    """A season's Development Plan: premium expected and received, each activity and its progress."""
    season = _plan_season(season)
    return render(
        request,
        "fund/plan.html",
        {
            "plan": plan_progress(season),
            "seasons": Season.objects.order_by("-starts_on"),
            "can_draft_plan": has_role(request.user, *PLAN_DRAFTERS),
            "age_bands": AGE_BANDS,
        },
    )


@role_required(*FUND_READERS)
@require_safe
def plan_progress_pdf(request, season):
    """The progress report the board presents to the next general assembly, in the reader's language."""
    season = _plan_season(season)
    content = render_pdf(
        "fund/pdf/plan_progress.html",
        {"plan": plan_progress(season), "today": timezone.localdate(), "age_bands": AGE_BANDS},
    )
    return pdf_response(content, f"avance-plan-de-desarrollo-{season.code}.pdf")


@role_required(*PLAN_DRAFTERS)
def activity_progress_new(request, pk):
    line = get_object_or_404(BudgetLine.objects.select_related("season"), pk=pk)
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            report_progress(
                line=line,
                status=data.get("status", ""),
                achieved=data.get("achieved", ""),
                reached={field: data.get(field, "") for field in PROGRESS_COUNTS},
                reported_on=date_or_none(data.get("reported_on")),
                user=request.user,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("Avance de «%(line)s» registrado.") % {"line": line.purpose})
            return redirect("fund:plan", season=line.season.code)
    latest = line.progress.order_by("-reported_on", "-id").first()
    return render(
        request,
        "fund/progress_form.html",
        {
            "line": line,
            "errors": errors,
            "data": data,
            "latest": latest,
            "statuses": ActivityStatus.choices,
            "count_fields": [
                (f"{sex}_{band}", sex_label, band_label, data.get(f"{sex}_{band}", ""))
                for sex, sex_label in (("women", _("Mujeres")), ("men", _("Hombres")))
                for band, band_label in AGE_BANDS
            ],
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


@role_required(ADMINISTRATOR)
def spending_new(request):
    """A supplier's invoice or a cash distribution, against one authorized line."""
    data = request.POST if request.method == "POST" else request.GET
    lines = list(
        BudgetLine.objects.filter(authorization__isnull=False).select_related("season", "authorization")
    )
    for line in lines:
        line.remaining_minor = line_remaining_minor(line)
    errors = {}
    if request.method == "POST":
        line = next((line for line in lines if str(line.pk) == data.get("line")), None)
        common = {
            "line": line,
            "amount": data.get("amount", ""),
            "document": data.get("document", ""),
            "document_date": date_or_none(data.get("document_date")),
            "description": data.get("description", ""),
            "user": request.user,
        }
        try:
            if data.get("kind") == SpendingKind.DISTRIBUTION:
                spending = register_distribution(**common, season=Season.picked(data.get("season")))
            else:
                spending = register_spending(
                    **common, supplier=data.get("supplier", ""), ruc=data.get("ruc", "")
                )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(
                request,
                _(
                    "%(kind)s %(document)s registrado por %(amount)s: espera la aprobación "
                    "del consejo de administración y de tesorería."
                )
                % {
                    "kind": spending.get_kind_display(),
                    "document": spending.document,
                    "amount": format_money(spending.amount_minor, "PEN"),
                },
            )
            return redirect(spending.get_absolute_url())
    return render(
        request,
        "fund/spending_form.html",
        {
            "errors": errors,
            "data": data,
            "lines": lines,
            "seasons": Season.objects.all(),
            "kinds": SpendingKind.choices,
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


@role_required(*FUND_READERS)
def spending_detail(request, pk):
    spending = get_object_or_404(
        Spending.objects.select_related(
            "line__season", "line__authorization", "created_by", "season", "entry", "reversal_entry"
        ),
        pk=pk,
    )
    shares = Paginator(spending.shares.select_related("member").order_by("member__code"), SHARES_PER_PAGE)
    approvals = list(spending.approvals.select_related("user"))
    signed = {a.capacity for a in approvals}
    my_capacities = [
        (value, label)
        for value, label in ApprovalCapacity.choices
        if value not in signed and has_role(request.user, CAPACITY_ROLES[value])
    ]
    entry_lines = spending.entry.lines.select_related("account")[:ENTRY_LINES_SHOWN] if spending.entry else []
    return render(
        request,
        "fund/spending_detail.html",
        {
            "spending": spending,
            "approvals": approvals,
            "my_capacities": my_capacities,
            "already_signed": any(a.user_id == request.user.pk for a in approvals),
            "can_sign": spending.status == SpendingStatus.PENDING
            and has_role(request.user, *SPENDING_APPROVERS),
            "shares": shares.get_page(request.GET.get("page")),
            "share_count": shares.count,
            "entry_lines": entry_lines,
            "entry_line_count": spending.entry.lines.count() if spending.entry else 0,
        },
    )


@role_required(*SPENDING_APPROVERS)
@require_POST
def spending_approve(request, pk):
    spending = get_object_or_404(Spending, pk=pk)
    try:
        spending = approve_spending(
            spending=spending, capacity=request.POST.get("capacity", ""), user=request.user
        )
    except ValidationError as exc:
        refused(request, exc, about=spending.document)
    else:
        if spending.status == SpendingStatus.PAID:
            messages.success(
                request,
                _("Segunda aprobación registrada: %(document)s contabilizado (asiento %(entry)s).")
                % {"document": spending.document, "entry": spending.entry.number},
            )
        else:
            messages.success(
                request,
                _("Aprobación registrada; %(document)s espera la segunda firma.")
                % {"document": spending.document},
            )
    return redirect(spending.get_absolute_url())


@role_required(*SPENDING_APPROVERS)
@require_POST
def spending_reject(request, pk):
    spending = get_object_or_404(Spending, pk=pk)
    try:
        reject_spending(spending=spending, reason=request.POST.get("reason", ""), user=request.user)
    except ValidationError as exc:
        refused(request, exc, about=spending.document)
    else:
        messages.success(
            request,
            _("%(document)s rechazado; su monto vuelve a quedar libre en la línea.")
            % {"document": spending.document},
        )
    return redirect(spending.get_absolute_url())


@role_required(ADMINISTRATOR)
@require_POST
def spending_reverse(request, pk):
    spending = get_object_or_404(Spending, pk=pk)
    try:
        spending = reverse_spending(
            spending=spending, reason=request.POST.get("reason", ""), user=request.user
        )
    except ValidationError as exc:
        refused(request, exc, about=spending.document)
    else:
        number = spending.reversal_entry.number
        messages.success(
            request,
            _(
                "%(document)s revertido (asiento %(entry)s): el dinero vuelve "
                "al fondo y el monto queda libre en la línea."
            )
            % {"document": spending.document, "entry": number},
        )
    return redirect(spending.get_absolute_url())
