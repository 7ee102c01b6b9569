"""Every write of an assembly: convening, the registration desk, motions, votes, results, closing.

Each function is keyword-only, takes the acting user, runs in one transaction
and either writes everything or raises ``ValidationError`` with a message per
field and nothing written. Writes during the session lock the assembly row
first, so two desks checking in at once, or a proxy registered while its
holder's check-in is undone, see each other's work.
"""

import uuid
from collections import Counter
from datetime import date as Date
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assemblies import codes, wording
from assemblies.kept import keep_minutes
from assemblies.letters import make_letters
from assemblies.models import (
    Assembly,
    AssemblyKind,
    AssemblyMode,
    AssemblyStatus,
    AttendanceEvent,
    AttendanceKind,
    Ballot,
    BallotCast,
    BallotCounter,
    Booth,
    BoothUnlock,
    Call,
    LetterRun,
    LetterStatus,
    MajorityChoice,
    Motion,
    MotionBudgetLine,
    MotionKind,
    MotionOption,
    MotionStatus,
    Office,
    OfficeKind,
    OptionKind,
    Presence,
    PresenceKind,
    RemoteCode,
    RollEntry,
    TallyCount,
    TallyRecord,
    VotingMethod,
)
from assemblies.rules import Count, Majority, decide
from assemblies.selectors import (
    attachable_activities,
    attendance_counts,
    attendance_split,
    current_tallies,
    eligible_members,
    not_voted,
    open_electronic_motion,
    option_totals,
    premium_available_minor,
    remote_codes_for,
    rule_set_in_force,
    waiting_unlock,
)
from coop.models import Member, MemberStatus
from fund.figures import soles
from fund.models import BudgetLine
from fund.services import authorize_budget_lines
from toolkit.dates import parse_typed_date
from toolkit.numbers import parse_whole

# --- Convening ---------------------------------------------------------------------


@transaction.atomic
def convene_assembly(
    *,
    kind: str,
    mode: str,
    place: str = "",
    link: str = "",
    first_call_at: datetime | None,
    second_call_at: datetime | None,
    agenda: str,
    cutoff_date: Date | None,
    convened_on: Date | None = None,
    user,
) -> Assembly:
    """Convene a general assembly: freeze the rule set in force and the roll as of the cut-off date."""
    convened_on = convened_on or timezone.localdate()
    errors = {}
    if kind not in AssemblyKind.values:
        errors["kind"] = _("Elija si la asamblea es ordinaria o extraordinaria.")
    if mode not in AssemblyMode.values:
        errors["mode"] = _("Elija la modalidad: presencial, virtual o mixta.")
    place, link, agenda = (place or "").strip(), (link or "").strip(), (agenda or "").strip()
    if mode in (AssemblyMode.IN_PERSON, AssemblyMode.HYBRID) and not place:
        errors["place"] = _("Indique el lugar de la asamblea.")
    if mode in (AssemblyMode.VIRTUAL, AssemblyMode.HYBRID):
        if not link:
            errors["link"] = _("Indique el enlace de la sesión virtual.")
        else:
            try:
                URLValidator(schemes=["https"])(link)
            except ValidationError:
                errors["link"] = _("El enlace debe ser una dirección https:// completa.")
    if not agenda:
        errors["agenda"] = _("Escriba la agenda: los puntos que la asamblea tratará.")
    if first_call_at is None:
        errors["first_call_at"] = _("Indique fecha y hora de la primera convocatoria.")
    elif first_call_at.date() < convened_on:
        errors["first_call_at"] = _("La primera convocatoria no puede ser anterior a la convocatoria misma.")
    if second_call_at is None:
        errors["second_call_at"] = _("Indique fecha y hora de la segunda convocatoria.")
    elif first_call_at and second_call_at <= first_call_at:
        errors["second_call_at"] = _("La segunda convocatoria debe ser después de la primera.")
    if cutoff_date is None:
        errors["cutoff_date"] = _("Indique la fecha de corte del padrón.")
    elif cutoff_date > convened_on:
        errors["cutoff_date"] = _("La fecha de corte no puede ser posterior al día de la convocatoria.")
    if convened_on > timezone.localdate():
        errors["convened_on"] = _("La fecha de convocatoria no puede estar en el futuro.")
    rule_set = rule_set_in_force(convened_on)
    if rule_set is None:
        errors["rule_set"] = _(
            "No hay reglamento de asambleas vigente: regístrelo (Administración → "
            "Reglamentos de asambleas) antes de convocar."
        )
    if errors:
        raise ValidationError(errors)
    members = list(
        eligible_members(rule_set, cutoff_date).values_list(
            "pk", "code", "dni", "name", "community", *(["zone"] if rule_set.uses_delegates else [])
        )
    )
    if not members:
        raise ValidationError(
            {
                "cutoff_date": _(
                    "Nadie está habilitado en el padrón al %(cutoff)s con el reglamento «%(rules)s»."
                )
                % {"cutoff": cutoff_date.strftime("%d/%m/%Y"), "rules": rule_set}
            }
        )
    assembly = Assembly(
        kind=kind,
        mode=mode,
        place=place,
        link=link,
        first_call_at=first_call_at,
        second_call_at=second_call_at,
        agenda=agenda,
        cutoff_date=cutoff_date,
        rule_set=rule_set,
        roll_size=len(members),
        convened_on=convened_on,
        convened_by=user,
    )
    assembly.save()
    RollEntry.objects.bulk_create(
        [
            RollEntry(
                assembly=assembly,
                member_id=row[0],
                position=n,
                code=row[1],
                dni=row[2],
                name=row[3],
                community=row[4],
                zone=row[5] if len(row) > 5 else "",
            )
            for n, row in enumerate(members, start=1)
        ],
        batch_size=2000,
    )
    return assembly


# --- The registration desk ----------------------------------------------------------


def _lock(assembly: Assembly) -> Assembly:
    return Assembly.objects.select_for_update().select_related("rule_set").get(pk=assembly.pk)


def _desk_open(assembly: Assembly) -> None:
    if assembly.status == AssemblyStatus.CLOSED:
        raise ValidationError(_("La asamblea está cerrada: su asistencia ya no cambia."))


def _entry_of(assembly: Assembly, entry: RollEntry | None, field: str = "member") -> RollEntry:
    if entry is None or entry.assembly_id != assembly.pk:
        raise ValidationError({field: _("Esa persona no está en el padrón de esta asamblea.")})
    return entry


# Why a member cannot check in, or give a proxy, when already attending: (attending as, refused action).
_ALREADY_ATTENDING = {
    (PresenceKind.PRESENT, "check_in"): gettext_lazy("%(member)s ya registró su asistencia (%(time)s)."),
    (PresenceKind.REPRESENTED, "check_in"): gettext_lazy(
        "%(member)s ya está %(represented_by)s (carta poder %(letter)s). "
        "Para que vote en persona, anule antes el poder."
    ),
    (PresenceKind.PRESENT, "proxy"): gettext_lazy(
        "%(member)s ya registró su asistencia (%(time)s). Un socio presente o ya representado no da poder."
    ),
    (PresenceKind.REPRESENTED, "proxy"): gettext_lazy(
        "%(member)s ya está %(represented_by)s (carta poder %(letter)s). "
        "Un socio presente o ya representado no da poder."
    ),
    (PresenceKind.VIRTUAL, "check_in"): gettext_lazy(
        "%(member)s ya asiste en forma virtual, desde su casa (%(time)s): no se registra también en "
        "persona. Si llegó al local, anule antes su asistencia virtual."
    ),
    (PresenceKind.VIRTUAL, "proxy"): gettext_lazy(
        "%(member)s ya asiste en forma virtual (%(time)s). Un socio presente no da poder."
    ),
    (PresenceKind.PRESENT, "virtual"): gettext_lazy(
        "%(member)s registró su asistencia en persona, en la mesa (%(time)s): vota en la cabina del "
        "local, no desde su casa."
    ),
    (PresenceKind.REPRESENTED, "virtual"): gettext_lazy(
        "%(member)s está %(represented_by)s (carta poder %(letter)s): vota su apoderado, no desde su casa."
    ),
}


def _describe_presence(presence: Presence, refused: str) -> str:
    """Why ``refused`` ("check_in", "proxy" or "virtual") cannot be done for a member already attending."""
    at = timezone.localtime(presence.event.recorded_at)
    return str(_ALREADY_ATTENDING[(presence.kind, refused)]) % {
        "member": presence.entry,
        "time": at.strftime("%H:%M"),
        "represented_by": wording.represented_by(presence.entry.member.sex, presence.holder, capital=False),
        "letter": presence.event.letter,
    }


