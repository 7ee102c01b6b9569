"""Pages of the collection centre (acopio): the clerk's page, receipts, voids, lists, imports."""

import re
import uuid
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from acopio import selectors
from acopio import services as purchases
from acopio.delivery_import import COLUMNS
from acopio.forms import DeliveryForm, PurchaseForm, SupplierForm, SupplierPaymentForm, find_member
from acopio.models import CollectionCentre, Delivery, Supplier
from coop.models import Member, Season
from ledger.models import JournalEntry, PaymentMethod
from toolkit.money import GRAMS_PER_KG
from toolkit.numbers import prefilled
from toolkit.pdf import pdf_response, qr_svg, render_pdf
from toolkit.roles import (
    ADMINISTRATOR,
    ALL_ROLES,
    DELIVERY_RECORDERS,
    REVIEWERS,
    has_role,
    public,
    role_required,
)
from toolkit.uploads import SpreadsheetForm, stash_upload, take_upload
from toolkit.verification import paper_verify_url
from toolkit.views import errors_of, query_without_page, refused, token_or_none

RECORDERS = DELIVERY_RECORDERS
CONTROLLERS = REVIEWERS
RECEIPT_FORMATS = {"a6": "acopio/pdf/receipt_a6.html", "ticket": "acopio/pdf/receipt_ticket.html"}
SESSION_CENTRE = "minka_centre"
# A receipt's verification key as services make it (secrets.token_urlsafe); anything else is not one, and
# is not sent to the database (PostgreSQL refuses a NUL in text with an error, not an empty answer).
VERIFICATION_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _delivery_or_404(receipt: str) -> Delivery:
    series, _dash, number = receipt.partition("-")
    if not number.isdigit():
        raise Http404
    return get_object_or_404(
        Delivery.objects.select_related(
            "member", "supplier", "plot", "centre", "season", "recorded_by", "voided_by", "replaces"
        ),
        receipt_series=series,
        receipt_number=int(number),
    )


# --- Recording --------------------------------------------------------------------


@role_required(*RECORDERS)
def delivery_new(request):
    """The clerk's page: one delivery after another, from the keyboard."""
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        arguments, errors = form.service_arguments()
        replaces = _replaced_delivery(request.POST.get("replaces"))
        token = token_or_none(request.POST.get("token"))
        if not errors:
            try:
                delivery = purchases.record_delivery(
                    **arguments, user=request.user, submission_token=token, replaces=replaces
                )
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                request.session[SESSION_CENTRE] = delivery.centre_id
                messages.success(
                    request, gettext("Recibo %(receipt)s registrado.") % {"receipt": delivery.receipt_code}
                )
                return redirect(delivery)
        quote = None
        if not errors:
            quote, _moisture, errors = selectors.quote_delivery(**arguments)
        return render(
            request,
            "acopio/delivery_form.html",
            _form_context(form, _by_field(errors), quote, replaces),
            status=400,
        )
    replaces = _replaced_delivery(request.GET.get("reemplaza"))
    initial = {"token": uuid.uuid4(), "centre": request.session.get(SESSION_CENTRE)}
    if replaces is not None:
        initial.update(_values_of(replaces))
    return render(
        request, "acopio/delivery_form.html", _form_context(DeliveryForm(initial=initial), {}, None, replaces)
    )


@role_required(*RECORDERS)
@require_POST
def delivery_quote(request):
    """htmx: the figures the receipt will carry, recomputed as the clerk types."""
    form = DeliveryForm(request.POST)
    arguments, errors = form.service_arguments()
    quote = None
    if not errors:
        quote, _moisture, errors = selectors.quote_delivery(**arguments)
    return render(
        request,
        "acopio/_delivery_quote.html",
        {
            "quote": quote,
            "errors": _by_field(errors),
            "member": arguments["member"],
            "touched": _touched(request.POST),
        },
    )


@role_required(*RECORDERS)
def member_lookup(request):
    """htmx: datalist options for the member box, and the chosen member's plots."""
    text = request.GET.get("member", "").strip()
    member, _problem = find_member(text) if text else (None, "")
    matches = list(Member.objects.search(text)[:12]) if len(text) >= 2 and member is None else []
    plots = list(member.plots.all()) if member else []
    return render(
        request,
        "acopio/_member_lookup.html",
        {
            "member": member,
            "matches": matches,
            "plots": plots,
            "text": text,
            "selected_plot": request.GET.get("plot", ""),
        },
    )


