"""What every call to /api/v1/ passes before django-ninja sees it: the Bearer key, the per-key throttle,
and the call log.

No session and no CSRF: a person signed in to Minka who calls the API without a key gets 401 like
anyone else. A refused call is logged too (without a client when the key is unknown). The throttle
counts calls per key and minute in Django's cache (one count per worker process with the default
memory cache; MINKA_API_CALLS_PER_MINUTE).
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api import keys, services
from api.selectors import key_by_prefix


def _problem(status: int, detail: str, **headers) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _refused_key(request):
    """(key, None) for a usable key, or (key or None, the 401 response)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None, _problem(
            401,
            _("Falta la clave: envíe la cabecera «Authorization: Bearer <clave>»."),
            WWW_Authenticate="Bearer",
        )
    secret = secret.strip()
    prefix = keys.prefix_of(secret)
    key = key_by_prefix(prefix) if prefix else None
    if key is None or not keys.matches(secret, key.secret_sha256):
        return None, _problem(401, _("Clave desconocida."), WWW_Authenticate="Bearer")
    if key.revoked_at is not None:
        return key, _problem(401, _("Esta clave fue revocada."), WWW_Authenticate="Bearer")
    if timezone.localdate() > key.expires_on:
        return key, _problem(
            401,
            _("Esta clave venció el %(date)s.") % {"date": key.expires_on.isoformat()},
            WWW_Authenticate="Bearer",
        )
    return key, None


def _throttled(key) -> JsonResponse | None:
    limit = settings.MINKA_API_CALLS_PER_MINUTE
    window = int(time.time() // 60)
    counter = f"minka-api:{key.pk}:{window}"
    cache.add(counter, 0, timeout=120)
    try:
        count = cache.incr(counter)
    except ValueError:
        cache.set(counter, 1, timeout=120)
        count = 1
    if count > limit:
        wait = 60 - int(time.time()) % 60
        return _problem(
            429,
            _("Demasiadas llamadas: como máximo %(limit)s por minuto y clave. Reintente en %(wait)s s.")
            % {"limit": limit, "wait": wait},
            Retry_After=str(wait),
        )
    return None


def gate(view):
    """Wrap one of django-ninja's views: key, throttle, log."""

    @wraps(view)
    def gated(request, *args, **kwargs):
        started = time.perf_counter()
        request.api_started_at = timezone.now()
        request.user = AnonymousUser()  # never the session's user
        key, response = _refused_key(request)
        if response is None:
            response = _throttled(key)
        if response is None:
            request.api_key = key
            response = view(request, *args, **kwargs)
        ok = response.status_code < 400
        services.log_call(
            client=key.client if key else None,
            key=key,
            method=request.method,
            path=request.path,
            query=request.META.get("QUERY_STRING", ""),
            status=response.status_code,
            rows=getattr(request, "api_rows", 0) if ok else 0,
            duration_ms=int((time.perf_counter() - started) * 1000),
            personal_member_ids=getattr(request, "api_personal", ()) if ok else (),
        )
        return response

    return csrf_exempt(gated)