@transaction.atomic
def check_in(*, assembly: Assembly, entry: RollEntry | None, user) -> AttendanceEvent:
    assembly = _lock(assembly)
    _desk_open(assembly)
    entry = _entry_of(assembly, entry)
    existing = Presence.objects.select_related("entry__member", "holder", "event").filter(entry=entry).first()
    if existing:
        raise ValidationError({"member": _describe_presence(existing, "check_in")})
    event = AttendanceEvent(assembly=assembly, kind=AttendanceKind.CHECK_IN, entry=entry, recorded_by=user)
    event.save()
    Presence.objects.create(assembly=assembly, entry=entry, kind=PresenceKind.PRESENT, event=event)
    return event


@transaction.atomic
def register_proxy(
    *, assembly: Assembly, represented: RollEntry | None, holder: RollEntry | None, letter: str, user
) -> AttendanceEvent:
    """A member absent today represented by a member present, with the proxy letter."""
    assembly = _lock(assembly)
    _desk_open(assembly)
    rules = assembly.rule_set
    errors = {}
    if not rules.proxies_allowed:
        raise ValidationError(
            {"represented": _("El reglamento «%(rules)s» no admite poderes.") % {"rules": rules}}
        )
    letter = (letter or "").strip()
    if not letter:
        errors["letter"] = _("Indique el número o la referencia de la carta poder.")
    if represented is None or represented.assembly_id != assembly.pk:
        errors["represented"] = _("El socio representado no está en el padrón de esta asamblea.")
    if holder is None or holder.assembly_id != assembly.pk:
        errors["holder"] = _(
            "El apoderado no está en el padrón de esta asamblea: un poder solo se da a otro socio."
        )
    if errors:
        raise ValidationError(errors)
    if represented.pk == holder.pk:
        raise ValidationError({"holder": _("Un socio no puede representarse a sí mismo.")})
    existing = (
        Presence.objects.select_related("entry__member", "holder", "event").filter(entry=represented).first()
    )
    if existing:
        raise ValidationError({"represented": _describe_presence(existing, "proxy")})
    holder_presence = Presence.objects.filter(entry=holder).first()
    if holder_presence is None or holder_presence.kind != PresenceKind.PRESENT:
        raise ValidationError(
            {
                "holder": _(
                    "%(holder)s no ha registrado su asistencia: el apoderado debe estar "
                    "presente. Registre primero su asistencia."
                )
                % {"holder": holder}
            }
        )
    held = Presence.objects.filter(holder=holder).count()
    if held >= rules.max_proxies_per_holder:
        raise ValidationError(
            {
                # «poder(es)», not a plural form: the wording the desk has always shown.
                "holder": _(
                    "%(holder)s ya tiene %(held)d poder(es); el reglamento permite %(max)d por socio."
                )
                % {"holder": holder, "held": held, "max": rules.max_proxies_per_holder}
            }
        )
    event = AttendanceEvent(
        assembly=assembly,
        kind=AttendanceKind.PROXY,
        entry=represented,
        holder=holder,
        letter=letter,
        recorded_by=user,
    )
    event.save()
    Presence.objects.create(
        assembly=assembly, entry=represented, kind=PresenceKind.REPRESENTED, holder=holder, event=event
    )
    return event


