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
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assemblies import codes, wording
from assemblies.kept import keep_minutes
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
    MajorityChoice,
    Motion,
    MotionBudgetLine,
    MotionKind,
    MotionOption,
    MotionStatus,
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
from fund.figures import soles
from fund.models import BudgetLine
from fund.services import authorize_budget_lines
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
    season=None,
    activities: list | None = None,
    user,
) -> Motion:
    """A motion for the agenda: a resolution, an election, or a budget of Development Plan activities.

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
    if kind == MotionKind.ELECTION:
        names = [name.strip() for name in (candidates or []) if name and name.strip()]
        if len(set(names)) != len(names):
            errors["candidates"] = _("Hay un candidato repetido.")
        if not isinstance(seats, int) or seats < 1:
            errors["seats"] = _("Indique cuántos cargos se eligen (1 o más).")
        elif len(names) < seats:
            errors["candidates"] = ngettext(
                "Inscriba al menos %(seats)d candidato, uno por línea.",
                "Inscriba al menos %(seats)d candidatos, uno por línea.",
                seats,
            ) % {"seats": seats}
        options = [(OptionKind.CANDIDATE, name) for name in names] + [
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
        season=season if kind == MotionKind.BUDGET else None,
        created_by=user,
    )
    motion.save()
    MotionOption.objects.bulk_create(
        [
            MotionOption(motion=motion, position=n, kind=option_kind, label=label)
            for n, (option_kind, label) in enumerate(options, start=1)
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


def _count_secret_vote(motion: Motion, option: MotionOption) -> None:
    """Add the vote to its option's counter by updating every option's counter (0 to the others):
    no row is added and every counter row gets the same last writer, whatever was chosen."""
    touched = BallotCounter.objects.filter(motion=motion).update(
        count=F("count") + Case(When(option=option, then=Value(1)), default=Value(0))
    )
    if not touched:  # none yet (made all at once, so never some): start them, then count
        _open_counters(motion)
        _count_secret_vote(motion, option)


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
    if issued is not None and total + nulls != issued:
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
    option: MotionOption | None,
    user,
    remote: bool = False,
) -> BallotCast:
    """One electronic vote: by a member present, or by the holder of their proxy. Once per member."""
    motion = _lock_motion(motion)
    if motion.method != VotingMethod.ELECTRONIC:
        raise ValidationError(_("Esta moción no se vota electrónicamente."))
    if motion.status != MotionStatus.OPEN:
        raise ValidationError(
            _("La votación de «%(motion)s» no está abierta (está «%(status)s»).")
            % {"motion": motion.title, "status": motion.get_status_display()}
        )
    voter = _entry_of(motion.assembly, voter, "voter")
    if option is None or option.motion_id != motion.pk:
        raise ValidationError({"option": _("Elija una opción de la cédula.")})
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
        option=None if motion.secret else option,
        recorded_by=user,
        remote=remote,
    )
    cast.save()
    if motion.secret:
        # The choice goes only to the counters; the anonymous ballots are written when the voting closes.
        _count_secret_vote(motion, option)
    else:
        Ballot(motion=motion, option=option).save()  # an open vote: the choice stands beside the voter too
    return cast


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
    return motion


def _election(motion, options, totals, by_kind, rule, present):
    candidates = sorted(
        (o for o in options if o.kind == OptionKind.CANDIDATE),
        key=lambda o: (-totals[o.position], o.position),
    )
    cast = sum(totals[o.position] for o in candidates)
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
    if tie_votes is not None:
        text += " " + _("Empate con %(votes)s por el último cargo: se vota de nuevo.") % {
            "votes": wording.vote_count(tie_votes)
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
def vote_at_booth(*, booth: Booth, option_id) -> BallotCast:
    """The voter alone in the booth marks the ballot. The desk operator who unlocked it is the «mesa»
    recorded on who voted; what was voted goes, in a secret vote, only to the option counters."""
    _lock(booth.assembly)
    booth = _lock_booth(booth)
    unlock = waiting_unlock(booth)
    if booth.is_closed or unlock is None:
        raise ValidationError(_("La cabina no está habilitada: pida a la mesa que la desbloquee."))
    motion = unlock.motion
    option = motion.options.filter(pk=option_id).first() if str(option_id or "").isdigit() else None
    cast = cast_ballot(
        motion=motion, voter=unlock.voter, cast_by=unlock.cast_by, option=option, user=unlock.unlocked_by
    )
    unlock.used = True
    unlock.save(update_fields=["used"])
    return cast


# --- Taking part from home (virtual and hybrid assemblies) ---------------------------


@transaction.atomic
def issue_remote_codes(
    *, assembly: Assembly, entries: list[RollEntry] | None = None, user
) -> list[tuple[RollEntry, str]]:
    """Make a voting code for each member on the roll who has none (or, with ``entries``, a new code
    for those members, replacing the one they lost). The codes are returned once, to print; Minka
    keeps only their HMAC."""
    assembly = _lock(assembly)
    if not assembly.takes_part_from_home:
        raise ValidationError(
            _(
                "La asamblea es presencial: los códigos de voto a distancia son para asambleas "
                "virtuales o mixtas."
            )
        )
    if assembly.status == AssemblyStatus.CLOSED:
        raise ValidationError(_("La asamblea está cerrada: ya no se generan códigos."))
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
def vote_remotely(*, remote: RemoteCode, motion_number, option_id) -> BallotCast:
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
    option = motion.options.filter(pk=option_id).first() if str(option_id or "").isdigit() else None
    return cast_ballot(motion=motion, voter=entry, cast_by=entry, option=option, user=None, remote=True)
