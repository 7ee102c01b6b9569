"""Pages of the general assembly: convening, the registration desk, the live session, motions, minutes."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from assemblies import selectors, services, wording
from assemblies.booth import become_booth
from assemblies.kept import kept_for, kept_pdf
from assemblies.letters import codes_zip, letters_folder
from assemblies.minutes import (
    attendance,
    call_notice_pdf,
    minutes_facts,
    minutes_hash,
    minutes_pdf,
    signature_sheet_pdf,
)
from assemblies.models import (
    Assembly,
    AssemblyKind,
    AssemblyMode,
    AssemblyStatus,
    AttendanceEvent,
    Call,
    KeptMinutes,
    LetterRun,
    LetterStatus,
    MajorityChoice,
    Motion,
    MotionKind,
    Office,
    OfficeKind,
    Presence,
    RollEntry,
    VotingMethod,
)
from coop.models import Season
from fund.models import Spending, SpendingStatus
from toolkit.numbers import parse_whole
from toolkit.pdf import pdf_response
from toolkit.roles import ADMINISTRATOR, BOARD, CLERK, has_role, public, role_required
from toolkit.roles import READERS as ALL_READERS
from toolkit.views import date_or_none, errors_of, query_without_page, refused, token_or_none

# Every role reads assemblies (a members' matter); the board organises them; clerks may staff the desk.
READERS = ALL_READERS
ORGANISERS = (ADMINISTRATOR, BOARD)
DESK = (ADMINISTRATOR, BOARD, CLERK)
SEARCH_RESULTS = 20
ATTENDANCE_PAGE_SIZE = 200  # an assembly of 20,000 members has some 12,000 attendees


def _assembly(pk) -> Assembly:
    return get_object_or_404(Assembly.objects.select_related("rule_set"), pk=pk)


def _motion(pk, number, *related) -> Motion:
    return get_object_or_404(
        Motion.objects.select_related("assembly__rule_set", "season", *related), assembly_id=pk, number=number
    )


def _moment(value: str) -> datetime | None:
    """A datetime-local input (2026-03-21T09:00) in the cooperative's time zone."""
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@role_required(*READERS)
def assembly_list(request):
    assemblies = selectors.assemblies_with_counts()
    return render(
        request,
        "assemblies/list.html",
        {
            "assemblies": assemblies,
            "rule_set": selectors.rule_set_in_force(timezone.localdate()),
            "can_organise": has_role(request.user, *ORGANISERS),
        },
    )