def _form_context(form, errors, quote, replaces):
    return {
        "form": form,
        "errors": errors,
        "quote": quote,
        "replaces": replaces,
        "centres": CollectionCentre.objects.filter(active=True),
        "has_season": Season.objects.exists(),
    }


def _by_field(errors: dict) -> dict[str, list[str]]:
    """Errors as {field: [messages]}, whether they came from a form lookup or a service."""
    return {
        field: [problems] if isinstance(problems, str) else list(problems)
        for field, problems in errors.items()
    }


def _touched(data) -> bool:
    return all((data.get(f) or "").strip() for f in ("member", "gross_kg", "tare_kg", "moisture_pct"))


def _replaced_delivery(receipt: str | None) -> Delivery | None:
    if not receipt:
        return None
    try:
        return _delivery_or_404(receipt)
    except Http404:
        return None


def _values_of(delivery: Delivery) -> dict:
    return {
        "centre": delivery.centre_id,
        "date": delivery.date,
        "member": delivery.member.code if delivery.member_id else "",
        "plot": delivery.plot.code if delivery.plot else "",
        "form": delivery.form,
        "grade": delivery.grade,
        "gross_kg": prefilled(Decimal(delivery.gross_g) / GRAMS_PER_KG),
        "tare_kg": prefilled(Decimal(delivery.tare_g) / GRAMS_PER_KG),
        "moisture_pct": delivery.moisture_pct,
        "replaces": delivery.receipt_code,
    }


# --- Purchases from non-members ----------------------------------------------------


@role_required(*RECORDERS)
def purchase_new(request):
    """The clerk's page for cocoa from a non-member: same centres, same receipt series."""
    replaces = _replaced_delivery(request.POST.get("replaces") or request.GET.get("reemplaza"))
    if request.method == "POST":
        form = PurchaseForm(request.POST)
        arguments, errors = form.service_arguments()
        if not errors:
            try:
                purchase = purchases.record_purchase(
                    **arguments,
                    user=request.user,
                    submission_token=token_or_none(request.POST.get("token")),
                    replaces=replaces,
                )
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                request.session[SESSION_CENTRE] = purchase.centre_id
                messages.success(
                    request, gettext("Recibo %(receipt)s registrado.") % {"receipt": purchase.receipt_code}
                )
                return redirect(purchase)
        return render(
            request, "acopio/purchase_form.html", _purchase_context(form, errors, replaces), status=400
        )
    initial = {"token": uuid.uuid4(), "centre": request.session.get(SESSION_CENTRE)}
    if replaces is not None and replaces.is_non_member:
        initial.update(_values_of(replaces))
        initial.pop("member")
        initial.pop("plot")
        initial.update(
            supplier=replaces.supplier.document, origin=replaces.origin, price_per_kg=replaces.price_per_kg
        )
    return render(
        request, "acopio/purchase_form.html", _purchase_context(PurchaseForm(initial=initial), {}, replaces)
    )


def _purchase_context(form, errors, replaces):
    return {
        "form": form,
        "errors": _by_field(errors),
        "replaces": replaces,
        "centres": CollectionCentre.objects.filter(active=True),
        "has_season": Season.objects.exists(),
    }


@role_required(ADMINISTRATOR)
def supplier_list(request):
    suppliers = Supplier.objects.select_related("account")
    query = request.GET.get("q", "").strip()
    if query:
        suppliers = suppliers.filter(Q(document__startswith=query) | Q(name__icontains=query))
    page = Paginator(suppliers, 50).get_page(request.GET.get("page"))
    owed = selectors.owed_to_suppliers(list(page))
    return render(
        request,
        "acopio/supplier_list.html",
        {
            "page": page,
            "rows": [(supplier, owed.get(supplier.pk, 0)) for supplier in page],
            "query": query,
            "query_string": query_without_page(request),
        },
    )


