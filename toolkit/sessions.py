"""A session left unused ends: after ``MINKA_IDLE_MINUTES`` without a request, the next one signs the
person out and sends them to the sign-in page, saying why (and coming back where they were once signed
in again). The session cookie itself ends when the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE).

The time of the last request is kept in the session, set at sign-in and rewritten at most once a minute
after, so that a page with many requests (htmx) does not write the session each time.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.translation import ngettext

LAST_SEEN = "minka_last_seen"
REFRESH_EVERY = 60  # seconds


def now() -> float:
    """The clock, apart so that tests can move it."""
    return time.time()


def start_clock(sender, request, user, **kwargs):
    """user_logged_in: the idle time counts from the sign-in, written with the session it starts."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = now()


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            idle_minutes = settings.MINKA_IDLE_MINUTES
            current = now()
            last = request.session.get(LAST_SEEN)
            if last is not None and current - last > idle_minutes * 60:
                return self._signed_out(request, idle_minutes)
            if last is None or current - last >= REFRESH_EVERY:
                request.session[LAST_SEEN] = current
        return self.get_response(request)

    def _signed_out(self, request, idle_minutes: int):
        logout(request)
        messages.info(
            request,
            ngettext(
                "Su sesión se cerró tras %(minutes)d minuto sin uso. Ingrese de nuevo para continuar.",
                "Su sesión se cerró tras %(minutes)d minutos sin uso. Ingrese de nuevo para continuar.",
                idle_minutes,
            )
            % {"minutes": idle_minutes},
        )
        response = redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
        if getattr(request, "htmx", False):
            # A piece of a page asked in place: the whole page goes to the sign-in, not the piece.
            htmx_response = HttpResponse(status=204)
            htmx_response["HX-Redirect"] = response["Location"]
            return htmx_response
        return response
