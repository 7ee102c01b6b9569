"""What verify_ledger checks of assemblies beyond the row chains (attendance events, tallies, ballots
and casts are chained already):

- a published or withdrawn motion — its result, the votes and seats of each option — is still as
  it was published: sealed (toolkit.seals) when it became final;
- kept minutes still hold the facts and code fixed at closing: sealed when kept;
- who is in the room (``Presence``) is what the chained attendance events say: each presence is the
  state one event left, and every event not undone has its presence;
- the counters of a secret electronic vote add up to the chained casts, and once the voting is closed
  each option's counter is the number of its chained anonymous ballots.

Each check returns the first problem as «Tabla X (…), fila N: …», or None.
"""

from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from assemblies.models import (
    AttendanceEvent,
    AttendanceKind,
    Ballot,
    BallotCast,
    BallotCounter,
    KeptMinutes,
    Motion,
    MotionStatus,
    Presence,
    PresenceKind,
)
from toolkit.seals import check_sealed, register_sealed, related_rows

FINAL = [MotionStatus.PUBLISHED, MotionStatus.CANCELLED]

# The published result and what it rests on; not the moments the voting opened and closed
# (those change while the motion is open, before it is sealed).
MOTION_SEALED = (
    "id",
    "assembly",
    "number",
    "kind",
    "title",
    "majority",
    "method",
    "secret",
    "seats",
    "season",
    "status",
    "attending_at_open",
    "ballots_issued",
    "attending_at_close",
    "published_at",
    "published_by",
    "result_base",
    "result_needed",
    "approved",
    "result_text",
    "cancelled_reason",
    "cancelled_by",
    "authorization",
)
OPTIONS = related_rows(
    "assemblies.MotionOption",
    key="motion_id",
    fields=("id", "position", "kind", "label", "votes", "elected"),
    order="position",
)
# The facts and their code are fixed at closing; the PDF's file and hash are a cache rendered
# from the facts (served only while the file matches its hash), so they are left out.
MINUTES_SEALED = ("id", "assembly", "facts", "facts_hash", "language")

PRESENCE_TABLE = Presence._meta.db_table
COUNTER_TABLE = BallotCounter._meta.db_table


def register() -> None:
    register_sealed(
        Motion,
        fields=MOTION_SEALED,
        related=OPTIONS,
        required=Q(status__in=FINAL),
        when=lambda motion: motion.status in FINAL,
    )
    register_sealed(KeptMinutes, fields=MINUTES_SEALED)


def check_published_motions() -> str | None:
    return check_sealed(Motion)


def check_kept_minutes() -> str | None:
    return check_sealed(KeptMinutes)


PRESENCE_OF = {
    AttendanceKind.CHECK_IN: PresenceKind.PRESENT,
    AttendanceKind.VIRTUAL: PresenceKind.VIRTUAL,
    AttendanceKind.PROXY: PresenceKind.REPRESENTED,
}


def check_presences() -> str | None:
    """Every presence is the state its event left, and every event still standing has its presence."""
    undone = set(
        AttendanceEvent.objects.filter(kind=AttendanceKind.UNDONE).values_list("undoes_id", flat=True)
    )
    expected = {}
    for pk, assembly, kind, entry, holder in AttendanceEvent.objects.exclude(
        kind=AttendanceKind.UNDONE
    ).values_list("pk", "assembly_id", "kind", "entry_id", "holder_id"):
        if pk not in undone:
            expected[pk] = (assembly, entry, PRESENCE_OF.get(kind), holder)
    problems = []
    seen = set()
    for pk, event, assembly, entry, kind, holder in Presence.objects.values_list(
        "pk", "event_id", "assembly_id", "entry_id", "kind", "holder_id"
    ):
        seen.add(event)
        if expected.get(event) != (assembly, entry, kind, holder):
            problems.append(
                (
                    pk,
                    _(
                        "no es lo que dejó el suceso de asistencia n.º %(event)s "
                        "(fue alterada, o agregada por fuera de Minka)"
                    )
                    % {"event": event},
                )
            )
    if problems:
        pk, text = min(problems)
        return _presence_problem(pk, text)
    missing = sorted(set(expected) - seen)
    if missing:
        return _(
            "Tabla %(table)s (presencias en la asamblea): falta la presencia que dejó "
            "el suceso de asistencia n.º %(event)s (fue borrada)."
        ) % {
            "table": PRESENCE_TABLE,
            "event": missing[0],
        }
    return None