@role_required(ADMINISTRATOR)
def supplier_new(request):
    form = SupplierForm(request.POST or None)
    errors = {}
    if request.method == "POST":
        try:
            supplier = purchases.create_supplier(
                document=request.POST.get("document", ""),
                name=request.POST.get("name", ""),
                origin=request.POST.get("origin", ""),
                user=request.user,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, gettext("Proveedor %(supplier)s registrado.") % {"supplier": supplier})
            return redirect("acopio:supplier_detail", document=supplier.document)
    return render(
        request, "acopio/supplier_form.html", {"form": form, "errors": errors}, status=400 if errors else 200
    )


@role_required(ADMINISTRATOR)
def supplier_detail(request, document):
    supplier = get_object_or_404(Supplier, document=document)
    errors = {}
    form = SupplierPaymentForm(request.POST or None)
    form.fields["method"].choices = PaymentMethod.choices
    if request.method == "POST":
        try:
            date = form.fields["date"].to_python(request.POST.get("date"))
        except ValidationError:
            date, errors = None, {"date": [gettext("Fecha no válida: use dd/mm/aaaa.")]}
        if not errors:
            try:
                purchases.pay_supplier(
                    supplier=supplier,
                    date=date,
                    amount=request.POST.get("amount", ""),
                    method=request.POST.get("method", ""),
                    document=request.POST.get("document", ""),
                    user=request.user,
                )
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                messages.success(request, gettext("Pago al proveedor registrado."))
                return redirect("acopio:supplier_detail", document=supplier.document)
    purchases_page = Paginator(
        supplier.purchases.select_related("centre").order_by("-date", "-receipt_number"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "acopio/supplier_detail.html",
        {
            "supplier": supplier,
            "owed_minor": selectors.owed_to_supplier(supplier),
            "page": purchases_page,
            "form": form,
            "errors": errors,
            "entries": selectors.supplier_entries(supplier),
            "query_string": query_without_page(request),
        },
        status=400 if errors else 200,
    )


# --- Receipts ---------------------------------------------------------------------


@role_required(*ALL_ROLES)
def delivery_detail(request, receipt):
    delivery = _delivery_or_404(receipt)
    verify_url = _verify_url(request, delivery)
    entries = JournalEntry.objects.filter(source_key=delivery.source_key).prefetch_related("lines__account")
    reversal = JournalEntry.objects.filter(reverses__source_key=delivery.source_key).first()
    return render(
        request,
        "acopio/delivery_detail.html",
        {
            "delivery": delivery,
            "entry": entries.first(),
            "reversal": reversal,
            "can_void": has_role(request.user, ADMINISTRATOR),
            "verify_url": verify_url,
            "qr": qr_svg(verify_url, scale=3),
        },
    )


@role_required(*ALL_ROLES)
@require_safe
def delivery_receipt_pdf(request, receipt, size):
    if size not in RECEIPT_FORMATS:
        raise Http404
    delivery = _delivery_or_404(receipt)
    verify_url = _verify_url(request, delivery)
    pdf = render_pdf(
        RECEIPT_FORMATS[size],
        {
            "delivery": delivery,
            "verify_url": verify_url,
            "qr": qr_svg(verify_url, scale=2),
            "paper_url": paper_verify_url(request),
        },
    )
    return pdf_response(pdf, f"recibo-{delivery.receipt_code}-{size}.pdf")


@role_required(ADMINISTRATOR)
@require_POST
def delivery_void(request, receipt):
    """Voiding asks first: the form's post shows the receipt, the member, the kilos, the amount and the
    reason on a page of its own; only its «Anular» (confirm=1) writes."""
    delivery = _delivery_or_404(receipt)
    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirm") != "1":
        if delivery.is_void:
            messages.error(
                request,
                gettext("El recibo %(receipt)s ya está anulado.") % {"receipt": delivery.receipt_code},
            )
            return redirect(delivery)
        if not reason:
            messages.error(request, gettext("Indique el motivo de la anulación."))
            return redirect(delivery)
        return render(
            request,
            "acopio/delivery_void_confirm.html",
            {"delivery": delivery, "reason": reason[:300], "reissue": bool(request.POST.get("reissue"))},
        )
    try:
        purchases.void_delivery(delivery=delivery, reason=request.POST.get("reason", ""), user=request.user)
    except ValidationError as exc:
        refused(request, exc)
        return redirect(delivery)
    messages.success(
        request,
        gettext("Recibo %(receipt)s anulado; su asiento fue revertido.") % {"receipt": delivery.receipt_code},
    )
    if request.POST.get("reissue"):
        page = "acopio:purchase_new" if delivery.is_non_member else "acopio:delivery_new"
        return redirect(f"{reverse(page)}?reemplaza={delivery.receipt_code}")
    return redirect(delivery)


@public
def receipt_verify(request, key):
    """What anyone holding the receipt may check: it exists, its figures, and whether it was voided.
    An unknown key, or text that cannot be one, gets the page's «no existe» (404)."""
    delivery = None
    if VERIFICATION_KEY.fullmatch(key):
        delivery = (
            Delivery.objects.select_related("member", "supplier", "centre")
            .filter(verification_key=key)
            .first()
        )
    return render(
        request, "acopio/receipt_verify.html", {"delivery": delivery}, status=200 if delivery else 404
    )


def _verify_url(request, delivery: Delivery) -> str:
    return request.build_absolute_uri(reverse("receipt_verify", args=[delivery.verification_key]))


# --- Lists ------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def delivery_list(request):
    seasons = list(Season.objects.all())
    season = next((s for s in seasons if s.code == request.GET.get("campana")), None)
    centre = request.GET.get("centro", "")
    query = request.GET.get("q", "").strip()
    deliveries = selectors.delivery_list(
        season=season,
        centre_code=centre,
        status=request.GET.get("estado", ""),
        query=query,
        non_members=bool(request.GET.get("no_socios")),
    )
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "acopio/delivery_list.html",
        {
            "page": page,
            "seasons": seasons,
            "season": season,
            "centres": CollectionCentre.objects.all(),
            "centre": centre,
            "query": query,
            "status": request.GET.get("estado", ""),
            "non_members": bool(request.GET.get("no_socios")),
            "can_record": has_role(request.user, *RECORDERS),
            "query_string": query_without_page(request),
        },
    )


