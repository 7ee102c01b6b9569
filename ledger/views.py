"""Pages of member accounts: advances, payments and deductions, and their reversal."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coop.models import Member
from ledger.forms import MovementForm
from ledger.models import MemberMovement
from ledger.services import record_movement, reverse_movement
from toolkit.money import format_money
from toolkit.roles import (
    ADMINISTRATOR,
    role_required,
)
from toolkit.views import errors_of, refused, token_or_none


@role_required(ADMINISTRATOR)
def movement_new(request, code):
    member = get_object_or_404(Member, code=code)
    errors = {}
    if request.method == "POST":
        form = MovementForm(request.POST)
        form.is_valid()  # only the date is read from the form; the service checks the rest
        date = form.cleaned_data.get("date")
        if "date" in form.errors:
            errors["date"] = [_("Fecha no válida.")]
        if not errors:
            try:
                movement = record_movement(
                    member=member,
                    kind=request.POST.get("kind", ""),
                    method=request.POST.get("method", ""),
                    date=date,
                    amount=request.POST.get("amount", ""),
                    document=request.POST.get("document", ""),
                    note=request.POST.get("note", ""),
                    user=request.user,
                    submission_token=token_or_none(request.POST.get("token")),
                )
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                messages.success(
                    request,
                    _("%(kind)s registrado por %(amount)s: documento %(document)s.")
                    % {
                        "kind": movement.get_kind_display(),
                        "amount": format_money(movement.amount_minor, "PEN"),
                        "document": movement.document,
                    },
                )
                return redirect(f"{member.get_absolute_url()}#cuenta")
    else:
        form = MovementForm(initial={"token": uuid.uuid4(), "kind": request.GET.get("tipo", "payment")})
    return render(
        request,
        "ledger/movement_form.html",
        {"member": member, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


@role_required(ADMINISTRATOR)
@require_POST
def movement_reverse(request, code, pk):
    """Void a mistaken advance, payment or deduction: the entry is reversed, the movement stays, marked."""
    movement = get_object_or_404(
        MemberMovement.objects.select_related("member", "entry"), pk=pk, member__code=code
    )
    try:
        reverse_movement(movement=movement, reason=request.POST.get("reason", ""), user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            _("%(kind)s %(document)s anulado; su asiento fue revertido.")
            % {"kind": movement.get_kind_display(), "document": movement.document},
        )
    return redirect(f"{movement.member.get_absolute_url()}#cuenta")