def _presence_problem(pk, text: str) -> str:
    return _("Tabla %(table)s (presencias en la asamblea), fila %(number)s: %(problems)s.") % {
        "table": PRESENCE_TABLE,
        "number": pk,
        "problems": text,
    }


def check_ballot_counters() -> str | None:
    """A secret electronic vote's counters: one per option, adding up to the voters who cast (chained;
    with one vote per seat, between one and one per seat for each voter);
    once the voting closed, each equal to its option's anonymous ballots (chained)."""
    counters = defaultdict(dict)
    for pk, motion, option, option_motion, count in BallotCounter.objects.values_list(
        "pk", "motion_id", "option_id", "option__motion_id", "count"
    ).order_by("pk"):
        if option_motion != motion:
            return _counter_problem(pk, _("cuenta una opción de otra moción (fue alterada)"))
        counters[motion][option] = (pk, count)
    if not counters:
        return None
    casts = dict(
        BallotCast.objects.filter(motion_id__in=counters).values_list("motion_id").annotate(n=Count("pk"))
    )
    ballots = Counter()
    for motion, option, n in (
        Ballot.objects.filter(motion_id__in=counters)
        .values_list("motion_id", "option_id")
        .annotate(n=Count("pk"))
    ):
        ballots[(motion, option)] = n
    options = defaultdict(set)
    for motion, option in Motion.objects.filter(pk__in=counters).values_list("pk", "options__id"):
        options[motion].add(option)
    marks = {
        motion.pk: motion.marks_allowed
        for motion in Motion.objects.filter(pk__in=counters).select_related("assembly__rule_set")
    }
    closed = set(
        Motion.objects.filter(pk__in=counters)
        .exclude(status__in=[MotionStatus.DRAFT, MotionStatus.OPEN])
        .values_list("pk", flat=True)
    )
    for motion in sorted(counters):
        held = counters[motion]
        first = min(pk for pk, _count in held.values())
        if set(held) != options[motion]:
            return _counter_problem(
                first,
                _("a la moción de clave %(motion)s le falta el contador de una opción (fue borrado)")
                % {"motion": motion},
            )
        total = sum(count for _pk, count in held.values())
        cast = casts.get(motion, 0)
        # One mark per ballot, or (one vote per seat) between one and one per seat on each ballot.
        if not cast <= total <= cast * marks[motion]:
            return _counter_problem(
                first,
                _(
                    "los contadores de la moción de clave %(motion)s suman %(total)s votos, pero votaron "
                    "%(cast)s (fueron alterados)"
                )
                % {"motion": motion, "total": total, "cast": casts.get(motion, 0)},
            )
        if motion in closed:
            for option, (pk, count) in sorted(held.items(), key=lambda item: item[1][0]):
                if count != ballots[(motion, option)]:
                    return _counter_problem(
                        pk,
                        _(
                            "cuenta %(count)s votos, pero las cédulas anónimas de su opción son %(ballots)s "
                            "(fue alterada)"
                        )
                        % {"count": count, "ballots": ballots[(motion, option)]},
                    )
    return None


def _counter_problem(pk, text: str) -> str:
    return _("Tabla %(table)s (contadores del voto secreto), fila %(number)s: %(problems)s.") % {
        "table": COUNTER_TABLE,
        "number": pk,
        "problems": text,
    }