@role_required(*CONTROLLERS)
def yield_control(request):
    """Internal control: deliveries above what the member's plots can plausibly yield."""
    seasons, season = Season.chosen(request.GET.get("campana"))
    page = Paginator(selectors.flagged_deliveries(season), 100).get_page(request.GET.get("page"))
    members = selectors.flagged_by_member(page, season)
    return render(
        request,
        "acopio/yield_control.html",
        {
            "seasons": seasons,
            "season": season,
            "page": page,
            "members": members,
            "query_string": query_without_page(request),
        },
    )


# --- Import -----------------------------------------------------------------------


class DeliveryImportForm(SpreadsheetForm):
    file = SpreadsheetForm.file_field(_("Archivo de entregas (xlsx o csv)"))


@role_required(ADMINISTRATOR)
def delivery_import(request):
    """Upload → check (nothing saved) → confirm → import, all or nothing; the admin links here."""
    context = {"form": DeliveryImportForm(), "columns": [header for header, _ in COLUMNS.values()]}
    if request.method == "POST" and "token" in request.POST:
        stashed = take_upload(request, request.POST["token"])
        if stashed is None:
            messages.error(
                request, gettext("Esta importación ya se realizó o expiró. Vuelva a subir el archivo.")
            )
            return redirect("acopio:delivery_import")
        report = purchases.import_deliveries(
            source=stashed["data"], filename=stashed["name"], user=request.user
        )
        return render(
            request, "acopio/delivery_import.html", {**context, "report": report, "done": report.ok}
        )
    posted = request.method == "POST"
    form = DeliveryImportForm(
        request.POST if posted else None, request.FILES if posted else None, request=request
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        report = purchases.import_deliveries(
            source=data, filename=upload.name, user=request.user, dry_run=True
        )
        # Only a file that passed its check, with something to import, waits for «confirm»
        # (toolkit/uploads.py deletes it then).
        token = stash_upload(request, upload.name, data) if report.ok and report.created else None
        return render(request, "acopio/delivery_import.html", {**context, "report": report, "token": token})
    return render(request, "acopio/delivery_import.html", {**context, "form": form})
