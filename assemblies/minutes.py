"""The minutes (acta): the facts of a closed assembly, their hash, and the documents.

``minutes_facts`` gathers what the acta says; the PDF renders those facts and
``minutes_hash`` hashes the same facts, so the code printed on the acta is the
one the verification page recomputes from the database. A change behind
Minka's back (an edited count, an added attendee) no longer matches.

The facts name things in words (the kind of assembly, a motion's status), which
follow the active language; the hash takes them in the cooperative's language
(``settings.LANGUAGE_CODE``), so the code does not depend on who closes the
assembly or who verifies it, while the PDF and the pages speak the reader's.
"""

import copy
import hashlib
import json

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assemblies.models import Assembly, AttendanceEvent, AttendanceKind, MotionStatus, Presence, PresenceKind
from assemblies.selectors import turnout
from ledger.selectors import chain_head
from toolkit.pdf import qr_svg, render_pdf
from toolkit.verification import paper_verify_url


def attendance(assembly: Assembly):
    """Who is attending at closing: members present, and those represented with their holder."""
    return (
        Presence.objects.filter(assembly=assembly)
        .select_related("entry__member", "holder", "event")
        .order_by("entry__position")
    )


def minutes_facts(assembly: Assembly) -> dict:
    """Everything the acta states, as plain values (the hash is taken over exactly this).

    The attendees are read as plain values, not as objects: an assembly of 20,000 members has
    twelve thousand of them, and the assembly's page checks this hash each time it opens.
    """
    attending = Presence.objects.filter(assembly=assembly).order_by("entry__position")
    present = attending.filter(kind=PresenceKind.PRESENT)
    represented = attending.filter(kind=PresenceKind.REPRESENTED)
    motions = []
    for motion in assembly.motions.prefetch_related("options", "budget_lines").order_by("number"):
        motions.append(
            {
                "number": motion.number,
                "title": motion.title,
                "text": motion.text,
                "kind": motion.get_kind_display(),
                "majority": motion.get_majority_display(),
                "method": motion.get_method_display(),
                "secret": motion.secret,
                "status": motion.get_status_display(),
                "published": motion.status == MotionStatus.PUBLISHED,
                "attending_at_open": motion.attending_at_open,
                "base": motion.result_base,
                "needed": motion.result_needed,
                "approved": motion.approved,
                "result": motion.result_text,
                "cancelled_reason": motion.cancelled_reason,
                "options": [
                    {"label": o.label, "votes": o.votes, "elected": o.elected} for o in motion.options.all()
                ],
                "budget_lines": [
                    {
                        "purpose": b.purpose,
                        "category": b.get_category_display(),
                        "amount_minor": b.amount_minor,
                    }
                    for b in motion.budget_lines.all()
                ],
                "budget_total_minor": sum(b.amount_minor for b in motion.budget_lines.all()),
            }
        )
    rules = assembly.rule_set
    facts = {
        "assembly": assembly.pk,
        "title": assembly.title,
        "kind": assembly.get_kind_display(),
        "mode": assembly.get_mode_display(),
        "place": assembly.place,
        "link": assembly.link,
        "first_call_at": _moment(assembly.first_call_at),
        "second_call_at": _moment(assembly.second_call_at),
        "agenda": assembly.agenda,
        "cutoff_date": assembly.cutoff_date.strftime("%d/%m/%Y"),
        "rule_set": str(rules),
        "roll_size": assembly.roll_size,
        "opened_at": _moment(assembly.opened_at),
        "opened_on_call": assembly.get_opened_on_call_display(),
        "quorum_rule": rules.quorum(assembly.opened_on_call).describe() if assembly.opened_on_call else "",
        "quorum_present": assembly.quorum_present,
        "quorum_represented": assembly.quorum_represented,
        "quorum_needed": assembly.quorum_needed,
        "closed_at": _moment(assembly.closed_at),
        "present": [list(row) for row in present.values_list("entry__code", "entry__name", "entry__dni")],
        "represented": [
            list(row)
            for row in represented.values_list(
                "entry__code", "entry__name", "holder__code", "holder__name", "event__letter"
            )
        ],
        "motions": motions,
    }
    # Members who took part from home (virtual and hybrid assemblies): their own list and their part of
    # the quorum. Added only where there can be any, so minutes closed before keep their facts and code.
    virtual = attending.filter(kind=PresenceKind.VIRTUAL)
    virtual_rows = [list(row) for row in virtual.values_list("entry__code", "entry__name", "entry__dni")]
    if virtual_rows or assembly.quorum_virtual is not None:
        facts["virtual"] = virtual_rows
        facts["quorum_virtual"] = assembly.quorum_virtual
    return facts


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def hash_of(facts: dict) -> str:
    canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def minutes_hash(assembly: Assembly) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return hash_of(minutes_facts(assembly))


