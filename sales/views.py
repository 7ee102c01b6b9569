"""Pages of trade: lots, sales contracts, invoices and payments, the mass balance."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from acopio.models import CollectionCentre, Lot
from acopio.selectors import lot_totals
from acopio.services import build_lot, build_lot_by_rule
from coop.models import Certification, Season
from sales.models import FairtradeTerms, FairtradeTermsCheck, SalesContract
from sales.selectors import contracts_to_review, mass_balance, mass_balances, review_of, terms_check_status
from sales.services import (
    amend_contract,
    fix_contract_price,
    invoice_contract,
    receive_payment,
    record_contract,
    ship_contract,
)
from sales.tonnes import KG_PER_TONNE
from toolkit.money import format_money
from toolkit.numbers import parse_money, shown_decimal
from toolkit.roles import (
    ADMINISTRATOR,
    REVIEWERS,
    role_required,
)
from toolkit.views import date_or_none, errors_of, query_without_page, refused

CONTROLLERS = REVIEWERS
LOT_PAGE_SIZE = 50


@role_required(*CONTROLLERS)
def contract_list(request):
    contracts = (
        SalesContract.objects.select_related(
            "season", "minimum_terms", "organic_terms", "premium_terms", "fixing__premium_terms"
        )
        .prefetch_related(
            "lots", "amendments__minimum_terms", "amendments__organic_terms", "amendments__premium_terms"
        )
        .annotate(
            paid_cents=Sum("payments__amount_cents"),
            premium_in_cents=Sum("payments__premium_cents"),
        )
        .order_by("-signed_on", "-id")
    )  # Meta.ordering is not applied to grouped queries
    return render(
        request, "sales/contract_list.html", {"contracts": contracts, "today": timezone.localdate()}
    )


@role_required(ADMINISTRATOR)
def contract_new(request):
    errors, data = {}, request.POST if request.method == "POST" else {}
    open_lots = Lot.objects.filter(contracts__isnull=True).select_related("season")
    if request.method == "POST":
        price = None
        to_be_fixed = bool(data.get("price_to_be_fixed"))
        if to_be_fixed and data.get("contract_price", "").strip():
            errors["contract_price"] = [
                _("Un contrato con precio por fijar se firma sin precio: deje vacío el precio del contrato.")
            ]
        elif not to_be_fixed:
            try:
                price = parse_money(data.get("contract_price", ""), currency="USD")
            except ValidationError as exc:
                errors["contract_price"] = exc.messages
        signed_on = date_or_none(data.get("signed_on"))
        if signed_on is None:
            errors["signed_on"] = [_("Indique la fecha del contrato.")]
        forward = bool(data.get("forward"))
        shipment = {}
        for field in ("shipment_from", "shipment_to"):
            typed = data.get(field, "").strip()
            shipment[field] = date_or_none(typed) if typed else None
            if typed and shipment[field] is None:
                errors[field] = [_("Escriba la fecha del periodo de embarque como dd/mm/aaaa.")]
        if not errors:
            try:
                contract = record_contract(
                    number=data.get("number", ""),
                    buyer=data.get("buyer", ""),
                    signed_on=signed_on,
                    terms=data.get("terms", ""),
                    tonnes=data.get("tonnes", ""),
                    contract_price=price,
                    price_to_be_fixed=to_be_fixed,
                    origin=data.get("origin", "PE"),
                    lots=list(open_lots.filter(pk__in=data.getlist("lots"))),
                    forward=forward,
                    **shipment,
                    user=request.user,
                )
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                if contract.price_to_be_fixed:
                    messages.success(
                        request,
                        _("Contrato %(contract)s registrado con precio por fijar.")
                        % {"contract": contract.number},
                    )
                    return redirect("sales:contract_detail", pk=contract.pk)
                value = format_money(contract.value_cents, "USD")
                premium = format_money(contract.premium_cents, "USD")
                price = contract.price_per_tonne
                messages.success(
                    request,
                    _(
                        "Contrato %(contract)s registrado: %(price)s US$/t, "
                        "valor %(value)s, prima %(premium)s."
                    )
                    % {"contract": contract.number, "price": price, "value": value, "premium": premium},
                )
                if contract.forward:
                    _warn_forward_beyond_balance(request, contract)
                    return redirect("sales:contract_detail", pk=contract.pk)
                return redirect("sales:contract_list")
    return render(
        request,
        "sales/contract_form.html",
        {
            "errors": errors,
            "data": data,
            "lots": open_lots,
            "terms": Certification.choices,
            "chosen_lots": set(data.getlist("lots")) if data else set(),
        },
        status=400 if errors else 200,
    )


def _warn_forward_beyond_balance(request, contract: SalesContract) -> None:
    """At signature a forward contract only warns: the mass balance is enforced at shipment."""
    sold_as = Certification(contract.terms)
    for line in mass_balance(contract.season):
        applies = sold_as.is_fairtrade if line.product == "Comercio Justo" else sold_as.is_organic
        if applies and contract.quantity_kg > line.available_kg:
            messages.warning(
                request,
                _(
                    "Hoy el balance de masas %(product)s tiene %(available)s t disponibles y este contrato "
                    "pide %(asked)s t: al embarcar se rechazará si para entonces no se compró lo que falta."
                )
                % {
                    "product": line.label,
                    "available": shown_decimal(line.available_kg / KG_PER_TONNE),
                    "asked": shown_decimal(Decimal(contract.quantity_kg) / KG_PER_TONNE),
                },
            )


@role_required(*CONTROLLERS)
def contract_detail(request, pk):
    contract = get_object_or_404(
        SalesContract.objects.select_related(
            "season",
            "minimum_terms",
            "organic_terms",
            "premium_terms",
            "created_by",
            "fixing__minimum_terms",
            "fixing__organic_terms",
            "fixing__premium_terms",
            "fixing__entered_by",
        ).prefetch_related(
            "lots",
            "amendments__minimum_terms",
            "amendments__organic_terms",
            "amendments__premium_terms",
            "amendments__entered_by",
            "amendments__entry",
        ),
        pk=pk,
    )
    first = contract.price_fixing or contract  # a PTBF contract is priced by its fixing
    first_rows = [first.minimum_terms, first.organic_terms, first.premium_terms]
    return render(
        request,
        "sales/contract_detail.html",
        {
            "contract": contract,
            "amendments": sorted(contract.amendments.all(), key=lambda a: a.version),
            "contract_rows": [row for row in first_rows if row is not None],
            "review": review_of(contract),
            "payments": contract.payments.order_by("date", "id"),
        },
    )


@role_required(ADMINISTRATOR)
def contract_amend(request, pk):
    """The amounts an amendment would post, to confirm; posted only with confirm=1."""
    contract = get_object_or_404(SalesContract, pk=pk)
    review = review_of(contract)
    errors = {}
    if request.method == "POST" and request.POST.get("confirm") == "1":
        picked = [pk for pk in request.POST.getlist("terms_rows") if pk.isdigit()]
        rows = list(FairtradeTerms.objects.filter(pk__in=picked))
        try:
            amendment = amend_contract(
                contract=contract, terms_rows=rows, on=timezone.localdate(), user=request.user
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(
                request,
                _(
                    "Enmienda %(version)s del contrato %(contract)s registrada: precio %(old_price)s → "
                    "%(new_price)s US$/t, valor %(value_diff)s y prima %(premium_diff)s de diferencia."
                )
                % {
                    "version": amendment.version,
                    "contract": contract.number,
                    "old_price": shown_decimal(amendment.previous_price_per_tonne, decimals=2),
                    "new_price": shown_decimal(amendment.price_per_tonne, decimals=2),
                    "value_diff": format_money(amendment.value_difference_cents, "USD"),
                    "premium_diff": format_money(amendment.premium_difference_cents, "USD"),
                },
            )
            return redirect("sales:contract_detail", pk=contract.pk)
    return render(
        request,
        "sales/contract_amend.html",
        {"contract": contract, "review": review, "errors": errors},
        status=400 if errors else 200,
    )


@role_required(ADMINISTRATOR)
def contract_fix(request, pk):
    """Fix the price of a PTBF contract: the amounts first, to confirm; recorded only with confirm=1."""
    contract = get_object_or_404(SalesContract, pk=pk)
    data = request.POST if request.method == "POST" else {}
    errors, preview = {}, None
    if request.method == "POST":
        market_price = None
        try:
            market_price = parse_money(data.get("market_price", ""), currency="USD")
        except ValidationError as exc:
            errors["market_price"] = exc.messages
        on = date_or_none(data.get("on"))
        if on is None:
            errors["on"] = [_("Escriba la fecha de la fijación como dd/mm/aaaa.")]
        if not errors:
            arguments = {
                "contract": contract,
                "market_price": market_price,
                "ice_reference": data.get("ice_reference", ""),
                "on": on,
                "user": request.user,
            }
            try:
                if data.get("confirm") == "1":
                    fixing = fix_contract_price(**arguments)
                else:
                    preview = _fixing_preview(**arguments)
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                if data.get("confirm") == "1":
                    messages.success(
                        request,
                        _(
                            "Precio del contrato %(contract)s fijado: %(price)s US$/t, "
                            "valor %(value)s, prima %(premium)s."
                        )
                        % {
                            "contract": contract.number,
                            "price": shown_decimal(fixing.price_per_tonne, decimals=2),
                            "value": format_money(fixing.value_cents, "USD"),
                            "premium": format_money(fixing.premium_cents, "USD"),
                        },
                    )
                    return redirect("sales:contract_detail", pk=contract.pk)
    return render(
        request,
        "sales/contract_fix.html",
        {
            "contract": contract,
            "data": data,
            "errors": errors,
            "preview": preview,
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


def _fixing_preview(**arguments) -> dict:
    """What fixing would record, worked out by the service itself and rolled back: nothing is written."""
    with transaction.atomic():
        fixing = fix_contract_price(**arguments)
        shown = {
            "price": fixing.price_per_tonne,
            "value_cents": fixing.value_cents,
            "premium_cents": fixing.premium_cents,
            "rows": [r for r in (fixing.minimum_terms, fixing.organic_terms, fixing.premium_terms) if r],
        }
        transaction.set_rollback(True)
    return shown


@role_required(ADMINISTRATOR)
def contract_ship(request, pk):
    """Attach the lots of a forward contract at shipment; the mass balance is enforced now."""
    contract = get_object_or_404(SalesContract, pk=pk)
    open_lots = Lot.objects.filter(contracts__isnull=True).select_related("season")
    data = request.POST if request.method == "POST" else {}
    errors = {}
    if request.method == "POST":
        try:
            ship_contract(
                contract=contract,
                lots=list(open_lots.filter(pk__in=data.getlist("lots"))),
                on=date_or_none(data.get("on")),
                user=request.user,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            shipped = _("Contrato %(contract)s embarcado: lotes asignados.") % {"contract": contract.number}
            messages.success(request, shipped)
            return redirect("sales:contract_detail", pk=contract.pk)
    return render(
        request,
        "sales/contract_ship.html",
        {
            "contract": contract,
            "lots": open_lots,
            "errors": errors,
            "data": data,
            "chosen_lots": set(data.getlist("lots")) if data else set(),
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


@role_required(*CONTROLLERS)
def mass_balance_report(request):
    rows = mass_balances(list(Season.objects.all()))
    return render(request, "sales/mass_balance.html", {"rows": rows})


@role_required(*CONTROLLERS)
def lot_list(request):
    """The lots, newest first, LOT_PAGE_SIZE to a page; each page adds up only its own lots' deliveries."""
    lots = (
        Lot.objects.select_related("season", "created_by")
        .prefetch_related("contracts")
        .order_by("-created_at", "-id")
    )
    page = Paginator(lots, LOT_PAGE_SIZE).get_page(request.GET.get("page"))
    totals = lot_totals(page.object_list)
    rows = [(lot, totals[lot.pk]) for lot in page.object_list]
    return render(
        request,
        "sales/lot_list.html",
        {"page": page, "rows": rows, "query_string": query_without_page(request)},
    )


