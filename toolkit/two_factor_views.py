"""The second step's pages: enrolment, the code after the password, the recovery codes shown once, the
user's own page (new recovery codes) and the administrator's reset. The rules are in two_factor.py."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolkit import two_factor
from toolkit.roles import ADMINISTRATOR, ROLE_LABELS, TWO_FACTOR_ROLES, role_required

THROTTLED_STATUS = 429


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Código"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _throttled(wait: int) -> str:
    return ngettext(
        "Demasiados códigos equivocados seguidos. Espere %(seconds)d segundo e intente de nuevo.",
        "Demasiados códigos equivocados seguidos. Espere %(seconds)d segundos e intente de nuevo.",
        wait,
    ) % {"seconds": wait}


def _verified(request, device) -> None:
    """The session is now verified by ``device``; a new session key, as at any sign-in."""
    request.session.cycle_key()
    otp_login(request, device)


def _with_next(name: str, target: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse(name)}?{urlencode({'next': target})}"


@never_cache
@two_factor.two_factor_page
@role_required(*TWO_FACTOR_ROLES)
def enrol(request):
    user = request.user
    target = two_factor.safe_next(request)
    if two_factor.has_authenticator(user):
        if two_factor.is_verified(user):
            return redirect("two_factor")
        return redirect(_with_next("two_factor_verify", target))
    device = two_factor.pending_enrolment(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = two_factor.check_code(user=user, code=form.cleaned_data["code"], devices=[device])
        if result.device is not None:
            device.refresh_from_db()
            codes = two_factor.confirm_enrolment(user=user, device=device)
            _verified(request, device)
            request.session[two_factor.PENDING_CODES] = codes
            return redirect(_with_next("two_factor_codes", target))
        if result.wait:
            form.add_error("code", _throttled(result.wait))
            status = THROTTLED_STATUS
        else:
            form.add_error(
                "code",
                _(
                    "El código no coincide. Revise que la hora del teléfono sea la correcta y escriba el "
                    "código que la aplicación muestra ahora."
                ),
            )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title=_("Código QR para la aplicación de autenticación")
    )
    context = {
        "form": form,
        "qr_svg": qr_svg,
        "secret": two_factor.secret_text(device),
        "next": target,
        "two_factor_on": two_factor.enabled(),
    }
    return render(request, "registration/two_factor_enrol.html", context, status=status)


@never_cache
@two_factor.two_factor_page
@role_required(*TWO_FACTOR_ROLES)
def verify(request):
    user = request.user
    target = two_factor.safe_next(request)
    if two_factor.is_verified(user):
        return redirect(target)
    if not two_factor.has_authenticator(user):
        return redirect(_with_next("two_factor_enrol", target))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = two_factor.check_code(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            _verified(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "Ingresó con un código de recuperación, que ya no sirve más. Le queda %(count)d; "
                        "genere nuevos en «Ingreso en dos pasos».",
                        "Ingresó con un código de recuperación, que ya no sirve más. Le quedan %(count)d; "
                        "genere nuevos en «Ingreso en dos pasos».",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(target)
        if result.wait:
            form.add_error("code", _throttled(result.wait))
            status = THROTTLED_STATUS
        else:
            form.add_error(
                "code", _("Código incorrecto o ya usado. Escriba el código que la aplicación muestra ahora.")
            )
    context = {"form": form, "next": target}
    return render(request, "registration/two_factor_verify.html", context, status=status)


@never_cache
@two_factor.two_factor_page
@role_required(*TWO_FACTOR_ROLES)
def recovery_codes(request):
    codes = request.session.get(two_factor.PENDING_CODES)
    target = two_factor.safe_next(request, default=reverse("two_factor"))
    if not codes:
        return redirect(target)
    if request.method == "POST" and request.POST.get("saved"):
        del request.session[two_factor.PENDING_CODES]
        return redirect(target)
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": target})


@never_cache
@role_required(*TWO_FACTOR_ROLES)
def account(request):
    """The user's own page: since when the authenticator is set, recovery codes left, new ones."""
    user = request.user
    if request.method == "POST":
        if not two_factor.has_authenticator(user):
            return redirect("two_factor_enrol")
        request.session[two_factor.PENDING_CODES] = two_factor.new_recovery_codes(user=user)
        return redirect(_with_next("two_factor_codes", reverse("two_factor")))
    context = {
        "authenticator": two_factor.authenticators(user).order_by("pk").first(),
        "codes_left": two_factor.recovery_codes_left(user),
        "two_factor_on": two_factor.enabled(),
    }
    return render(request, "registration/two_factor_account.html", context)


@role_required(ADMINISTRATOR)
def users(request):
    """Administration: who must use the second step, who has enrolled, and the reset (a lost phone)."""
    user_model = get_user_model()
    if request.method == "POST":
        target = user_model.objects.filter(pk=request.POST.get("user") or None).first()
        if target is None:
            messages.error(request, _("Elija el usuario cuyo ingreso en dos pasos desea restablecer."))
        else:
            two_factor.reset(target=target, user=request.user)
            messages.success(
                request,
                _(
                    "Se restableció el ingreso en dos pasos de %(user)s: en su próximo ingreso configurará "
                    "de nuevo la aplicación y recibirá nuevos códigos de recuperación."
                )
                % {"user": target.get_username()},
            )
        return redirect("two_factor_users")
    people = (
        user_model.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=TWO_FACTOR_ROLES))
        .distinct()
        .order_by("username")
        .prefetch_related("groups")
    )
    enrolled = dict(
        TOTPDevice.objects.filter(user__in=people, confirmed=True).values_list("user_id", "created_at")
    )
    left = {}
    tokens = StaticToken.objects.filter(device__user__in=people, device__confirmed=True)
    for user_id in tokens.values_list("device__user_id", flat=True):
        left[user_id] = left.get(user_id, 0) + 1
    rows = [
        {
            "user": person,
            "roles": [ROLE_LABELS[g.name] for g in person.groups.all() if g.name in ROLE_LABELS],
            "since": enrolled.get(person.pk),
            "codes_left": left.get(person.pk, 0),
        }
        for person in people
    ]
    return render(
        request, "registration/two_factor_users.html", {"rows": rows, "two_factor_on": two_factor.enabled()}
    )