def minutes_match(assembly: Assembly) -> bool:
    return bool(assembly.minutes_hash) and minutes_hash(assembly) == assembly.minutes_hash


def verification_url(request, assembly: Assembly) -> str:
    path = reverse("minutes_verify", args=[assembly.verification_key])
    return request.build_absolute_uri(path) if request is not None else path


def minutes_pdf(assembly: Assembly, *, request=None, facts: dict | None = None) -> bytes:
    """The acta as a PDF, from the facts kept at closing if given (assemblies.kept), else from the records."""
    facts = copy.deepcopy(facts) if facts is not None else minutes_facts(assembly)
    # Turnout is printed beside each vote but is not among the hashed facts: papers issued before it
    # was printed keep their code (it follows from the votes and attendance, which are hashed).
    turnouts = {m.number: turnout(m) for m in assembly.motions.all()}
    for motion in facts["motions"]:
        motion["turnout"] = turnouts.get(motion["number"])
    url = verification_url(request, assembly)
    return render_pdf(
        "assemblies/pdf/minutes.html",
        {
            "assembly": assembly,
            "facts": facts,
            "hash": assembly.minutes_hash,
            "verify_url": url,
            "qr": qr_svg(url, scale=2),
            "paper_url": paper_verify_url(request),
            "undone": AttendanceEvent.objects.filter(assembly=assembly, kind=AttendanceKind.UNDONE).count(),
            "made_at": timezone.localtime(),
            # Not among the hashed facts: the journal's head when this copy was printed.
            "chain_head": chain_head(),
        },
    )


def call_notice_pdf(assembly: Assembly) -> bytes:
    return render_pdf(
        "assemblies/pdf/call_notice.html",
        {
            "assembly": assembly,
            "rules": assembly.rule_set,
            "first_quorum": assembly.rule_set.quorum("first"),
            "second_quorum": assembly.rule_set.quorum("second"),
            "motions": assembly.motions.exclude(status=MotionStatus.CANCELLED).prefetch_related(
                "budget_lines"
            ),
            "made_at": timezone.localtime(),
        },
    )


def signature_sheet_pdf(assembly: Assembly) -> bytes:
    """The roll as a sheet to sign: one preformatted line per member, the right side left to sign."""
    # Column headings, each translated on its own (makemessages does not read calls inside f-strings).
    number, code, dni, name, sign = (
        _("N.º"),
        _("Código"),
        _("DNI"),
        _("Nombres y apellidos"),
        _("Firma o huella"),
    )
    place = _("Zona") if assembly.rule_set.uses_delegates else _("Comunidad")
    heading = f"{number:>5}  {code:<10}  {dni:<8}  {name:<38}  {place:<16}  {sign}"
    rows = assembly.roll.values_list("position", "code", "dni", "name", "community", "zone")
    lines = [
        f"{position:>5}  {code:<10}  {dni:<8}  {name[:38]:<38}  {(zone or community)[:16]:<16}"
        for position, code, dni, name, community, zone in rows
    ]
    return render_pdf(
        "assemblies/pdf/signature_sheet.html",
        {
            "assembly": assembly,
            "heading": heading,
            "lines": lines,
            "made_at": timezone.localtime(),
        },
    )
