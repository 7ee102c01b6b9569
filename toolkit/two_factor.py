"""Two-step sign-in for the roles that sign money or run assemblies (issue 16).

Administration, the board, the treasury (``roles.TWO_FACTOR_ROLES``) and superusers sign in with their
password and then a code from an authenticator app (TOTP, RFC 6238, django-otp's ``TOTPDevice``), or one
of ten one-time recovery codes (django-otp's ``StaticDevice``: a code is deleted when used). Other roles
are never asked.

``TwoFactorMiddleware`` is the one place it is enforced: a signed-in user who needs the second step and
whose session is not verified (django-otp's ``OTPMiddleware`` keeps the device that verified it in the
session) is sent to enter a code, or to enrol if they have no confirmed device yet, from every page but
the public ones (sign-in and out, verification, language, health), the two-step pages themselves and
the booth. A session verified with a device that is later removed (an administrator's reset) stops being
verified at its next request.

Wrong codes are throttled by django-otp per device: after the n-th successive failure the next try is
refused for 2^(n-1) seconds (``OTP_TOTP_THROTTLE_FACTOR``, ``OTP_STATIC_THROTTLE_FACTOR``); a user whose
authenticator or recovery codes are locked is refused both until the wait is over.

``settings.MINKA_TWO_FACTOR`` (environment, on by default, also in production) turns the requirement
off; ``quickstart``'s demonstration turns it off unless the environment sets it, and ``check --deploy``
warns when production runs without it.
"""

import logging
from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolkit.roles import PUBLIC, TWO_FACTOR_ROLES, has_role

logger = logging.getLogger("minka.two_factor")

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Minka"
RECOVERY_NAME = "recuperación"
# Recovery codes just made, kept in the session until the user says they saved them.
PENDING_CODES = "minka_recovery_codes"
# Paths no session of a person opens (the booth's device has no user) or that are files.
EXEMPT_PREFIXES = ("/cabina/", "/static/")


def enabled() -> bool:
    return bool(getattr(settings, "MINKA_TWO_FACTOR", True))


def required_for(user) -> bool:
    """Whether this user must sign in with a second step (whatever the setting says)."""
    return bool(user.is_authenticated and (user.is_superuser or has_role(user, *TWO_FACTOR_ROLES)))


def authenticators(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def has_authenticator(user) -> bool:
    return authenticators(user).exists()


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def two_factor_page(view):
    """Mark a view as one of the second step's own pages, opened before the session is verified."""
    view.minka_two_factor_page = True
    return view


def secret_text(device: TOTPDevice) -> str:
    """The device's key in base32, in groups of four, as authenticator apps take it typed."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


def normalise_code(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isalnum()).lower()


def safe_next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def pending_enrolment(user) -> TOTPDevice:
    """The authenticator being set up: the same key on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _wait_seconds(devices) -> int:
    """Seconds until the throttled devices among ``devices`` take a code again (0: none is locked)."""
    now = timezone.now()
    wait = 0
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            wait = max(wait, int((data["locked_until"] - now).total_seconds()) + 1)
    return wait


class CodeResult:
    def __init__(self, device=None, wait: int = 0):
        self.device = device
        self.wait = wait


def check_code(*, user, code: str, devices=None) -> CodeResult:
    """Try a typed code: six digits against the user's authenticators, anything else against their
    recovery codes (a recovery code that matches is used up). Locked devices refuse every code."""
    code = normalise_code(code)
    with transaction.atomic():
        if devices is None:
            totp = list(authenticators(user).select_for_update())
            static = list(StaticDevice.objects.filter(user=user, confirmed=True).select_for_update())
        else:  # the authenticator being set up
            totp = list(TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).select_for_update())
            static = []
        wait = _wait_seconds(totp + static)
        if wait:
            return CodeResult(wait=wait)
        if code.isdigit() and len(code) == 6:
            candidates = totp
        else:
            candidates = static
        for device in candidates:
            if device.verify_token(code):
                return CodeResult(device=device)
        if not candidates:  # nothing to count the failure against: count it on the authenticator
            for device in totp:
                device.throttle_increment()
    logger.warning("Wrong second-step code for user %s", user.pk)
    return CodeResult()


def new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes with ten new ones; the old ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in tokens)
    logger.info("New recovery codes for user %s", user.pk)
    return [format_recovery_code(token) for token in tokens]


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def confirm_enrolment(*, user, device: TOTPDevice) -> list[str]:
    """The code typed matched: the authenticator is the user's, with a fresh set of recovery codes."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = new_recovery_codes(user=user)
    logger.info("User %s enrolled an authenticator", user.pk)
    return codes


def reset(*, target, user) -> None:
    """An administrator removes ``target``'s authenticator and recovery codes: at their next request they
    are asked to enrol again. Logged in the admin's history of the account and in the server log."""
    if target.is_superuser and not user.is_superuser:
        raise PermissionDenied(_("Solo un superusuario puede restablecer el ingreso de otro superusuario."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=target).delete()
        StaticDevice.objects.filter(user=target).delete()
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[target],
            action_flag=CHANGE,
            change_message=_("Restableció el ingreso en dos pasos"),
            single_object=True,
        )
    logger.warning("User %s reset the second step of user %s", user.pk, target.pk)


class TwoFactorMiddleware:
    """Sends a signed-in user who needs the second step to enter their code (or to enrol) first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not enabled() or request.path.startswith(EXEMPT_PREFIXES):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not required_for(user):
            return None
        if getattr(view_func, "minka_roles", None) == PUBLIC:
            return None
        if getattr(view_func, "minka_two_factor_page", False):
            return None
        if is_verified(user):
            if request.session.get(PENDING_CODES):
                return self._send(request, "two_factor_codes")
            return None
        return self._send(request, "two_factor_verify" if has_authenticator(user) else "two_factor_enrol")

    def _send(self, request, name: str):
        back = request.get_full_path() if request.method == "GET" else "/"
        url = f"{reverse(name)}?{urlencode({'next': back})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
