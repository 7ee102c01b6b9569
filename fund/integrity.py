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

DIGESTED = ("id", "season_id", "purpose", "category", "amount_minor")


def lines_digest(lines) -> str:
    """SHA-256 over each line's identity, season, words and amount, in id order."""
    facts = sorted(
        [line["id"], line["season_id"], line["purpose"], line["category"], line["amount_minor"]]
        for line in lines
    )
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


LINE_FIELDS = ("id", "season_id", "purpose", "category", "amount_minor", "authorization_id")


def check_authorized_lines() -> str | None:
    lines_by_authorization: dict[int, list[dict]] = {}
    for line in BudgetLine.objects.filter(authorization__isnull=False).values(*LINE_FIELDS).order_by("id"):
        lines_by_authorization.setdefault(line["authorization_id"], []).append(line)
    for authorization in PremiumAuthorization.objects.exclude(lines_digest="").order_by("id"):
        if lines_digest(lines_by_authorization.get(authorization.pk, [])) != authorization.lines_digest:
            return _(
                "Autorización «%(decision)s»: las líneas del plan que aprobó la asamblea no son las que hay "
                "ahora (una línea cambió de monto, finalidad, categoría o campaña, o se quitó o se añadió)."
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