@role_required(ADMINISTRATOR)
def lot_new(request):
    """Build a lot from receipts (pasted, one per line or separated by commas) or by rule."""
    data = request.POST if request.method == "POST" else {}
    errors = {}
    if request.method == "POST":
        season = Season.picked(data.get("season"))
        common = {
            "code": data.get("code", ""),
            "season": season,
            "claim": data.get("claim", ""),
            "for_eu": bool(data.get("for_eu")),
            "user": request.user,
        }
        try:
            if season is None:
                raise ValidationError({"season": _("Elija la campaña.")})
            if data.get("how") == "rule":
                centre = CollectionCentre.objects.filter(code=data.get("centre", "")).first()
                lot = build_lot_by_rule(
                    **common,
                    centre=centre,
                    date_from=date_or_none(data.get("date_from")),
                    date_to=date_or_none(data.get("date_to")),
                )
            else:
                receipts = data.get("receipts", "").replace(",", "\n").splitlines()
                lot = build_lot(**common, receipts=receipts, note=data.get("note", ""))
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            count = lot.deliveries.count()
            messages.success(
                request,
                ngettext(
                    "Lote %(lot)s armado: %(count)s entrega.",
                    "Lote %(lot)s armado: %(count)s entregas.",
                    count,
                )
                % {"lot": lot.code, "count": count},
            )
            return redirect("sales:lot_list")
    return render(
        request,
        "sales/lot_form.html",
        {
            "errors": errors,
            "data": data,
            "seasons": Season.objects.all(),
            "centres": CollectionCentre.objects.all(),
            "claims": Certification.choices,
        },
        status=400 if errors else 200,
    )