@transaction.atomic
def undo_attendance(*, assembly: Assembly, entry: RollEntry | None, reason: str, user) -> AttendanceEvent:
    """Undo a check-in or a proxy registered by mistake (or a member who left), keeping both events."""
    assembly = _lock(assembly)
    _desk_open(assembly)
    entry = _entry_of(assembly, entry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indique por qué se anula el registro.")})
    presence = Presence.objects.select_related("event").filter(entry=entry).first()
    if presence is None:
        raise ValidationError(
            {"member": _("%(member)s no tiene asistencia ni poder registrados.") % {"member": entry}}
        )
    held = list(Presence.objects.filter(holder=entry).select_related("entry"))
    if held:
        names = "; ".join(str(p.entry) for p in held)
        raise ValidationError(
            {
                "member": _("%(member)s representa a: %(names)s. Anule primero esos poderes.")
                % {"member": entry, "names": names}
            }
        )
    event = AttendanceEvent(
        assembly=assembly,
        kind=AttendanceKind.UNDONE,
        entry=entry,
        undoes=presence.event,
        reason=reason,
        recorded_by=user,
    )
    event.save()
    presence.delete()
    return event


@transaction.atomic
def open_session(*, assembly: Assembly, call: str, user, at: datetime | None = None) -> Assembly:
    """Open the session on the first or second call; the quorum at that moment goes into the minutes."""
    assembly = _lock(assembly)
    at = at or timezone.now()
    if assembly.status != AssemblyStatus.CONVENED:
        raise ValidationError(
            _("La sesión ya fue abierta.")
            if assembly.status == AssemblyStatus.IN_SESSION
            else _("La asamblea está cerrada.")
        )
    if call not in Call.values:
        raise ValidationError({"call": _("Elija primera o segunda convocatoria.")})
    scheduled = assembly.first_call_at if call == Call.FIRST else assembly.second_call_at
    if at < scheduled:
        raise ValidationError(
            {
                "call": _("La %(call)s es a las %(time)s del %(date)s: aún no puede abrirse.")
                % {
                    "call": Call(call).label,
                    "time": timezone.localtime(scheduled).strftime("%H:%M"),
                    "date": timezone.localtime(scheduled).strftime("%d/%m/%Y"),
                }
            }
        )
    in_person, virtual, represented = attendance_split(assembly)
    present = in_person + virtual
    threshold = assembly.rule_set.quorum(call)
    needed = threshold.needed(assembly.roll_size)
    if present + represented < needed:
        raise ValidationError(
            {
                "call": _(
                    "No hay quórum en %(call)s: %(attendance)s (%(attending)d) de %(needed)d necesarios "
                    "(%(rule)s de %(roll)s)."
                )
                % {
                    "call": Call(call).label,
                    "attendance": wording.attendance_by_way(in_person, virtual, represented),
                    "attending": present + represented,
                    "needed": needed,
                    "rule": threshold.describe(),
                    "roll": wording.eligible_count(assembly.roll_size),
                }
            }
        )
    assembly.status = AssemblyStatus.IN_SESSION
    assembly.opened_at, assembly.opened_on_call, assembly.opened_by = at, call, user
    assembly.quorum_present, assembly.quorum_represented, assembly.quorum_needed = (
        present,
        represented,
        needed,
    )
    # Kept only where members take part from home: the minutes of other assemblies stay as they were.
    assembly.quorum_virtual = virtual if assembly.takes_part_from_home else None
    assembly.save()
    return assembly


# --- Motions ------------------------------------------------------------------------

# The options' labels are stored with the motion (and hashed into the minutes), so they are written in
# the cooperative's language; pages show a yes/no/abstain/blank option by its kind, translated.
YES_NO_OPTIONS = [
    (OptionKind.YES, "A favor"),
    (OptionKind.NO, "En contra"),
    (OptionKind.ABSTAIN, "Abstención"),
]


@transaction.atomic
def draft_motion(
    *,
    assembly: Assembly,
    kind: str,
    title: str,
    text: str = "",
    majority: str,
    method: str,
    secret: bool = False,
    candidates: list[str] | None = None,
    seats: int = 1,
    office_kind: str = "",
    office_name: str = "",
    season=None,
    activities: list | None = None,
    user,
) -> Motion:
    """A motion for the agenda: a resolution, an election, or a budget of Development Plan activities.

    An election's ``candidates`` are members, each typed as their code or DNI: members of the roll,
    or of the register when the rule set allows it. ``office_kind`` (and ``office_name`` for a
    committee) is what the election fills: publishing its result records the elected as offices.

    A budget motion attaches activities the board drafted on the fund page, of the motion's season
    and attached to no other pending motion; its approval authorizes exactly those. New activities
    together may not exceed the premium available in the fund (less other pending budget motions).
    """
    assembly = _lock(assembly)
    if assembly.status == AssemblyStatus.CLOSED:
        raise ValidationError(_("La asamblea está cerrada: no se agregan mociones."))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Escriba el título de la moción.")
    elif len(title) > 200:
        errors["title"] = _("El título admite 200 caracteres como máximo.")
    if kind not in MotionKind.values:
        errors["kind"] = _("Elija el tipo de moción.")
    if majority not in MajorityChoice.values:
        errors["majority"] = _("Elija la mayoría que se necesita.")
    if method not in VotingMethod.values:
        errors["method"] = _("Elija la forma de votación.")
    # Paper ballots are secret by nature; a show of hands never is.
    secret = method == VotingMethod.PAPER or (method == VotingMethod.ELECTRONIC and bool(secret))
    options = list(YES_NO_OPTIONS)
    if method == VotingMethod.PAPER:
        options.append((OptionKind.BLANK, "En blanco"))
    proposed = []
    office_kind, office_name = (office_kind or "").strip(), (office_name or "").strip()
    if kind == MotionKind.ELECTION:
        members = _candidate_members(assembly, candidates or [], errors)
        if not isinstance(seats, int) or seats < 1:
            errors["seats"] = _("Indique cuántos cargos se eligen (1 o más).")
        elif "candidates" not in errors and len(members) < seats:
            errors["candidates"] = ngettext(
                "Inscriba al menos %(seats)d candidato: su código o DNI, uno por línea.",
                "Inscriba al menos %(seats)d candidatos: su código o DNI, uno por línea.",
                seats,
            ) % {"seats": seats}
        if (
            assembly.rule_set.vote_per_seat
            and isinstance(seats, int)
            and seats > 1
            and method == VotingMethod.HANDS
        ):
            errors["method"] = _(
                "El reglamento da un voto por cargo: una elección de varios cargos se vota con cédulas o "
                "voto electrónico (a mano alzada no se sabe cuántos socios votaron)."
            )
        if office_kind and office_kind not in OfficeKind.values:
            errors["office_kind"] = _("Elija el cargo que se elige.")
        elif office_kind == OfficeKind.COMMITTEE and not office_name:
            errors["office_name"] = _("Escriba el nombre del comité (por ejemplo «Educación»).")
        options = [(OptionKind.CANDIDATE, member.name, member) for member in members] + [
            (OptionKind.BLANK, "En blanco"),
            (OptionKind.ABSTAIN, "Abstención"),
        ]
    elif kind == MotionKind.BUDGET:
        if season is None:
            errors["season"] = _("Elija la campaña cuyo premio financia el plan.")
        proposed = _attached_activities(activities or [], season, errors)
    if errors:
        raise ValidationError(errors)
    if kind == MotionKind.BUDGET:
        total = sum(line.amount_minor for line in proposed if line.reallocated_from_id is None)
        available = premium_available_minor()
        if total > available:
            raise ValidationError(
                {
                    "activities": _(
                        "Las líneas suman %(total)s y la prima disponible es %(available)s "
                        "(soles del fondo sin asignar, menos otras mociones de presupuesto pendientes)."
                    )
                    % {"total": soles(total), "available": soles(max(available, 0))}
                }
            )
    number = (assembly.motions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    motion = Motion(
        assembly=assembly,
        number=number,
        kind=kind,
        title=title,
        text=(text or "").strip(),
        majority=majority,
        method=method,
        secret=secret,
        seats=seats if kind == MotionKind.ELECTION else 1,
        office_kind=office_kind if kind == MotionKind.ELECTION else "",
        office_name=office_name
        if kind == MotionKind.ELECTION and office_kind == OfficeKind.COMMITTEE
        else "",
        season=season if kind == MotionKind.BUDGET else None,
        created_by=user,
    )
    motion.save()
    MotionOption.objects.bulk_create(
        [
            MotionOption(
                motion=motion, position=n, kind=option[0], label=option[1], member=_member_of(option)
            )
            for n, option in enumerate(options, start=1)
        ]
    )
    MotionBudgetLine.objects.bulk_create(
        [
            MotionBudgetLine(
                motion=motion,
                purpose=line.purpose,
                category=line.category,
                amount_minor=line.amount_minor,
                line=line,
            )
            for line in proposed
        ]
    )
    return motion


def _member_of(option: tuple):
    return option[2] if len(option) > 2 else None


def _candidate_members(assembly: Assembly, typed: list[str], errors: dict) -> list:
    """The members an election's candidate lines name, by code or DNI; each refusal names the line and
    the statute's rule (candidates from the roll, or from the register when the rule set says so)."""
    rule = assembly.rule_set.election()
    on_roll = set(assembly.roll.values_list("member_id", flat=True))
    members, problems = [], []
    for line in typed:
        query = (line or "").strip()
        if not query:
            continue
        # A line may carry the name after the code («S-00012 · Rosa»): the code or DNI comes first.
        key = query.replace("·", " ").split()[0]
        member = Member.objects.filter(Q(code__iexact=key) | Q(dni=key)).first()
        values = {"query": query, "rule": rule.describe_candidates()}
        if member is None:
            problems.append(
                _("«%(query)s» no es código ni DNI de ningún socio del registro (%(rule)s).") % values
            )
            continue
        values["member"] = f"{member.code} · {member.name}"
        if rule.candidates_from_register:
            if member.status != MemberStatus.ACTIVE:
                problems.append(
                    _("%(member)s no es socio hábil del registro («%(status)s»): %(rule)s.")
                    % {**values, "status": member.get_status_display()}
                )
                continue
        elif member.pk not in on_roll:
            problems.append(_("%(member)s no está en el padrón de esta asamblea: %(rule)s.") % values)
            continue
        if member in members:
            problems.append(_("%(member)s está inscrito dos veces como candidato.") % values)
            continue
        members.append(member)
    if problems:
        errors["candidates"] = " ".join(problems)
    return members


def _attached_activities(activities, season, errors: dict) -> list[BudgetLine]:
    """The drafted activities a budget motion attaches, fresh from the fund, each checked."""
    ids = [getattr(activity, "pk", activity) for activity in activities]
    wanted = [pk for pk in ids if pk]
    if not wanted:
        errors["activities"] = _(
            "Elija al menos una actividad del plan, redactada en el fondo de prima por el consejo."
        )
        return []
    free = {line.pk for line in attachable_activities()}
    lines = list(
        BudgetLine.objects.select_for_update(of=("self",))
        .select_related("season")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    problems = []
    if len(lines) != len(set(wanted)):
        problems.append(_("una de las actividades elegidas no existe"))
    for line in lines:
        if line.is_authorized:
            problems.append(_("«%(line)s» ya está aprobada") % {"line": line.purpose})
        elif line.pk not in free:
            problems.append(_("«%(line)s» ya está en otra moción pendiente") % {"line": line.purpose})
        elif season is not None and line.season_id != season.pk:
            problems.append(
                _("«%(line)s» es del plan de la %(other)s, no de la %(season)s")
                % {"line": line.purpose, "other": line.season.name, "season": season.name}
            )
    if problems:
        listed = "; ".join(problems)  # not capitalize(): it would lower «Escriba», «S/», «US$»
        errors["activities"] = listed[:1].upper() + listed[1:] + "."
    return lines


def _lock_motion(motion: Motion) -> Motion:
    _lock(motion.assembly)
    return Motion.objects.select_for_update().select_related("assembly__rule_set").get(pk=motion.pk)


@transaction.atomic
def open_motion(*, motion: Motion, user) -> Motion:
    motion = _lock_motion(motion)
    if motion.assembly.status != AssemblyStatus.IN_SESSION:
        raise ValidationError(_("Abra la sesión (con quórum) antes de abrir una votación."))
    if motion.status != MotionStatus.DRAFT:
        raise ValidationError(
            _("La moción está «%(status)s»: solo un borrador se abre a votación.")
            % {"status": motion.get_status_display()}
        )
    present, represented = attendance_counts(motion.assembly)
    motion.status, motion.opened_at, motion.opened_by, motion.attending_at_open = (
        MotionStatus.OPEN,
        timezone.now(),
        user,
        present + represented,
    )
    motion.save()
    if motion.method == VotingMethod.ELECTRONIC and motion.secret:
        _open_counters(motion)
    return motion


def _open_counters(motion: Motion) -> None:
    """A secret electronic vote counts in one ``BallotCounter`` per option, made before anyone votes.

    A vote opened before the counters existed (migration 0005) starts them at the ballots it
    already holds; closing the voting writes only the ballots the counters add."""
    have = set(motion.counters.values_list("option_id", flat=True))
    held = Counter(Ballot.objects.filter(motion=motion).values_list("option_id", flat=True))
    BallotCounter.objects.bulk_create(
        [
            BallotCounter(motion=motion, option=option, count=held[option.pk])
            for option in motion.options.order_by("position")
            if option.pk not in have
        ]
    )


def _count_secret_vote(motion: Motion, marks: list[MotionOption]) -> None:
    """Add the vote to its options' counters by updating every option's counter (0 to the others):
    no row is added and every counter row gets the same last writer, whatever was chosen (one mark,
    or one per seat: the same single update either way)."""
    touched = BallotCounter.objects.filter(motion=motion).update(
        count=F("count") + Case(When(option__in=[m.pk for m in marks], then=Value(1)), default=Value(0))
    )
    if not touched:  # none yet (made all at once, so never some): start them, then count
        _open_counters(motion)
        _count_secret_vote(motion, marks)


def _seal_secret_ballots(motion: Motion) -> None:
    """When a secret electronic vote closes, write its anonymous ballots from the counters in one
    batch: grouped by option, their random keys sorted in that same order, so the table's order,
    keys and transaction tell only the totals."""
    held = Counter(Ballot.objects.filter(motion=motion).values_list("option_id", flat=True))
    options = [
        counter.option_id
        for counter in motion.counters.order_by("option__position")
        for _n in range(counter.count - held[counter.option_id])
    ]
    keys = sorted(uuid.uuid4() for _n in options)
    Ballot.objects.bulk_create(
        [Ballot(id=key, motion=motion, option_id=option) for key, option in zip(keys, options, strict=True)]
    )


@transaction.atomic
def close_voting(*, motion: Motion, user, confirm: bool = False) -> Motion:
    """Close the voting. An electronic vote with attending members still to vote needs ``confirm``:
    the refusal says how many (code ``unconfirmed``). Every booth waiting on this motion is locked."""
    motion = _lock_motion(motion)
    if motion.status != MotionStatus.OPEN:
        raise ValidationError(
            _("La votación no está abierta (está «%(status)s»).") % {"status": motion.get_status_display()}
        )
    if motion.method == VotingMethod.ELECTRONIC and not confirm:
        missing = not_voted(motion).count()
        if missing:
            raise ValidationError(
                ngettext(
                    "%(n)d presente aún no vota. ¿Cerrar la votación de todos modos?",
                    "%(n)d presentes aún no votan. ¿Cerrar la votación de todos modos?",
                    missing,
                )
                % {"n": missing},
                code="unconfirmed",
            )
    _end_voting(motion, user)
    motion.save()
    return motion


def _end_voting(motion: Motion, user) -> None:
    """The voting stops: who could vote is recorded, and the booths unlocked for it are locked."""
    present, represented = attendance_counts(motion.assembly)
    motion.status, motion.counting_at, motion.voting_closed_by = MotionStatus.COUNTING, timezone.now(), user
    motion.attending_at_close = present + represented
    if motion.method == VotingMethod.ELECTRONIC and motion.secret:
        _seal_secret_ballots(motion)
    _withdraw_unlocks(
        BoothUnlock.objects.filter(motion=motion), user, _("la votación se cerró antes de que votara")
    )


def _withdraw_unlocks(unlocks, user, reason: str) -> int:
    return unlocks.filter(used=False, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=user, withdrawn_reason=str(reason)[:200]
    )


@transaction.atomic
def cancel_motion(*, motion: Motion, reason: str, user) -> Motion:
    motion = _lock_motion(motion)
    if motion.is_final:
        raise ValidationError(
            _("La moción ya está «%(status)s»: no se retira.") % {"status": motion.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indique por qué se retira la moción.")})
    motion.status, motion.cancelled_reason, motion.cancelled_by = MotionStatus.CANCELLED, reason, user
    motion.save()
    _withdraw_unlocks(BoothUnlock.objects.filter(motion=motion), user, _("la moción se retiró"))
    return motion


@transaction.atomic
def record_tally(
    *,
    motion: Motion,
    box: str = "",
    ballots_issued=None,
    counts: dict,
    spoiled=None,
    total_issued=None,
    reason: str = "",
    user,
) -> TallyRecord:
    """Enter the count of a show of hands, or of one ballot box; a second count of the same box corrects it.

    ``counts`` maps each option's position to a whole number. A box's votes and its spoiled ballots
    («nulos», a count of their own) must add up to the ballots issued from it. ``total_issued``, the
    ballots handed out for the whole vote, is recorded on the motion (typed again, it must be the
    same unless a ``reason`` corrects it); the boxes' ballots may never pass it, and must reach it
    before the result is published.
    """
    motion = _lock_motion(motion)
    if motion.method == VotingMethod.ELECTRONIC:
        raise ValidationError(_("El voto electrónico se cuenta solo: no se ingresa conteo."))
    if motion.status not in (MotionStatus.OPEN, MotionStatus.COUNTING):
        raise ValidationError(
            _("La moción está «%(status)s»: no admite conteo.") % {"status": motion.get_status_display()}
        )
    box = (box or "").strip() if motion.method == VotingMethod.PAPER else ""
    errors = {}
    options = list(motion.options.all())
    typed = {}
    for option in options:
        value = counts.get(option.position, counts.get(str(option.position)))
        raw = "" if value is None else str(value).strip()
        try:
            typed[option] = parse_whole(raw)
        except ValidationError as exc:
            if exc.code == "ambiguous":  # «1,250»: the parser's question says both readings
                errors[f"option_{option.position}"] = _("«%(option)s»: %(problem)s") % {
                    "option": option.shown,
                    "problem": exc.messages[0],
                }
            else:
                errors[f"option_{option.position}"] = _(
                    "«%(option)s»: escriba un número entero (0 si no hubo votos)."
                ) % {"option": option.shown}
    issued, nulls, whole = None, 0, motion.ballots_issued
    if motion.method == VotingMethod.PAPER:
        if not box:
            errors["box"] = _("Indique el ánfora (por ejemplo «Ánfora 1»).")
        try:
            issued = parse_whole(str(ballots_issued or ""))
        except ValidationError as exc:
            errors["ballots_issued"] = (
                exc.messages[0]
                if exc.code == "ambiguous"
                else _("Indique cuántas cédulas se entregaron para esta ánfora.")
            )
        typed_spoiled = str(spoiled if spoiled is not None else "").strip()
        try:
            nulls = parse_whole(typed_spoiled) if typed_spoiled else 0
        except ValidationError as exc:
            errors["spoiled"] = (
                exc.messages[0]
                if exc.code == "ambiguous"
                else _("«Nulos»: escriba un número entero (0 si no hubo votos nulos).")
            )
        typed_total = str(total_issued if total_issued is not None else "").strip()
        if typed_total:
            try:
                whole = parse_whole(typed_total)
            except ValidationError as exc:
                errors["total_issued"] = (
                    exc.messages[0]
                    if exc.code == "ambiguous"
                    else _("Indique cuántas cédulas se entregaron en total, en toda la votación.")
                )
            else:
                correcting = bool((reason or "").strip())
                if motion.ballots_issued is not None and whole != motion.ballots_issued and not correcting:
                    errors["total_issued"] = _(
                        "Ya se registró que se entregaron %(before)d cédulas en total: para corregirlo "
                        "indique el motivo."
                    ) % {"before": motion.ballots_issued}
    if errors:
        raise ValidationError(errors)
    total = sum(typed.values())
    per_seat = _per_seat(motion)
    if per_seat:
        # One vote per seat: a ballot holds up to ``seats`` marks, so the marks are checked against the
        # ballots (each candidate at most once per ballot) rather than added up to them.
        total = _per_seat_ballots(motion, typed, issued, nulls, box)
    elif issued is not None and total + nulls != issued:
        if nulls:
            message = _(
                "%(box)s: los votos suman %(total)d y los nulos %(spoiled)d (%(counted)d cédulas), y se "
                "entregaron %(issued)d cédulas. Revise el conteo: deben coincidir."
            )
        else:
            message = _(
                "%(box)s: los votos suman %(total)d y se entregaron %(issued)d cédulas. "
                "Revise el conteo: deben coincidir (las cédulas en blanco se cuentan como «En blanco»)."
            )
        raise ValidationError(
            {
                "ballots_issued": message
                % {"box": box, "total": total, "spoiled": nulls, "counted": total + nulls, "issued": issued}
            }
        )
    previous = motion.tallies.filter(box=box, corrected_by__isnull=True).first()
    reason = (reason or "").strip()
    if previous and not reason:
        if box:
            message = _(
                "Ya hay un conteo de %(box)s registrado por %(user)s: para corregirlo indique el motivo."
            )
        else:
            message = _("Ya hay un conteo registrado por %(user)s: para corregirlo indique el motivo.")
        raise ValidationError({"reason": message % {"box": box, "user": previous.entered_by}})
    others = sum(
        (t.ballots_issued if t.ballots_issued is not None else sum(c.count for c in t.counts.all()))
        for t in current_tallies(motion)
        if t.box != box
    )
    if issued is not None and whole is not None and others + issued > whole:
        raise ValidationError(
            {
                "ballots_issued": _(
                    "Las ánforas suman %(boxes)s y en toda la votación se entregaron %(whole)s: "
                    "revise las cédulas de cada ánfora o el total."
                )
                % {"boxes": wording.ballot_count(others + issued), "whole": wording.ballot_count(whole)}
            }
        )
    present, represented = attendance_counts(motion.assembly)
    voters = max(motion.attending_at_open or 0, present + represented)
    if others + total > voters:
        raise ValidationError(
            {
                "__all__": _("El conteo da %(votes)s y solo hay %(voters)s.")
                % {"votes": wording.vote_count(others + total), "voters": wording.attending_count(voters)}
            }
        )
    if whole is not None and whole != motion.ballots_issued:
        motion.ballots_issued = whole
        motion.save(update_fields=["ballots_issued"])
    record = TallyRecord(
        motion=motion,
        box=box,
        ballots_issued=issued,
        spoiled=nulls if motion.method == VotingMethod.PAPER else None,
        corrects=previous,
        reason=reason if previous else "",
        entered_by=user,
    )
    record.save()
    TallyCount.objects.bulk_create(
        [TallyCount(record=record, option=option, count=n) for option, n in typed.items()]
    )
    if motion.status == MotionStatus.OPEN:
        # The first count closes the voting: whoever entered it closed it.
        _end_voting(motion, user)
        motion.save()
    return record


@transaction.atomic
def cast_ballot(
    *,
    motion: Motion,
    voter: RollEntry | None,
    cast_by: RollEntry | None,
    option: MotionOption | None = None,
    marks: list | None = None,
    user,
    remote: bool = False,
) -> BallotCast:
    """One electronic vote: by a member present, or by the holder of their proxy. Once per member.

    ``option`` is the one choice; ``marks``, the candidates marked on an election's ballot: one, or
    when the rule set gives one vote per seat, up to one per seat (never one twice). Blank and
    abstention are marked alone."""
    motion = _lock_motion(motion)
    if motion.method != VotingMethod.ELECTRONIC:
        raise ValidationError(_("Esta moción no se vota electrónicamente."))
    if motion.status != MotionStatus.OPEN:
        raise ValidationError(
            _("La votación de «%(motion)s» no está abierta (está «%(status)s»).")
            % {"motion": motion.title, "status": motion.get_status_display()}
        )
    voter = _entry_of(motion.assembly, voter, "voter")
    chosen = _marks(motion, option, marks)
    presence = Presence.objects.select_related("holder").filter(entry=voter).first()
    if presence is None:
        raise ValidationError(
            {"voter": _("%(voter)s no está registrado como presente ni representado.") % {"voter": voter}}
        )
    expected = voter if presence.kind != PresenceKind.REPRESENTED else presence.holder
    if cast_by is None or cast_by.pk != expected.pk:
        raise ValidationError(
            {
                "voter": (
                    _("%(voter)s está presente: vota en persona.") % {"voter": voter}
                    if expected == voter
                    else _("El voto de %(voter)s lo emite su apoderado, %(holder)s.")
                    % {"voter": voter, "holder": expected}
                )
            }
        )
    # The motion's lock (above) serialises the booths, so this check sees every earlier vote;
    # the unique constraint on (motion, voter) stands behind it.
    if BallotCast.objects.filter(motion=motion, voter=voter).exists():
        raise ValidationError({"voter": _("%(voter)s ya votó en esta moción.") % {"voter": voter}})
    cast = BallotCast(
        motion=motion,
        voter=voter,
        cast_by=cast_by,
        # An open vote keeps the choice beside the voter; several marks are each an anonymous ballot.
        option=chosen[0] if not motion.secret and len(chosen) == 1 else None,
        recorded_by=user,
        remote=remote,
    )
    cast.save()
    if motion.secret:
        # The choice goes only to the counters; the anonymous ballots are written when the voting closes.
        _count_secret_vote(motion, chosen)
    else:
        Ballot.objects.bulk_create([Ballot(motion=motion, option=mark) for mark in chosen])
    return cast


def _marks(motion: Motion, option, marks) -> list[MotionOption]:
    """The options marked on one ballot, checked against the statute's election rule."""
    chosen = list(marks) if marks is not None else ([option] if option is not None else [])
    if not chosen or any(mark is None or mark.motion_id != motion.pk for mark in chosen):
        raise ValidationError({"option": _("Elija una opción de la cédula.")})
    if len(chosen) == 1:
        return chosen
    rule = motion.assembly.rule_set.election()
    values = {"rule": rule.describe_marks(motion.seats)}
    if motion.kind != MotionKind.ELECTION:
        raise ValidationError({"option": _("Elija una sola opción de la cédula.")})
    if len({mark.pk for mark in chosen}) != len(chosen):
        raise ValidationError(
            {"option": _("Un candidato se marcó dos veces; la regla es %(rule)s.") % values}
        )
    if any(mark.kind != OptionKind.CANDIDATE for mark in chosen):
        raise ValidationError(
            {
                "option": _(
                    "«En blanco» y «Abstención» se marcan solos, sin candidatos; la regla es %(rule)s."
                )
                % values
            }
        )
    allowed = rule.marks_allowed(motion.seats)
    if len(chosen) > allowed:
        raise ValidationError(
            {
                "option": ngettext(
                    "Se marcaron %(marked)d candidatos y se admite %(allowed)d; la regla es %(rule)s.",
                    "Se marcaron %(marked)d candidatos y se admiten %(allowed)d; la regla es %(rule)s.",
                    allowed,
                )
                % {**values, "marked": len(chosen), "allowed": allowed}
            }
        )
    return chosen


@transaction.atomic
def publish_motion(*, motion: Motion, user) -> Motion:
    """Count, decide by the frozen rule set, and make the result final.

    An approved budget motion authorizes its lines in the premium fund in the
    same transaction: if the fund no longer holds the money, nothing is published.
    """
    motion = _lock_motion(motion)
    if motion.status != MotionStatus.COUNTING:
        raise ValidationError(
            _("La moción está «%(status)s»: se publica al terminar el escrutinio (cierre antes la votación).")
            % {"status": motion.get_status_display()}
        )
    if motion.method != VotingMethod.ELECTRONIC and not motion.tallies.exists():
        raise ValidationError(_("Falta el conteo de votos: regístrelo antes de publicar."))
    if motion.method == VotingMethod.PAPER and motion.ballots_issued is not None:
        boxes = sum(t.ballots_issued or 0 for t in current_tallies(motion))
        if boxes != motion.ballots_issued:
            raise ValidationError(
                _(
                    "Las ánforas suman %(boxes)s y en toda la votación se entregaron %(whole)s: falta el "
                    "conteo de alguna ánfora, o hay que corregir uno. No se publica hasta que coincidan."
                )
                % {
                    "boxes": wording.ballot_count(boxes),
                    "whole": wording.ballot_count(motion.ballots_issued),
                }
            )
    options = list(motion.options.all())
    totals = option_totals(motion)
    by_kind = Counter()
    for option in options:
        by_kind[option.kind] += totals[option.position]
    rule = motion.assembly.rule_set.majority(motion.majority)
    present = motion.attending_at_open or 0
    # The result's text is a record (kept on the motion, hashed into the minutes): written in the
    # cooperative's language whatever the language of whoever publishes it.
    with translation.override(settings.LANGUAGE_CODE):
        if motion.kind == MotionKind.ELECTION:
            outcome_text, approved, base, needed, elected = _election(
                motion, options, totals, by_kind, rule, present
            )
        else:
            count = Count(
                yes=by_kind[OptionKind.YES],
                no=by_kind[OptionKind.NO],
                abstain=by_kind[OptionKind.ABSTAIN],
                blank=by_kind[OptionKind.BLANK],
            )
            outcome = decide(rule, count, present=present)
            approved, base, needed, elected = outcome.approved, outcome.base, outcome.needed, set()
            outcome_text = outcome.explain(count)
    for option in options:
        option.votes = totals[option.position]
        option.elected = (option.pk in elected) if motion.kind == MotionKind.ELECTION else None
        option.save(update_fields=["votes", "elected"])
    motion.status, motion.published_at, motion.published_by = MotionStatus.PUBLISHED, timezone.now(), user
    motion.result_base, motion.result_needed, motion.approved, motion.result_text = (
        base,
        needed,
        approved,
        outcome_text,
    )
    if motion.kind == MotionKind.BUDGET and approved:
        motion.authorization = _authorize_budget(motion, user)
    motion.save()
    if motion.kind == MotionKind.ELECTION and motion.office_kind:
        _record_elected(motion, [o for o in options if o.pk in elected], user)
    return motion


def _record_elected(motion: Motion, elected: list[MotionOption], user) -> None:
    """Publishing an election records each elected member's office: from the assembly's date, for the
    term the rule set gives. A candidate written as free text (before candidates were members) has no
    member to hold it."""
    starts = timezone.localdate(motion.assembly.first_call_at)
    ends = _term_end(starts, motion.assembly.rule_set.office_term_years)
    Office.objects.bulk_create(
        [
            Office(
                member_id=option.member_id,
                kind=motion.office_kind,
                name=motion.office_name,
                starts_on=starts,
                ends_on=ends,
                motion=motion,
                created_by=user,
            )
            for option in elected
            if option.member_id is not None
        ]
    )


def _term_end(starts: Date, years: int) -> Date:
    """The last day of a term of ``years`` starting on ``starts`` (29 February ends on the 28th)."""
    try:
        anniversary = starts.replace(year=starts.year + years)
    except ValueError:
        anniversary = starts.replace(year=starts.year + years, day=28)
    return anniversary - timedelta(days=1)


def _per_seat(motion: Motion) -> bool:
    """An election for several seats under a statute that gives one vote per seat."""
    return motion.kind == MotionKind.ELECTION and motion.seats > 1 and motion.assembly.rule_set.vote_per_seat


def _per_seat_ballots(motion: Motion, typed: dict, issued, nulls: int, box: str) -> int:
    """Check one count of a one-vote-per-seat election and return the ballots (or voters) it stands for."""
    rule = motion.assembly.rule_set.election()
    apart = sum(n for option, n in typed.items() if option.kind != OptionKind.CANDIDATE)
    marks = {option: n for option, n in typed.items() if option.kind == OptionKind.CANDIDATE}
    place = box or _("El conteo")
    values = {"box": place, "rule": rule.describe_marks(motion.seats), "seats": motion.seats}
    if issued is None:  # a show of hands: each voter raised a hand up to once per seat
        marked = -(-sum(marks.values()) // motion.seats)
        return apart + marked
    ballots = issued - nulls
    marked = ballots - apart
    if ballots < 0 or marked < 0:
        raise ValidationError(
            {
                "ballots_issued": _(
                    "%(box)s: los votos en blanco, abstenciones y nulos (%(apart)d) pasan de las %(issued)d "
                    "cédulas entregadas."
                )
                % {**values, "apart": apart + nulls, "issued": issued}
            }
        )
    for option, n in marks.items():
        if n > marked:
            raise ValidationError(
                {
                    f"option_{option.position}": _(
                        "%(box)s: «%(option)s» tiene %(n)d votos y solo hay %(marked)d cédulas con "
                        "candidatos marcados (%(rule)s)."
                    )
                    % {**values, "option": option.shown, "n": n, "marked": marked}
                }
            )
    total = sum(marks.values())
    if total < marked or total > marked * motion.seats:
        raise ValidationError(
            {
                "ballots_issued": _(
                    "%(box)s: %(marked)d cédulas con candidatos marcados llevan entre %(marked)d y %(most)d "
                    "marcas, y se contaron %(total)d (%(rule)s). Revise el conteo."
                )
                % {**values, "marked": marked, "most": marked * motion.seats, "total": total}
            }
        )
    return ballots


def _marked_ballots(motion: Motion, candidates, totals, by_kind, present: int) -> int:
    """How many ballots (or voters) marked at least one candidate: the base of a one-vote-per-seat
    election. With one mark per ballot it is the candidates' votes added up."""
    if not _per_seat(motion):
        return sum(totals[o.position] for o in candidates)
    apart = by_kind[OptionKind.BLANK] + by_kind[OptionKind.ABSTAIN]
    if motion.method == VotingMethod.ELECTRONIC:
        ballots = motion.casts.count()
    elif motion.method == VotingMethod.PAPER:
        ballots = sum((t.ballots_issued or 0) - (t.spoiled or 0) for t in current_tallies(motion))
    else:
        ballots = present
    return max(ballots - apart, 0)


def _election(motion, options, totals, by_kind, rule, present):
    candidates = sorted(
        (o for o in options if o.kind == OptionKind.CANDIDATE),
        key=lambda o: (-totals[o.position], o.position),
    )
    cast = _marked_ballots(motion, candidates, totals, by_kind, present)
    if rule.abstentions_in_base:
        cast += by_kind[OptionKind.ABSTAIN]
    if rule.blank_in_base:
        cast += by_kind[OptionKind.BLANK]
    if rule.kind == Majority.SIMPLE:
        base, needed = cast, 1  # the most voted win, with at least one vote
    else:
        base = present if rule.base == "present" else cast
        needed = max(rule.threshold.needed(base), 1)
    elected, tie_votes = set(), None
    for n, candidate in enumerate(candidates):
        votes = totals[candidate.position]
        in_seats = n < motion.seats
        # A tie for the last seat elects nobody to it: the assembly votes again.
        tied_at_cut = (
            in_seats
            and n == motion.seats - 1
            and n + 1 < len(candidates)
            and totals[candidates[n + 1].position] == votes
        )
        if in_seats and votes >= needed and not tied_at_cut:
            elected.add(candidate.pk)
        elif in_seats and tied_at_cut:
            tie_votes = votes
    names = ", ".join(f"{c.label} ({totals[c.position]})" for c in candidates if c.pk in elected) or _(
        "nadie"
    )
    if rule.kind == Majority.SIMPLE:
        text = ngettext(
            "Elegidos: %(names)s. Por mayoría relativa: el más votado.",
            "Elegidos: %(names)s. Por mayoría relativa: los %(seats)d más votados.",
            motion.seats,
        ) % {"names": names, "seats": motion.seats}
    else:
        text = _("Elegidos: %(names)s. %(rule)s: se necesitaban %(needed)s (base %(base)d).") % {
            "names": names,
            "rule": rule.describe().capitalize(),
            "needed": wording.vote_count(needed),
            "base": base,
        }
    if _per_seat(motion):
        text += " " + _("Un voto por cargo: %(ballots)s con candidatos marcados.") % {
            "ballots": wording.ballot_count(cast if rule.kind == Majority.SIMPLE else base)
        }
    if tie_votes is not None:
        tied = [c.label for c in candidates if c.pk not in elected and totals[c.position] == tie_votes]
        text += " " + _("Empate con %(votes)s por el último cargo: se vota de nuevo entre %(names)s.") % {
            "votes": wording.vote_count(tie_votes),
            "names": wording.joined(tied),
        }
    return text, len(elected) == motion.seats, base, needed, elected


def _authorize_budget(motion: Motion, user):
    assembly = motion.assembly
    decided_on = timezone.localtime(assembly.opened_at).date()
    proposed = list(motion.budget_lines.select_related("line"))
    changed = [
        p.purpose
        for p in proposed
        if p.line is None
        or (p.line.purpose, p.line.category, p.line.amount_minor) != (p.purpose, p.category, p.amount_minor)
    ]
    if changed:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "Las actividades que votó la asamblea cambiaron en el fondo de prima desde que se "
                        "redactó la moción: %(lines)s. No se autoriza nada; retire la moción y presente otra."
                    )
                    % {"lines": "; ".join(changed)}
                ]
            }
        )
    with translation.override(settings.LANGUAGE_CODE):  # a record in the fund: the cooperative's language
        decision = f"{assembly.title}, acuerdo n.º {motion.number}: {motion.title}"[:300]
    try:
        authorization = authorize_budget_lines(
            lines=[p.line for p in proposed], decision=decision, decided_on=decided_on, user=user
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                "__all__": [
                    _("El fondo de prima no puede autorizar el presupuesto: %(reasons)s")
                    % {"reasons": " ".join(exc.messages)}
                ]
            }
        ) from None
    return authorization


@transaction.atomic
def close_assembly(*, assembly: Assembly, user, at: datetime | None = None) -> Assembly:
    """Close the session; every motion must be published or withdrawn. The minutes' hash is fixed here."""
    assembly = _lock(assembly)
    if assembly.status != AssemblyStatus.IN_SESSION:
        raise ValidationError(_("Solo se cierra una asamblea en sesión."))
    pending = [
        str(m) for m in assembly.motions.exclude(status__in=[MotionStatus.PUBLISHED, MotionStatus.CANCELLED])
    ]
    if pending:
        raise ValidationError(
            _("Publique o retire antes estas mociones: %(motions)s.") % {"motions": "; ".join(pending)}
        )
    assembly.status, assembly.closed_at, assembly.closed_by = (
        AssemblyStatus.CLOSED,
        at or timezone.now(),
        user,
    )
    assembly.save()
    for booth in assembly.booths.filter(closed_at__isnull=True):
        _close_booth(booth, user)
    # The facts and their hash are fixed once here; the PDF is rendered after commit, in the background.
    assembly.minutes_hash = keep_minutes(assembly).facts_hash
    assembly.save(update_fields=["minutes_hash"])
    return assembly


# --- Voting booths ------------------------------------------------------------------


@transaction.atomic
def open_booth(*, assembly: Assembly, user) -> Booth:
    """Turn a device into a voting booth of the assembly (the view signs the device's token)."""
    assembly = _lock(assembly)
    if assembly.status == AssemblyStatus.CLOSED:
        raise ValidationError(_("La asamblea está cerrada: no se abren cabinas."))
    number = (assembly.booths.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    booth = Booth(assembly=assembly, number=number, opened_by=user)
    booth.save()
    return booth


def _lock_booth(booth: Booth) -> Booth:
    return Booth.objects.select_for_update().get(pk=booth.pk)


def _close_booth(booth: Booth, user) -> None:
    _withdraw_unlocks(booth.unlocks.all(), user, _("la cabina se cerró"))
    booth.closed_at, booth.closed_by = timezone.now(), user
    booth.save(update_fields=["closed_at", "closed_by"])


@transaction.atomic
def close_booth(*, booth: Booth, user) -> Booth:
    """The booth stops for good: its device shows «cabina cerrada» and may be released."""
    _lock(booth.assembly)
    booth = _lock_booth(booth)
    if booth.is_closed:
        raise ValidationError(_("%(booth)s ya está cerrada.") % {"booth": booth})
    _close_booth(booth, user)
    return booth


@transaction.atomic
def unlock_booth(
    *, booth: Booth | None, person: RollEntry | None, voter: RollEntry | None = None, user
) -> BoothUnlock:
    """The desk lets ``person`` (present) into ``booth`` to vote on the open electronic motion, for
    themselves or, with ``voter``, for a member whose proxy they hold. Once per voter and motion."""
    if booth is None:
        raise ValidationError({"booth": _("Elija la cabina.")})
    assembly = _lock(booth.assembly)
    booth = _lock_booth(booth)
    if booth.is_closed:
        raise ValidationError({"booth": _("%(booth)s está cerrada.") % {"booth": booth}})
    motion = open_electronic_motion(assembly)
    if motion is None:
        raise ValidationError({"booth": _("No hay una votación electrónica abierta ahora.")})
    person = _entry_of(assembly, person, "person")
    voter = person if voter is None else _entry_of(assembly, voter, "voter")
    presence = Presence.objects.select_related("holder").filter(entry=voter).first()
    if voter == person:
        if presence is None or presence.kind != PresenceKind.PRESENT:
            raise ValidationError(
                {
                    "person": (
                        _("%(voter)s no registró su asistencia: regístrela antes de votar.")
                        if presence is None
                        else _(
                            "%(voter)s asiste en forma virtual: vota desde su casa con su código, no en "
                            "la cabina. Si llegó al local, anule antes su asistencia virtual."
                        )
                        if presence.kind == PresenceKind.VIRTUAL
                        else _("%(voter)s está representado por %(holder)s: vota su apoderado.")
                    )
                    % {"voter": voter, "holder": presence.holder if presence else ""}
                }
            )
    elif presence is None or presence.kind != PresenceKind.REPRESENTED or presence.holder_id != person.pk:
        raise ValidationError(
            {"voter": _("%(person)s no tiene poder de %(voter)s.") % {"person": person, "voter": voter}}
        )
    if BallotCast.objects.filter(motion=motion, voter=voter).exists():
        raise ValidationError(
            {"voter": _("%(voter)s ya votó en «%(motion)s».") % {"voter": voter, "motion": motion.title}}
        )
    earlier = (
        BoothUnlock.objects.filter(motion=motion, voter=voter, withdrawn_at__isnull=True)
        .select_related("booth")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            {
                "voter": _(
                    "%(voter)s ya fue habilitado para «%(motion)s» en %(booth)s: se habilita una sola vez "
                    "por moción. Si no llegó a votar, retire antes ese desbloqueo."
                )
                % {"voter": voter, "motion": motion.title, "booth": earlier.booth}
            }
        )
    busy = booth.unlocks.filter(used=False, withdrawn_at__isnull=True).select_related("voter").first()
    if busy is not None:
        raise ValidationError(
            {
                "booth": _("%(booth)s está ocupada: espera el voto de %(voter)s.")
                % {"booth": booth, "voter": busy.voter}
            }
        )
    unlock = BoothUnlock(booth=booth, motion=motion, voter=voter, cast_by=person, unlocked_by=user)
    unlock.save()
    return unlock


@transaction.atomic
def withdraw_unlock(*, booth: Booth, user) -> int:
    """Lock a booth the desk unlocked for a voter who did not vote; the voter may be unlocked again."""
    _lock(booth.assembly)
    booth = _lock_booth(booth)
    withdrawn = _withdraw_unlocks(booth.unlocks.all(), user, _("la mesa bloqueó la cabina"))
    if not withdrawn:
        raise ValidationError(_("%(booth)s no espera a ningún votante.") % {"booth": booth})
    return withdrawn


@transaction.atomic
def vote_at_booth(*, booth: Booth, option_id=None, option_ids=None) -> BallotCast:
    """The voter alone in the booth marks the ballot. The desk operator who unlocked it is the «mesa»
    recorded on who voted; what was voted goes, in a secret vote, only to the option counters."""
    _lock(booth.assembly)
    booth = _lock_booth(booth)
    unlock = waiting_unlock(booth)
    if booth.is_closed or unlock is None:
        raise ValidationError(_("La cabina no está habilitada: pida a la mesa que la desbloquee."))
    motion = unlock.motion
    cast = cast_ballot(
        motion=motion,
        voter=unlock.voter,
        cast_by=unlock.cast_by,
        marks=_typed_marks(motion, option_id, option_ids),
        user=unlock.unlocked_by,
    )
    unlock.used = True
    unlock.save(update_fields=["used"])
    return cast


# --- Taking part from home (virtual and hybrid assemblies) ---------------------------


@transaction.atomic
def start_letter_run(*, assembly: Assembly, user) -> LetterRun | None:
    """Queue the letters and SMS texts of every member on the roll without a code (None when every
    one has a code). A run of the assembly still moving is returned instead of starting another; a
    failed or stopped one is made again, with new codes for the same members."""
    assembly = _lock(assembly)
    _codes_allowed(assembly)
    unfinished = LetterRun.objects.filter(
        assembly=assembly, status__in=[LetterStatus.QUEUED, LetterStatus.RUNNING, LetterStatus.FAILED]
    ).first()
    if unfinished is not None and not (unfinished.stalled or unfinished.status == LetterStatus.FAILED):
        return unfinished
    if unfinished is not None:
        unfinished.attempt += 1
        unfinished.status, unfinished.error, unfinished.done = LetterStatus.QUEUED, "", 0
        unfinished.progress_at = timezone.now()
        unfinished.save(update_fields=["attempt", "status", "error", "done", "progress_at"])
        run = unfinished
    else:
        with_code = RemoteCode.objects.filter(assembly=assembly, replaced_at__isnull=True).values("entry")
        ids = list(assembly.roll.exclude(pk__in=with_code).order_by("position").values_list("pk", flat=True))
        if not ids:
            return None
        run = LetterRun.objects.create(assembly=assembly, entry_ids=ids, total=len(ids), requested_by=user)
    attempt = run.attempt
    transaction.on_commit(lambda: make_letters.enqueue(run.pk, attempt))
    return run


def _codes_allowed(assembly: Assembly) -> None:
    if not assembly.takes_part_from_home:
        raise ValidationError(
            _(
                "La asamblea es presencial: los códigos de voto a distancia son para asambleas "
                "virtuales o mixtas."
            )
        )
    if assembly.status == AssemblyStatus.CLOSED:
        raise ValidationError(_("La asamblea está cerrada: ya no se generan códigos."))


@transaction.atomic
def issue_remote_codes(
    *, assembly: Assembly, entries: list[RollEntry] | None = None, user
) -> list[tuple[RollEntry, str]]:
    """Make a voting code for each member on the roll who has none (or, with ``entries``, a new code
    for those members, replacing the one they lost). The codes are returned once, to print; Minka
    keeps only their HMAC."""
    assembly = _lock(assembly)
    _codes_allowed(assembly)
    now = timezone.now()
    if entries is None:
        with_code = RemoteCode.objects.filter(assembly=assembly, replaced_at__isnull=True).values("entry")
        targets = list(assembly.roll.exclude(pk__in=with_code).order_by("position"))
    else:
        targets = [_entry_of(assembly, entry) for entry in entries]
        RemoteCode.objects.filter(entry__in=targets, replaced_at__isnull=True).update(
            replaced_at=now, session_key=None
        )
    made = [(entry, codes.new_code()) for entry in targets]
    RemoteCode.objects.bulk_create(
        [
            RemoteCode(
                assembly=assembly,
                entry=entry,
                code_hash=codes.digest(assembly.pk, entry.pk, code),
                issued_by=user,
            )
            for entry, code in made
        ],
        batch_size=2000,
    )
    return made


@transaction.atomic
def remote_sign_in(*, dni: str, code: str) -> RemoteCode:
    """A member signs in with their DNI and voting code. A new session key ends any other browser's
    session with the same code. One message for every wrong pair, whether the DNI exists or not."""
    wrong = ValidationError(
        _("El DNI y el código no coinciden con ningún socio de una asamblea abierta. Revise ambos."),
        code="wrong",
    )
    typed = codes.read_code(code)
    dni = (dni or "").strip()
    if typed is None or not dni.isdigit():
        raise wrong
    for remote in remote_codes_for(dni).select_for_update(of=("self",)):
        if codes.same_code(codes.digest(remote.assembly_id, remote.entry_id, typed), remote.code_hash):
            remote.session_key, remote.signed_in_at = uuid.uuid4(), timezone.now()
            remote.save(update_fields=["session_key", "signed_in_at"])
            return remote
    raise wrong


@transaction.atomic
def attend_remotely(*, remote: RemoteCode) -> AttendanceEvent:
    """The member signed in from home registers their attendance: present, in virtual form."""
    assembly = _lock(remote.assembly)
    _desk_open(assembly)
    entry = remote.entry
    existing = Presence.objects.select_related("entry__member", "holder", "event").filter(entry=entry).first()
    if existing is not None and existing.kind == PresenceKind.VIRTUAL:
        return existing.event
    if existing is not None:
        raise ValidationError(_describe_presence(existing, "virtual"))
    event = AttendanceEvent(assembly=assembly, kind=AttendanceKind.VIRTUAL, entry=entry)
    event.save()
    Presence.objects.create(assembly=assembly, entry=entry, kind=PresenceKind.VIRTUAL, event=event)
    return event


@transaction.atomic
def vote_remotely(*, remote: RemoteCode, motion_number, option_id=None, option_ids=None) -> BallotCast:
    """The member at home votes on an open electronic motion, as secretly as in a booth: who voted goes
    to ``BallotCast`` (no «mesa»), the choice of a secret vote only to the counters."""
    assembly = _lock(remote.assembly)
    entry = remote.entry
    motion = (
        assembly.motions.filter(number=motion_number, method=VotingMethod.ELECTRONIC).first()
        if str(motion_number or "").isdigit()
        else None
    )
    if motion is None:
        raise ValidationError(_("No hay esa votación electrónica en la asamblea."))
    presence = Presence.objects.select_related("entry__member", "holder", "event").filter(entry=entry).first()
    if presence is None:
        raise ValidationError(_("Registre primero su asistencia para votar."))
    if presence.kind != PresenceKind.VIRTUAL:
        raise ValidationError(_describe_presence(presence, "virtual"))
    return cast_ballot(
        motion=motion,
        voter=entry,
        cast_by=entry,
        marks=_typed_marks(motion, option_id, option_ids),
        user=None,
        remote=True,
    )


def _typed_marks(motion: Motion, option_id, option_ids) -> list:
    """The options a ballot form sent (one ``option``, or several ``options``); one not of this motion
    reads as None, which ``cast_ballot`` refuses."""
    typed = [option_id] if option_ids is None else list(option_ids)
    typed = [value for value in typed if str(value or "").strip()]
    by_pk = {str(o.pk): o for o in motion.options.all()}
    return [by_pk.get(str(value).strip()) for value in typed]


# --- Offices ----------------------------------------------------------------------------


def _office_holder(member, field: str, errors: dict):
    """The member typed (a Member, or their code or DNI) if they are an active member of the register."""
    if not isinstance(member, Member):
        typed = (member or "").strip()
        member = Member.objects.filter(Q(code__iexact=typed) | Q(dni=typed)).first() if typed else None
        if member is None:
            errors[field] = (
                _("«%(query)s» no es código ni DNI de ningún socio del registro: un cargo lo ocupa un socio.")
                % {"query": typed}
                if typed
                else _("Escriba el código o DNI del socio.")
            )
            return None
    if member.status != MemberStatus.ACTIVE:
        errors[field] = _(
            "%(member)s no es socio hábil del registro («%(status)s»): no puede ocupar un cargo."
        ) % {
            "member": f"{member.code} · {member.name}",
            "status": member.get_status_display(),
        }
        return None
    return member


def _typed_day(value, field: str, errors: dict, label: str):
    if isinstance(value, Date):
        return value
    day = parse_typed_date(value)
    if day is None:
        errors[field] = _("«%(label)s»: escriba la fecha como dd/mm/aaaa.") % {"label": label}
    return day


@transaction.atomic
def record_office(*, member, kind: str, name: str = "", starts_on, ends_on, user) -> Office:
    """Record an office held outside an election's result (one filled before Minka, a delegate). The
    holder must be an active member of the register; the end may not come before the start."""
    errors = {}
    holder = _office_holder(member, "member", errors)
    name = (name or "").strip()
    if kind not in OfficeKind.values:
        errors["kind"] = _("Elija el cargo.")
    elif kind == OfficeKind.COMMITTEE and not name:
        errors["name"] = _("Escriba el nombre del comité (por ejemplo «Educación»).")
    starts = _typed_day(starts_on, "starts_on", errors, _("Desde"))
    ends = _typed_day(ends_on, "ends_on", errors, _("Hasta"))
    if starts and ends and ends < starts:
        errors["ends_on"] = _("El cargo termina (%(ends)s) antes de empezar (%(starts)s).") % {
            "ends": ends.strftime("%d/%m/%Y"),
            "starts": starts.strftime("%d/%m/%Y"),
        }
    if errors:
        raise ValidationError(errors)
    office = Office(
        member=holder,
        kind=kind,
        name=name if kind == OfficeKind.COMMITTEE else "",
        starts_on=starts,
        ends_on=ends,
        created_by=user,
    )
    office.save()
    return office


@transaction.atomic
def end_office(*, office: Office, ended_on, reason: str, replacement=None, user) -> Office | None:
    """End an office before its term: ``ended_on`` is its last day. With a ``replacement`` (a member, or
    their code or DNI) the replacement holds the same office from the next day to the end of the term.
    Returns the replacement's office, if any."""
    office = Office.objects.select_for_update().get(pk=office.pk)
    errors = {}
    ended = _typed_day(ended_on, "ended_on", errors, _("Último día en el cargo"))
    reason = (reason or "").strip()
    if office.ended_early_reason:
        raise ValidationError(
            _("Este cargo ya terminó el %(day)s: %(reason)s.")
            % {"day": office.ends_on.strftime("%d/%m/%Y"), "reason": office.ended_early_reason}
        )
    if not reason:
        errors["reason"] = _("Indique el motivo del cese (renuncia, reemplazo, fallecimiento…).")
    if ended and ended < office.starts_on:
        errors["ended_on"] = _("El cargo empezó el %(starts)s: no puede terminar antes (%(ends)s).") % {
            "starts": office.starts_on.strftime("%d/%m/%Y"),
            "ends": ended.strftime("%d/%m/%Y"),
        }
    elif ended and ended >= office.ends_on:
        errors["ended_on"] = _(
            "El mandato ya termina el %(ends)s: un cese anticipado es antes de esa fecha."
        ) % {"ends": office.ends_on.strftime("%d/%m/%Y")}
    holder = None
    if replacement not in (None, ""):
        holder = _office_holder(replacement, "replacement", errors)
        if holder is not None and holder.pk == office.member_id:
            errors["replacement"] = _("El reemplazo debe ser otro socio.")
    if errors:
        raise ValidationError(errors)
    term_ends = office.ends_on
    office.ends_on, office.ended_early_reason, office.ended_by = ended, reason[:200], user
    office.save(update_fields=["ends_on", "ended_early_reason", "ended_by"])
    if holder is None:
        return None
    successor = Office(
        member=holder,
        kind=office.kind,
        name=office.name,
        starts_on=ended + timedelta(days=1),
        ends_on=term_ends,
        motion=office.motion,
        replaces=office,
        created_by=user,
    )
    successor.save()
    return successor
