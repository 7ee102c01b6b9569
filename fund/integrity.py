"""What verify_ledger checks of the premium fund beyond the row chains: authorized Development Plan
lines are still the ones the assembly approved, and a paid spending's amount is still the one its
journal entry posted. Plan lines and spending change status, so they are not append-only rows; each
is tied to something that is (the authorization's chained digest, the hash-chained entry)."""

import hashlib
import json

from django.utils.translation import gettext as _

from fund.models import BudgetLine, PremiumAuthorization, Spending, SpendingStatus
from ledger import chart
from ledger.models import JournalLine

# The facts each digest version covers, in this order. Version 1 (authorizations recorded before the
# plan had activities, lines_digest_version empty): identity, season, words, amount. Version 2: the
# whole activity as the assembly approved it — objective, schedule, responsible person, expected
# beneficiaries, indicators and the activity a reallocation takes its money from.
DIGEST_VERSIONS = {
    1: ("id", "season_id", "purpose", "category", "amount_minor"),
    2: (
        "id",
        "season_id",
        "purpose",
        "category",
        "amount_minor",
        "objective",
        "starts_on",
        "ends_on",
        "responsible",
        "beneficiaries",
        "beneficiaries_women",
        "beneficiaries_youth",
        "indicators",
        "reallocated_from_id",
    ),
}
CURRENT_DIGEST_VERSION = 2
DIGESTED = DIGEST_VERSIONS[1]


def _fact(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def lines_digest(lines, version: int = 1) -> str:
    """SHA-256 over each line's facts of ``version`` (identity, season, words, amount…), in id order."""
    fields = DIGEST_VERSIONS[version]
    facts = sorted([_fact(line[field]) for field in fields] for line in lines)
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


LINE_FIELDS = (*DIGEST_VERSIONS[2], "authorization_id")


def check_authorized_lines() -> str | None:
    lines_by_authorization: dict[int, list[dict]] = {}
    for line in BudgetLine.objects.filter(authorization__isnull=False).values(*LINE_FIELDS).order_by("id"):
        lines_by_authorization.setdefault(line["authorization_id"], []).append(line)
    for authorization in PremiumAuthorization.objects.exclude(lines_digest="").order_by("id"):
        version = authorization.lines_digest_version or 1
        lines = lines_by_authorization.get(authorization.pk, [])
        if lines_digest(lines, version) != authorization.lines_digest:
            return _(
                "Autorización «%(decision)s»: las actividades del plan que aprobó la asamblea no son las "
                "que hay ahora (una cambió de monto, finalidad, objetivo, categoría, campaña, plazo, "
                "responsable, beneficiarios o indicadores, o se quitó o se añadió)."
            ) % {"decision": authorization.decision}
    return None


def check_paid_spending() -> str | None:
    # By code: chart.account would create a missing account, and verify_ledger reads in a read-only snapshot.
    posted = dict(
        JournalLine.objects.filter(account__code=chart.PREMIUM_FUND_PEN, amount__gt=0)
        .filter(entry__source_key__startswith="premium-spending:")
        .values_list("entry_id", "amount")
    )
    paid = Spending.objects.filter(status__in=[SpendingStatus.PAID, SpendingStatus.REVERSED])
    for spending in (
        paid.order_by("id").only("id", "amount_minor", "entry_id", "entry__number").select_related("entry")
    ):
        if posted.get(spending.entry_id) != spending.amount_minor:
            return _("Gasto del fondo n.º %(id)s: su monto no es el que registró el asiento %(entry)s.") % {
                "id": spending.pk,
                "entry": spending.entry.number,
            }
    return None