@role_required(ADMINISTRATOR)
@require_POST
def contract_invoice(request, pk):
    contract = get_object_or_404(SalesContract, pk=pk)
    try:
        invoice_contract(
            contract=contract,
            invoice_number=request.POST.get("invoice_number", ""),
            on=date_or_none(request.POST.get("on")),
            user=request.user,
        )
    except ValidationError as exc:
        refused(request, exc, about=contract.number)
    else:
        messages.success(request, _("Contrato %(contract)s facturado.") % {"contract": contract.number})
    return redirect("sales:contract_list")


@role_required(ADMINISTRATOR)
@require_POST
def contract_payment(request, pk):
    contract = get_object_or_404(SalesContract, pk=pk)
    try:
        payment = receive_payment(
            contract=contract,
            amount=request.POST.get("amount", ""),
            reference=request.POST.get("reference", ""),
            on=date_or_none(request.POST.get("on")),
            user=request.user,
        )
    except ValidationError as exc:
        refused(request, exc, about=contract.number)
    else:
        amount = format_money(payment.amount_cents, "USD")
        premium = format_money(payment.premium_cents, "USD")
        messages.success(
            request,
            _(
                "Cobro %(reference)s registrado: %(amount)s, "
                "de los cuales %(premium)s van al fondo de la prima."
            )
            % {"reference": payment.reference, "amount": amount, "premium": premium},
        )
    return redirect("sales:contract_list")


# --- The Fairtrade terms table --------------------------------------------------------


@role_required(*CONTROLLERS)
def terms_overview(request):
    return render(
        request,
        "sales/terms.html",
        {
            "rows": FairtradeTerms.objects.select_related("entered_by"),
            "status": terms_check_status(),
            "to_review": contracts_to_review(),
        },
    )


@role_required(ADMINISTRATOR)
@require_POST
def terms_checked(request):
    check = FairtradeTermsCheck.objects.create(
        checked_on=timezone.localdate(),
        checked_by=request.user,
        note=request.POST.get("note", "").strip()[:300],
    )
    messages.success(
        request,
        _("Registrado: la tabla de Comercio Justo coincide con la publicada por Fairtrade al %(day)s.")
        % {"day": check.checked_on.strftime("%d/%m/%Y")},
    )
    return redirect("sales:terms")
