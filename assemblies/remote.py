"""Members who take part from home: sign-in with DNI and voting code, attendance, and votes.

A member of a virtual or hybrid assembly holds a one-time voting code (assemblies.codes, made by the
board, sent by the cooperative by letter or SMS). At ``/asamblea-virtual/`` they type their DNI and
the code; the browser gets a signed cookie naming the code's row, its assembly and the session key
drawn at that sign-in, so a second sign-in with the same code ends the first browser's session.
There is no staff session: the member sees only their assembly's agenda, registers their attendance
(present in virtual form, counted in the quorum) and votes on each open electronic motion.

Wrong DNI and code pairs are counted per address and per assembly (``toolkit.throttle``): past the
limit the page answers 429 for the rest of the window, the right pair too.
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assemblies import selectors, services
from assemblies.booth import marked
from assemblies.models import AssemblyStatus, BallotCast, MotionStatus, Presence, RemoteCode, VotingMethod
from toolkit.roles import public
from toolkit.throttle import Throttle

COOKIE = "minka_socio_virtual"
SALT = "assemblies.remote"
PREFIX = "/asamblea-virtual/"
MAX_AGE = 2 * 24 * 3600
WAITING_REFRESH = 10  # seconds between looks for a vote opened, while no ballot is on screen
WINDOW = 15 * 60
BY_ADDRESS = Throttle("remote-vote", limit=10, window=WINDOW)
# Wrong codes tried against one assembly, from any address: a spread-out guesser stops here too.
BY_ASSEMBLY = Throttle("remote-vote-assembly", limit=100, window=WINDOW)


def token_for(remote: RemoteCode) -> str:
    return signing.dumps({"a": remote.assembly_id, "r": remote.pk, "s": str(remote.session_key)}, salt=SALT)


def remote_of(request) -> tuple[RemoteCode | None, bool]:
    """The member's code row this browser is signed in with, and whether a session it held has ended
    (the code was used in another browser, given again, or the assembly closed)."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None, False
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
        remote = (
            RemoteCode.objects.select_related("assembly__rule_set", "entry__member")
            .filter(pk=int(data["r"]), assembly_id=int(data["a"]))
            .first()
        )
        session = str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        return None, False
    if (
        remote is None
        or remote.replaced_at is not None
        or str(remote.session_key) != session
        or remote.assembly.status == AssemblyStatus.CLOSED
    ):
        return None, True
    return remote, False


def _page(request, template, context=None, status=200):
    response = render(request, template, context or {}, status=status)
    add_never_cache_headers(response)
    return response


def _sign_in_page(request, *, problems=(), ended=False, status=200, dni=""):
    response = _page(
        request,
        "assemblies/remote/sign_in.html",
        {"problems": problems, "ended": ended, "dni": dni},
        status=status,
    )
    if ended:
        response.delete_cookie(COOKIE, path=PREFIX, samesite="Lax")
    return response


def _member_page(request, remote: RemoteCode, problems=()):
    assembly, entry = remote.assembly, remote.entry
    presence = Presence.objects.select_related("holder", "event").filter(entry=entry).first()
    open_votes = list(
        assembly.motions.filter(status=MotionStatus.OPEN, method=VotingMethod.ELECTRONIC)
        .prefetch_related("options")
        .order_by("number")
    )
    voted = set(BallotCast.objects.filter(voter=entry).values_list("motion_id", flat=True))
    ballots = [m for m in open_votes if m.pk not in voted]
    return _page(
        request,
        "assemblies/remote/member.html",
        {
            "remote": remote,
            "assembly": assembly,
            "entry": entry,
            "presence": presence,
            "attending_virtually": presence is not None and presence.kind == "virtual",
            "motions": assembly.motions.exclude(status="cancelled").order_by("number"),
            "ballots": ballots,
            "voted": voted,
            "problems": problems,
            # A ballot on screen is never refreshed away; the waiting page looks again by itself.
            "refresh": None if ballots else WAITING_REFRESH,
        },
        status=400 if problems else 200,
    )


@public
def home(request):
    """The member's page when signed in with a code; else the sign-in form."""
    remote, ended = remote_of(request)
    if remote is None:
        return _sign_in_page(request, ended=ended)
    return _member_page(request, remote)


def _too_many(request):
    return _sign_in_page(
        request,
        problems=[
            _(
                "Demasiados intentos con un DNI o código equivocado. Por seguridad, espere 15 minutos "
                "antes de intentarlo de nuevo."
            )
        ],
        status=429,
    )


@public
@require_POST
def sign_in(request):
    dni = (request.POST.get("dni") or "").strip()
    code = request.POST.get("code") or ""
    if not dni or not code.strip():
        # An empty box is no guess: said plainly, and not counted against the address.
        return _sign_in_page(request, problems=[_("Escriba su DNI y el código de su carta.")], dni=dni)
    assemblies = sorted({r.assembly_id for r in selectors.remote_codes_for(dni)}) if dni.isdigit() else []
    if BY_ADDRESS.blocked(request) or any(BY_ASSEMBLY.blocked(request, subject=a) for a in assemblies):
        return _too_many(request)
    try:
        remote = services.remote_sign_in(dni=dni, code=code)
    except ValidationError as exc:
        BY_ADDRESS.failed(request)
        for assembly_id in assemblies:
            BY_ASSEMBLY.failed(request, subject=assembly_id)
        return _sign_in_page(request, problems=exc.messages, dni=dni)
    response = redirect("remote:home")
    response.set_cookie(
        COOKIE,
        token_for(remote),
        max_age=MAX_AGE,
        path=PREFIX,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@public
@require_POST
def attend(request):
    remote, ended = remote_of(request)
    if remote is None:
        return _sign_in_page(request, ended=ended)
    try:
        services.attend_remotely(remote=remote)
    except ValidationError as exc:
        return _member_page(request, remote, problems=exc.messages)
    return redirect("remote:home")


@public
@require_POST
def vote(request):
    remote, ended = remote_of(request)
    if remote is None:
        return _sign_in_page(request, ended=ended)
    try:
        services.vote_remotely(
            remote=remote,
            motion_number=request.POST.get("motion"),
            option_id=request.POST.get("option"),
            option_ids=marked(request),
        )
    except ValidationError as exc:
        return _member_page(request, remote, problems=exc.messages)
    return redirect(f"{PREFIX}?votado={request.POST.get('motion', '')}")


@public
@require_POST
def sign_out(request):
    response = redirect("remote:home")
    response.delete_cookie(COOKIE, path=PREFIX, samesite="Lax")
    return response
