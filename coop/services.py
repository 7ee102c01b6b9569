"""Writes to the member and plot register. Views, admin, imports and commands call these."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from coop.models import Member, MemberStatus, MemberStatusChange


@transaction.atomic
def change_member_status(
    *, member: Member, status: str, effective_date: date, note: str = "", user
) -> MemberStatusChange:
    """Record a new status for a member, with its date and who recorded it.

    History is append-only: a mistaken change is corrected by recording
    another one. A change dated before the latest recorded one is refused, so
    the current status is always the latest step.
    """
    if status not in MemberStatus.values:
        raise ValidationError({"status": "Estado desconocido."})
    member = Member.objects.select_for_update().get(pk=member.pk)
    latest = member.status_changes.order_by("-effective_date", "-id").first()
    if latest and effective_date < latest.effective_date:
        raise ValidationError({
            "effective_date": (
                f"La fecha no puede ser anterior al último cambio registrado "
                f"({latest.effective_date:%d/%m/%Y})."
            )
        })
    if latest and latest.status == status:
        raise ValidationError({"status": f"El socio ya está {member.get_status_display().lower()}."})
    if effective_date > date.today():
        raise ValidationError({"effective_date": "La fecha no puede estar en el futuro."})
    change = MemberStatusChange(
        member=member, status=status, effective_date=effective_date, note=note.strip(),
        recorded_by=user,
    )
    change.full_clean()
    change.save()
    member.status = status
    member._history_user = user
    member.save(update_fields=["status", "updated_at", "search_text"])
    return change
