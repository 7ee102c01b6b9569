"""Sign-in throttling: which address a request comes from, and when failed sign-ins lock it.

Two locks, both counted by django-axes in its ``AccessAttempt`` table (so every worker process sees the
same counts) within ``AXES_COOLOFF_TIME`` of the last failure:

- one username from one address: ``AXES_FAILURE_LIMIT`` failures (5) lock that pair. Never a username
  alone: whoever types «tesorero» wrong from elsewhere does not lock the treasurer out of her office.
- one address, whatever the usernames: ``MINKA_ADDRESS_FAILURE_LIMIT`` failures lock the address, so
  trying a few passwords on each of many usernames is refused too.

The address is ``REMOTE_ADDR``. Only when that is a proxy listed in ``MINKA_TRUSTED_PROXIES`` is the
``X-Forwarded-For`` header read: the right-most hop that is not itself a trusted proxy is the client
(hops further left were written by whoever sent the request and prove nothing).
"""

import ipaddress
import math
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

LOCKED_STATUS = 429


def _networks(entries) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [::1]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 1.2.3.4:port
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request) -> str | None:
    """The address failed sign-ins and wrong verification codes are counted by (AXES_CLIENT_IP_CALLABLE)."""
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = _networks(getattr(settings, "MINKA_TRUSTED_PROXIES", []))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage where an address should be: stop at the last hop we could read
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def _attempts_from(request):
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    since = (getattr(request, "axes_attempt_time", None) or timezone.now()) - get_cool_off(request)
    return AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)


def address_failures(request) -> int:
    return _attempts_from(request).aggregate(n=Sum("failures_since_start"))["n"] or 0


def address_locked(request) -> bool:
    return address_failures(request) >= settings.MINKA_ADDRESS_FAILURE_LIMIT


class MinkaAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with the address lock added to its username-and-address lock."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def minutes_to_wait(request, credentials=None) -> int:
    """Whole minutes until the lock on this request lifts: the cool-off counted from the last failure that
    holds it (the username's from this address, or the address's own when that is what is locked)."""
    attempts = _attempts_from(request)
    if not address_locked(request):
        username = get_client_username(request, credentials)
        attempts = attempts.filter(username=username)
    last = attempts.aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return math.ceil(get_cool_off(request).total_seconds() / 60)
    left = last + get_cool_off(request) - timezone.now()
    return max(1, math.ceil(max(left, timedelta(0)).total_seconds() / 60))


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying how long to wait (HTTP 429)."""
    username = get_client_username(request, credentials) or ""
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_minutes": minutes_to_wait(request, credentials),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=LOCKED_STATUS)