@role_required(*ORGANISERS)
def assembly_new(request):
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            assembly = services.convene_assembly(
                kind=data.get("kind", ""),
                mode=data.get("mode", ""),
                place=data.get("place", ""),
                link=data.get("link", ""),
                first_call_at=_moment(data.get("first_call_at")),
                second_call_at=_moment(data.get("second_call_at")),
                agenda=data.get("agenda", ""),
                cutoff_date=date_or_none(data.get("cutoff_date")),
                user=request.user,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(
                request,
                _(
                    "%(assembly)s convocada: padrón de %(roll)d socios hábiles al %(cutoff)s, "
                    "reglamento «%(rules)s»."
                )
                % {
                    "assembly": assembly,
                    "roll": assembly.roll_size,
                    "cutoff": assembly.cutoff_date.strftime("%d/%m/%Y"),
                    "rules": assembly.rule_set,
                },
            )
            return redirect(assembly)
    return render(
        request,
        "assemblies/assembly_form.html",
        {
            "errors": errors,
            "data": data,
            "kinds": AssemblyKind.choices,
            "modes": AssemblyMode.choices,
            "rule_set": selectors.rule_set_in_force(timezone.localdate()),
        },
        status=400 if errors else 200,
    )


def _quorum_context(assembly: Assembly) -> dict:
    in_person, virtual, represented = selectors.attendance_split(assembly)
    present = in_person + virtual
    attending = present + represented
    calls = []
    for call in (Call.FIRST, Call.SECOND):
        threshold = assembly.rule_set.quorum(call)
        needed = threshold.needed(assembly.roll_size)
        calls.append(
            {
                "call": call,
                "label": Call(call).label,
                "rule": threshold.describe(),
                "needed": needed,
                "met": attending >= needed,
                "missing": max(needed - attending, 0),
            }
        )
    return {
        "present": present,
        "in_person": in_person,
        "virtual": virtual,
        "from_home": assembly.takes_part_from_home or bool(virtual),
        "represented": represented,
        "attending": attending,
        "calls": calls,
        "percent": round(100 * attending / assembly.roll_size) if assembly.roll_size else 0,
    }


@role_required(*READERS)
def assembly_detail(request, pk):
    assembly = _assembly(pk)
    motions = assembly.motions.annotate(line_count=Count("budget_lines"))
    return render(
        request,
        "assemblies/assembly_detail.html",
        {
            "assembly": assembly,
            "motions": motions,
            "quorum": _quorum_context(assembly),
            "can_organise": has_role(request.user, *ORGANISERS),
            "can_desk": has_role(request.user, *DESK),
            "calls": Call.choices,
            # The code fixed at closing, read, not recomputed: the records are checked on request
            # (the verification page's «Comprobar»), since 4,500 attendees take a second to hash.
            "minutes_ready": KeptMinutes.objects.filter(assembly=assembly).exclude(pdf_sha256="").exists(),
            "codes_issued": (
                selectors.remote_codes_issued(assembly) if assembly.takes_part_from_home else None
            ),
            "remote_url": reverse("remote:home"),
        },
    )


@role_required(*READERS)
def session_live(request, pk):
    """The quorum board: present, represented and quorum against the frozen rule (refreshes itself)."""
    assembly = _assembly(pk)
    template = "assemblies/_live.html" if request.htmx else "assemblies/live.html"
    return render(request, template, {"assembly": assembly, "quorum": _quorum_context(assembly)})


@role_required(*ORGANISERS)
@require_POST
def assembly_open(request, pk):
    assembly = _assembly(pk)
    try:
        assembly = services.open_session(
            assembly=assembly, call=request.POST.get("call", ""), user=request.user
        )
    except ValidationError as exc:
        refused(request, exc, about=_("Apertura"))
    else:
        messages.success(
            request,
            _("Sesión abierta en %(call)s con %(attending)s (%(attendance)s); quórum exigido %(needed)d.")
            % {
                "call": assembly.get_opened_on_call_display(),
                "attending": wording.member_count(assembly.quorum_attending),
                "attendance": wording.attendance(assembly.quorum_present, assembly.quorum_represented),
                "needed": assembly.quorum_needed,
            },
        )
    return redirect(assembly)


@role_required(*ORGANISERS)
@require_POST
def assembly_close(request, pk):
    assembly = _assembly(pk)
    try:
        services.close_assembly(assembly=assembly, user=request.user)
    except ValidationError as exc:
        refused(request, exc, about=_("Cierre"))
    else:
        messages.success(
            request,
            _("Asamblea cerrada. El acta en PDF estará lista en unos momentos para imprimirla y firmarla."),
        )
    return redirect(assembly)


# --- The registration desk ----------------------------------------------------------


def _exact(assembly: Assembly, query: str):
    """Roll entries whose code (any case) or DNI is exactly ``query``."""
    # Codes are stored upper-case: the indexed match first (the desk's Enter path), then any case.
    exact = assembly.roll.filter(Q(code=query.upper()) | Q(dni=query))
    return exact if exact.exists() else assembly.roll.filter(code__iexact=query)


def _find(assembly: Assembly, query: str):
    """Roll entries matching a member code or DNI exactly, or else every word of a name."""
    query = (query or "").strip()
    if not query:
        return RollEntry.objects.none()
    exact = _exact(assembly, query)
    if exact.exists():
        return exact
    found = assembly.roll.all()
    for word in query.split():
        found = found.filter(name__icontains=word)
    return found


def _entry_by_code(assembly: Assembly, code: str) -> RollEntry | None:
    code = (code or "").strip()
    return _exact(assembly, code).first() if code else None


@role_required(*DESK)
def desk(request, pk):
    """Registration desk: find by code, DNI or name; Enter on an exact code or DNI checks the member in."""
    assembly = _assembly(pk)
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()
    found = []
    if request.method == "POST" and query:
        member = _entry_by_code(assembly, query)
        if member is None:  # a name: list the matches to choose from
            return redirect(f"{request.path}?q={query}")
        try:
            services.check_in(assembly=assembly, entry=member, user=request.user)
        except ValidationError as exc:
            refused(request, exc)
            return redirect(f"{request.path}?q={member.code}")
        messages.success(request, _("Asistencia registrada: %(member)s.") % {"member": member})
        return redirect(request.path)
    if query:
        found = list(
            _find(assembly, query).select_related("member", "presence__holder", "presence__event")[
                :SEARCH_RESULTS
            ]
        )
        held = dict(
            Presence.objects.filter(holder__in=found)
            .values("holder")
            .annotate(n=Count("id"))
            .values_list("holder", "n")
        )
        for item in found:
            item.proxy_count = held.get(item.pk, 0)
    booths = _booths(assembly)
    motion = selectors.open_electronic_motion(assembly)
    holder, choices = _proxy_choices(assembly, motion, request.GET.get("votante"))
    recent = (
        AttendanceEvent.objects.filter(assembly=assembly)
        .select_related("entry", "holder", "recorded_by")
        .order_by("-id")[:8]
    )
    return render(
        request,
        "assemblies/desk.html",
        {
            "assembly": assembly,
            "query": query,
            "found": found,
            "recent": recent,
            "quorum": _quorum_context(assembly),
            "searched": bool(query),
            "not_on_roll": selectors.why_not_on_roll(assembly, query) if query and not found else None,
            "booths": booths,
            "voting": motion,
            "holder": holder,
            "choices": choices,
            "picked_booth": request.GET.get("cabina", ""),
            "can_open_booth": has_role(request.user, *ORGANISERS),
        },
    )


def _proxy_choices(assembly: Assembly, motion: Motion | None, code: str | None):
    """For a proxy holder at the desk: themselves and each member they represent, with who has voted."""
    holder = _entry_by_code(assembly, code) if code else None
    if holder is None or motion is None:
        return None, []
    entries = [holder] + [p.entry for p in Presence.objects.filter(holder=holder).select_related("entry")]
    voted = set(motion.casts.filter(voter__in=entries).values_list("voter_id", flat=True))
    return holder, [(e, e.pk in voted) for e in entries]


@role_required(*DESK)
@require_POST
def desk_action(request, pk):
    assembly = _assembly(pk)
    action = request.POST.get("action")
    member = assembly.roll.filter(pk=request.POST.get("entry") or 0).first()
    back = f"{redirect('assemblies:desk', pk=assembly.pk).url}?q={member.code if member else ''}"
    try:
        if action == "check_in":
            services.check_in(assembly=assembly, entry=member, user=request.user)
            messages.success(request, _("Asistencia registrada: %(member)s.") % {"member": member})
        elif action == "proxy":
            holder = _entry_by_code(assembly, request.POST.get("holder"))
            if holder is None:
                raise ValidationError(
                    {
                        "holder": _("No hay nadie con el código o DNI «%(code)s» en el padrón.")
                        % {"code": request.POST.get("holder")}
                    }
                )
            services.register_proxy(
                assembly=assembly,
                represented=member,
                holder=holder,
                letter=request.POST.get("letter", ""),
                user=request.user,
            )
            messages.success(
                request,
                _("Poder registrado: %(member)s, %(represented_by)s.")
                % {
                    "member": member,
                    "represented_by": wording.represented_by(member.member.sex, holder, capital=False),
                },
            )
        elif action == "undo":
            services.undo_attendance(
                assembly=assembly, entry=member, reason=request.POST.get("reason", ""), user=request.user
            )
            messages.success(request, _("Registro anulado: %(member)s.") % {"member": member})
        else:
            messages.error(request, _("Acción desconocida."))
    except ValidationError as exc:
        refused(request, exc)
    return redirect(back)


# --- Voting booths -----------------------------------------------------------------


@role_required(*ORGANISERS)
@require_POST
def booth_open(request, pk):
    """This browser becomes a booth of the assembly: the user is signed out, the booth's token stays."""
    assembly = _assembly(pk)
    try:
        booth = services.open_booth(assembly=assembly, user=request.user)
    except ValidationError as exc:
        refused(request, exc, about=_("Cabina"))
        return redirect(assembly)
    return become_booth(request, booth)


def _booths(assembly: Assembly) -> list:
    booths = list(assembly.booths.filter(closed_at__isnull=True).order_by("number"))
    for booth in booths:
        booth.waiting = selectors.waiting_unlock(booth)
    return booths


@role_required(*DESK)
@require_POST
def booth_action(request, pk):
    """The desk unlocks a booth for a present voter (or for a member whose proxy they hold), locks a
    booth whose voter did not vote, or closes a booth."""
    assembly = _assembly(pk)
    action = request.POST.get("action")
    picked = (request.POST.get("booth") or "").strip()
    booth = assembly.booths.filter(pk=picked).first() if picked.isdigit() else None
    try:
        if booth is None:
            raise ValidationError({"booth": _("Elija la cabina.")})
        if action == "unlock":
            person = _entry_by_code(assembly, request.POST.get("person"))
            if person is None:
                raise ValidationError(
                    {
                        "person": _("No hay nadie con el código o DNI «%(code)s» en el padrón.")
                        % {"code": (request.POST.get("person") or "").strip()}
                    }
                )
            voter = person
            chosen = (request.POST.get("voter") or "").strip()
            if chosen:
                voter = assembly.roll.filter(pk=chosen).first() if chosen.isdigit() else None
            elif Presence.objects.filter(holder=person).exists():
                # A proxy holder chooses whom this turn in the booth is for.
                desk_url = redirect("assemblies:desk", pk=assembly.pk).url
                return redirect(f"{desk_url}?votante={person.code}&cabina={booth.pk}")
            unlock = services.unlock_booth(booth=booth, person=person, voter=voter, user=request.user)
            if unlock.voter != unlock.cast_by:
                done = _("%(booth)s habilitada: %(holder)s vota por %(voter)s en «%(motion)s».")
            else:
                done = _("%(booth)s habilitada: vota %(voter)s en «%(motion)s».")
            messages.success(
                request,
                done
                % {
                    "booth": booth,
                    "voter": unlock.voter,
                    "holder": unlock.cast_by,
                    "motion": unlock.motion.title,
                },
            )
        elif action == "lock":
            services.withdraw_unlock(booth=booth, user=request.user)
            messages.success(request, _("%(booth)s bloqueada.") % {"booth": booth})
        elif action == "close":
            services.close_booth(booth=booth, user=request.user)
            messages.success(request, _("%(booth)s cerrada.") % {"booth": booth})
        else:
            messages.error(request, _("Acción desconocida."))
    except ValidationError as exc:
        refused(request, exc)
    return redirect("assemblies:desk", pk=assembly.pk)


@role_required(*ORGANISERS)
@require_POST
def remote_codes(request, pk):
    """Voting codes for members who take part from home. For every member on the roll who has none,
    the letters are made in the background (a run page with its progress, then the ZIP kept there);
    a new code for one member (a lost letter) is answered at once. The ZIP is the only copy of the
    codes in clear: letters (PDF) and SMS texts (CSV)."""
    assembly = _assembly(pk)
    code = (request.POST.get("member") or "").strip()
    try:
        if request.POST.get("action") != "member":
            run = services.start_letter_run(assembly=assembly, user=request.user)
            if run is None:
                messages.info(request, _("Todos los socios del padrón ya tienen su código de voto."))
                return redirect(assembly)
            return redirect("assemblies:letter_run", pk=assembly.pk, run=run.pk)
        entry = _entry_by_code(assembly, code)
        if entry is None:
            missing = _("No hay nadie con el código o DNI «%(code)s» en el padrón.")
            raise ValidationError({"member": missing % {"code": code}})
        made = services.issue_remote_codes(assembly=assembly, entries=[entry], user=request.user)
    except ValidationError as exc:
        refused(request, exc, about=_("Códigos de voto"))
        return redirect(assembly)
    name = f"codigos-voto-{assembly.minutes_number}-{made[0][0].code}"
    response = HttpResponse(codes_zip(assembly, made, request=request), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(*ORGANISERS)
def letter_run(request, pk, run):
    """The letters being made: progress (refreshed by htmx), then the ZIP to download."""
    run = get_object_or_404(LetterRun.objects.select_related("assembly", "requested_by"), pk=run, assembly=pk)
    template = "assemblies/_letter_progress.html" if request.htmx else "assemblies/letter_run.html"
    return render(request, template, {"run": run, "assembly": run.assembly})


@role_required(*ORGANISERS)
@require_safe
def letter_run_zip(request, pk, run):
    run = get_object_or_404(LetterRun.objects.select_related("assembly"), pk=run, assembly=pk)
    path = letters_folder() / run.filename
    if run.status != LetterStatus.DONE or not run.filename or not path.is_file():
        raise Http404(_("Las cartas todavía no están listas."))
    response = FileResponse(path.open("rb"), as_attachment=True, filename=run.filename)
    response["Content-Type"] = "application/zip"
    response["Cache-Control"] = "no-store"
    return response


@role_required(*READERS)
def attendance_list(request, pk):
    assembly = _assembly(pk)
    page = Paginator(attendance(assembly), ATTENDANCE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assemblies/attendance.html",
        {
            "assembly": assembly,
            "page": page,
            "query_string": query_without_page(request),
            "quorum": _quorum_context(assembly),
            "events": (
                AttendanceEvent.objects.filter(assembly=assembly, kind="undone").select_related(
                    "entry", "recorded_by", "undoes"
                )
            ),
        },
    )


# --- Motions ------------------------------------------------------------------------


def _seats(typed: str) -> int:
    """Seats in an election as typed; anything that is not a count is 0, which draft_motion refuses."""
    try:
        return parse_whole(typed or "")
    except ValidationError:
        return 0


@role_required(*ORGANISERS)
def motion_new(request, pk):
    assembly = _assembly(pk)
    errors, data = {}, request.POST if request.method == "POST" else {}
    chosen = set(data.getlist("activities")) if request.method == "POST" else set()
    if request.method == "POST":
        seats = data.get("seats", "1")
        try:
            motion = services.draft_motion(
                assembly=assembly,
                kind=data.get("kind", ""),
                title=data.get("title", ""),
                text=data.get("text", ""),
                majority=data.get("majority", ""),
                method=data.get("method", ""),
                secret=bool(data.get("secret")),
                candidates=(data.get("candidates") or "").splitlines(),
                seats=_seats(seats),
                office_kind=data.get("office_kind", ""),
                office_name=data.get("office_name", ""),
                season=Season.picked(data.get("season")),
                activities=[int(pk) for pk in chosen if pk.isdigit()],
                user=request.user,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("Moción %(motion)s registrada como borrador.") % {"motion": motion})
            return redirect(motion)
    drafts = list(selectors.attachable_activities())
    for activity in drafts:
        activity.chosen = str(activity.pk) in chosen
    return render(
        request,
        "assemblies/motion_form.html",
        {
            "assembly": assembly,
            "errors": errors,
            "data": data,
            "kinds": MotionKind.choices,
            "majorities": MajorityChoice.choices,
            "methods": VotingMethod.choices,
            "office_kinds": OfficeKind.choices,
            "election_rule": assembly.rule_set.election(),
            "seasons": Season.objects.order_by("-starts_on"),
            "drafts": drafts,
            "plan_url": reverse("fund:budget_line_new"),
            "available": selectors.premium_available_minor(),
        },
        status=400 if errors else 200,
    )


@role_required(*READERS)
def motion_detail(request, pk, number):
    motion = _motion(pk, number, "opened_by", "voting_closed_by", "cancelled_by")
    tallies = (
        motion.tallies.select_related("entered_by", "corrects")
        .prefetch_related("counts__option")
        .order_by("box", "id")
    )
    spent = Spending.objects.none()
    if motion.authorization_id:
        spent = (
            Spending.objects.filter(line__authorization_id=motion.authorization_id)
            .select_related("line")
            .order_by("document_date", "id")
        )
    spent = list(spent)
    lines = list(motion.budget_lines.select_related("line"))
    # A named electronic vote shows its running totals; a secret one only when published.
    named_vote = motion.method == VotingMethod.ELECTRONIC and not motion.secret
    live_totals = selectors.option_totals(motion) if named_vote else {}
    return render(
        request,
        "assemblies/motion_detail.html",
        {
            "motion": motion,
            "assembly": motion.assembly,
            "options": motion.options.select_related("member"),
            "lines": lines,
            "lines_total": sum(line.amount_minor for line in lines),
            "paid_total": sum(s.amount_minor for s in spent if s.status == SpendingStatus.PAID),
            "pending_total": sum(s.amount_minor for s in spent if s.status == SpendingStatus.PENDING),
            "tallies": tallies,
            "spent": spent,
            "can_organise": has_role(request.user, *ORGANISERS),
            "can_desk": has_role(request.user, *DESK),
            "cast_count": motion.casts.count(),
            "live_totals": live_totals,
            "turnout": selectors.turnout(motion),
            "quorum": _quorum_context(motion.assembly),
        },
    )


@role_required(*ORGANISERS)
@require_POST
def motion_action(request, pk, number):
    motion = _motion(pk, number)
    action = request.POST.get("action")
    steps = {
        "open": (services.open_motion, _("Votación abierta.")),
        "publish": (services.publish_motion, _("Resultado publicado.")),
    }
    try:
        if action == "cancel":
            services.cancel_motion(motion=motion, reason=request.POST.get("reason", ""), user=request.user)
            messages.success(request, _("Moción retirada."))
        elif action == "close":
            motion = services.close_voting(
                motion=motion, user=request.user, confirm=request.POST.get("confirm") == "1"
            )
            messages.success(request, _("Votación cerrada: en escrutinio."))
        elif action in steps:
            service, done = steps[action]
            motion = service(motion=motion, user=request.user)
            # The published result is shown as recorded (in the cooperative's language).
            messages.success(request, motion.result_text if action == "publish" else done)
        else:
            messages.error(request, _("Acción desconocida."))
    except ValidationError as exc:
        if getattr(exc, "code", None) == "unconfirmed":
            # Members present have not voted: the board confirms, with the number before its eyes.
            return render(
                request,
                "assemblies/close_confirm.html",
                {
                    "motion": motion,
                    "assembly": motion.assembly,
                    "question": exc.messages[0],
                    "turnout": selectors.turnout(motion),
                },
            )
        refused(request, exc)
    return redirect(motion)


@role_required(*ORGANISERS)
@require_POST
def motion_tally(request, pk, number):
    motion = _motion(pk, number)
    counts = {o.position: request.POST.get(f"option_{o.position}") for o in motion.options.all()}
    try:
        if motion.method == VotingMethod.PAPER and motion.ballots_issued is None:
            if not (request.POST.get("total_issued") or "").strip():
                raise ValidationError(
                    {
                        "total_issued": _(
                            "Indique cuántas cédulas se entregaron en total, en toda la votación: las "
                            "ánforas deben sumarlas."
                        )
                    }
                )
        services.record_tally(
            motion=motion,
            box=request.POST.get("box", ""),
            ballots_issued=request.POST.get("ballots_issued"),
            spoiled=request.POST.get("spoiled"),
            total_issued=request.POST.get("total_issued"),
            counts=counts,
            reason=request.POST.get("reason", ""),
            user=request.user,
        )
    except ValidationError as exc:
        refused(request, exc, about=_("Conteo no guardado"))
    else:
        messages.success(request, _("Conteo registrado."))
    return redirect(motion)


@role_required(*DESK)
def not_voted(request, pk, number):
    motion = _motion(pk, number)
    page = Paginator(selectors.not_voted(motion), ATTENDANCE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assemblies/not_voted.html",
        {
            "motion": motion,
            "assembly": motion.assembly,
            "page": page,
            "query_string": query_without_page(request),
        },
    )


# --- Documents ----------------------------------------------------------------------


@role_required(*READERS)
@require_safe
def call_notice(request, pk):
    assembly = _assembly(pk)
    return pdf_response(call_notice_pdf(assembly), f"convocatoria-{assembly.first_call_at:%Y-%m-%d}.pdf")


@role_required(*READERS)
@require_safe
def signature_sheet(request, pk):
    assembly = _assembly(pk)
    return pdf_response(signature_sheet_pdf(assembly), f"padron-firmas-{assembly.first_call_at:%Y-%m-%d}.pdf")


@role_required(*READERS)
@require_safe
def minutes(request, pk):
    assembly = _assembly(pk)
    if assembly.status != AssemblyStatus.CLOSED:
        messages.error(request, _("El acta se emite al cerrar la asamblea."))
        return redirect(assembly)
    filename = f"acta-{assembly.first_call_at:%Y-%m-%d}.pdf"
    kept = kept_for(assembly, with_facts=False)
    if kept is None or translation.get_language() != kept.language:
        # Records altered since closing, or a reader in another language: rendered now, as it stands.
        return pdf_response(minutes_pdf(assembly, request=request), filename)
    content = kept_pdf(kept)
    if content is None:
        return render(request, "assemblies/minutes_preparing.html", {"assembly": assembly})
    return pdf_response(content, filename)


@public
def minutes_verify(request, key):
    """Anyone holding the minutes checks their code against Minka's records. Only a closed assembly has
    minutes: any other key, or text that is not a key, gets «no existe» (404)."""
    key = token_or_none(key)
    closed = Assembly.objects.select_related("rule_set").filter(status=AssemblyStatus.CLOSED)
    assembly = closed.filter(verification_key=key).first() if key else None
    if assembly is None:
        return render(request, "assemblies/verify_missing.html", status=404)
    # The facts kept at closing and their code, read; «Comprobar» recomputes the code from the records.
    kept = kept_for(assembly)
    checked = "comprobar" in request.GET or kept is None
    if checked:
        facts = minutes_facts(assembly)
        matches = bool(assembly.minutes_hash) and minutes_hash(assembly) == assembly.minutes_hash
    else:
        facts, matches = kept.facts, kept.facts_hash == assembly.minutes_hash
    return render(
        request,
        "assemblies/verify.html",
        {
            "assembly": assembly,
            "facts": facts,
            "matches": matches,
            "checked": checked,
            "approved": sum(1 for m in facts["motions"] if m["approved"]),
        },
    )


# --- Offices ------------------------------------------------------------------------


def _offices_page(request):
    typed = (request.GET.get("fecha") or "").strip()
    day = date_or_none(typed) or timezone.localdate()
    return render(
        request,
        "assemblies/offices.html",
        {
            "day": day,
            "typed_day": typed,
            "bad_day": bool(typed) and date_or_none(typed) is None,
            "offices": selectors.offices_on(day),
            "can_organise": has_role(request.user, *ORGANISERS),
            "office_kinds": OfficeKind.choices,
        },
    )


@role_required(*READERS)
@require_safe
def offices(request):
    """Who holds office today, or on the date asked (?fecha=dd/mm/aaaa)."""
    return _offices_page(request)


@role_required(*ORGANISERS)
@require_POST
def office_new(request):
    data = request.POST
    try:
        office = services.record_office(
            member=data.get("member", ""),
            kind=data.get("kind", ""),
            name=data.get("name", ""),
            starts_on=data.get("starts_on", ""),
            ends_on=data.get("ends_on", ""),
            user=request.user,
        )
    except ValidationError as exc:
        refused(request, exc, about=_("No se registró el cargo"))
        return redirect("assemblies:offices")
    messages.success(request, _("Cargo registrado: %(office)s.") % {"office": office})
    return redirect("assemblies:offices")


@role_required(*ORGANISERS)
@require_POST
def office_end(request):
    data = request.POST
    office = Office.objects.filter(pk=_pk_or_none(data.get("office"))).first()
    if office is None:
        messages.error(request, _("Elija el cargo que termina."))
        return redirect("assemblies:offices")
    try:
        successor = services.end_office(
            office=office,
            ended_on=data.get("ended_on", ""),
            reason=data.get("reason", ""),
            replacement=data.get("replacement", ""),
            user=request.user,
        )
    except ValidationError as exc:
        refused(request, exc, about=str(office))
        return redirect("assemblies:offices")
    if successor is not None:
        messages.success(
            request,
            _("Cese registrado: %(office)s. Lo reemplaza %(member)s desde el %(day)s.")
            % {"office": office, "member": successor.member, "day": successor.starts_on.strftime("%d/%m/%Y")},
        )
    else:
        messages.success(request, _("Cese registrado: %(office)s.") % {"office": office})
    return redirect("assemblies:offices")


def _pk_or_none(typed) -> int | None:
    typed = str(typed or "").strip()
    return int(typed) if typed.isdigit() else None
