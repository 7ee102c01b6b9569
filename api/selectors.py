"""Reads of the institutions' API: consent in force, the call log, who read a member's data."""

import hashlib
import hmac

from django.conf import settings
from django.db.models import OuterRef, Subquery

from api.models import (
    ApiCall,
    ApiClient,
    ApiKey,
    ConsentAction,
    InstitutionKind,
    MemberConsent,
    PersonalDataRead,
)
from coop.models import Member


def consent_in_force(*, member, kind: str, for_update: bool = False) -> MemberConsent | None:
    """The latest consent row of ``member`` for ``kind`` (given or withdrawn), or None."""
    if for_update:
        Member.objects.select_for_update().filter(pk=member.pk).first()
    return MemberConsent.objects.filter(member=member, kind=kind).order_by("-recorded_at", "-id").first()


def latest_consent_action(kind: str):
    """A subquery: the action of the member's latest consent row for ``kind`` (None without one)."""
    return Subquery(
        MemberConsent.objects.filter(member=OuterRef("pk"), kind=kind)
        .order_by("-recorded_at", "-id")
        .values("action")[:1]
    )


def consenting_member_ids(kind: str, member_ids=None) -> set[int]:
    """The members whose consent in force covers ``kind``."""
    latest = {}
    rows = MemberConsent.objects.filter(kind=kind)
    if member_ids is not None:
        rows = rows.filter(member_id__in=member_ids)
    for member_id, action in rows.order_by("recorded_at", "id").values_list("member_id", "action"):
        latest[member_id] = action
    return {member_id for member_id, action in latest.items() if action == ConsentAction.GIVEN}


def member_consents(member) -> list[dict]:
    """Per kind of institution: the row in force (or None) and every row, oldest first."""
    rows = list(
        MemberConsent.objects.filter(member=member)
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    )
    return [
        {
            "kind": kind,
            "label": label,
            "current": next((row for row in reversed(rows) if row.kind == kind), None),
            "history": [row for row in rows if row.kind == kind],
        }
        for kind, label in InstitutionKind.choices
    ]


def anonymous_code(member_id: int) -> str:
    """A member's stable anonymous code: an HMAC of the id, the same for every client and every sync."""
    mac = hmac.new(
        settings.MINKA_API_ANONYMOUS_SECRET.encode(), f"member:{member_id}".encode(), hashlib.sha256
    )
    return "ANON-" + mac.hexdigest()[:16].upper()


def readers_of(member, limit: int = 50) -> list[PersonalDataRead]:
    """The latest calls that returned ``member``'s personal data, with the institution and key."""
    return list(
        PersonalDataRead.objects.filter(member=member)
        .select_related("call__client", "call__key")
        .order_by("-call__at", "-id")[:limit]
    )


def calls(*, client=None, status=None):
    rows = ApiCall.objects.select_related("client", "key").order_by("-at", "-id")
    if client is not None:
        rows = rows.filter(client=client)
    if status == "ok":
        rows = rows.filter(status__lt=400)
    elif status == "refused":
        rows = rows.filter(status__gte=400)
    return rows


def clients_with_keys():
    return ApiClient.objects.prefetch_related("keys").order_by("name")


def key_by_prefix(prefix: str) -> ApiKey | None:
    return ApiKey.objects.select_related("client").filter(prefix=prefix).first()
