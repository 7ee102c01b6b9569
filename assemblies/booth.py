"""The voting booth as a device: its signed token, the pages it may show, and the gate that keeps it there.

Opening a booth signs the browser out and gives it a cookie holding a signed token (the booth and
its assembly). With that cookie the browser opens only ``/cabina/``: every other Minka address
answers «este equipo es una cabina» (``BoothOnlyMiddleware``), so a member left alone to vote has
no menu, no session and no way back into Minka. The booth shows the ballot only after the desk
unlocks it for one voter; then «Voto registrado» and back to waiting by itself.
"""

from django.contrib.auth import logout
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from assemblies import selectors, services
from assemblies.models import AssemblyStatus, Booth
from toolkit.roles import public

COOKIE = "minka_cabina"
SALT = "assemblies.booth"
PREFIX = "/cabina/"
MAX_AGE = 2 * 24 * 3600  # an assembly lasts a day; a forgotten booth cookie expires by itself
WAITING_REFRESH = 3  # seconds between looks at the desk while waiting for a voter
DONE_REFRESH = 4  # seconds «Voto registrado» stays on screen


def token_for(booth: Booth) -> str:
    return signing.dumps({"a": booth.assembly_id, "b": booth.pk, "k": str(booth.key)}, salt=SALT)


def booth_of(request) -> Booth | None:
    """The booth this browser is, from its signed cookie; None if it is not one (or the token is bad)."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
        return (
            Booth.objects.select_related("assembly")
            .filter(pk=int(data["b"]), assembly_id=int(data["a"]), key=data["k"])
            .first()
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        return None


def become_booth(request, booth: Booth):
    """Sign the user out and make this browser the booth."""
    logout(request)
    response = redirect("booth:screen")
    response.set_cookie(
        COOKIE,
        token_for(booth),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure(),
    )
    return response


class BoothOnlyMiddleware:
    """A browser holding a booth cookie opens nothing but the booth's own pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The browser's own favicon request is no attempt to leave the booth.
        leaving = not request.path.startswith(PREFIX) and request.path != "/favicon.ico"
        if request.COOKIES.get(COOKIE) and leaving:
            response = render(request, "assemblies/booth/refused.html", status=403)
            add_never_cache_headers(response)
            return response
        return self.get_response(request)


def marked(request) -> list[str] | None:
    """The candidates ticked on a one-vote-per-seat ballot (None when a single option was pressed)."""
    if request.POST.get("ballot") == "marks":
        return request.POST.getlist("options")
    return None


def _page(request, template, context=None, status=200):
    response = render(request, template, context or {}, status=status)
    add_never_cache_headers(response)
    return response


@public
def screen(request):
    """What the booth shows: waiting, the ballot of the voter the desk unlocked, or «cabina cerrada»."""
    booth = booth_of(request)
    if booth is None:
        return _page(request, "assemblies/booth/not_a_booth.html")
    if booth.is_closed:
        return _page(request, "assemblies/booth/closed.html", {"booth": booth})
    unlock = selectors.waiting_unlock(booth)
    if unlock is None or booth.assembly.status == AssemblyStatus.CLOSED:
        return _page(request, "assemblies/booth/waiting.html", {"booth": booth, "refresh": WAITING_REFRESH})
    return _page(
        request,
        "assemblies/booth/ballot.html",
        {"booth": booth, "unlock": unlock, "motion": unlock.motion, "options": unlock.motion.options.all()},
    )


@public
@require_POST
def vote(request):
    booth = booth_of(request)
    if booth is None:
        return redirect("booth:screen")
    try:
        services.vote_at_booth(booth=booth, option_id=request.POST.get("option"), option_ids=marked(request))
    except ValidationError as exc:
        return _page(
            request,
            "assemblies/booth/problem.html",
            {"booth": booth, "problems": exc.messages, "refresh": DONE_REFRESH},
            status=400,
        )
    return redirect("booth:done")


@public
def done(request):
    booth = booth_of(request)
    if booth is None:
        return redirect("booth:screen")
    return _page(request, "assemblies/booth/done.html", {"booth": booth, "refresh": DONE_REFRESH})


@public
@require_POST
def release(request):
    """A closed booth (or a cookie that names no booth) gives the browser back: to sign in again."""
    booth = booth_of(request)
    if booth is not None and not booth.is_closed:
        return redirect("booth:screen")
    response = redirect(reverse("login"))
    response.delete_cookie(COOKIE, samesite="Strict")
    return response
