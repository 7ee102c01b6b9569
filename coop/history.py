"""Who changed what and when, for a member and their plots, read from simple-history."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from coop.models import Member, Plot
from coop.wording import status_word

ACTION_LABELS = {"+": _("Alta"), "~": _("Cambio"), "-": _("Baja")}
HIDDEN_FIELDS = {"search_text", "updated_at", "created_at", "centroid_lat", "centroid_lon", "geometry_kind"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    when: datetime
    who: str
    subject: str  # "Socio" or "Parcela P-1"
    action: str
    created: bool = False
    changes: list[FieldChange] = field(default_factory=list)


def _display(record, field_name: str) -> str:
    model_field = record.instance_type._meta.get_field(field_name)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "—"
    if field_name == "status" and record.instance_type is Member:
        return status_word(value, getattr(record, "sex", ""))  # «Fallecida» for a woman
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Sí") if value else _("No"))
    if field_name == "geometry":
        return str(_("(geometría)"))
    if isinstance(value, Decimal):
        # 2.5000 ha reads as 2.50: at least two decimals, no trailing zeros past them.
        text = format(value.normalize(), "f")
        whole, _dot, frac = text.partition(".")
        return f"{whole}.{frac.ljust(2, '0')}"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _entries(records, subject_for) -> list[ChangeEntry]:
    """Turn consecutive history rows of each object into entries with their diffs."""
    previous_by_object: dict[int, object] = {}
    entries = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_by_object.get(record.id)
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                label = str(record.instance_type._meta.get_field(change.field).verbose_name)
                changes.append(
                    FieldChange(label, _display(previous, change.field), _display(record, change.field))
                )
            if not changes:
                previous_by_object[record.id] = record
                continue
        user = record.history_user
        entries.append(
            ChangeEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else str(_("sistema")),
                subject=subject_for(record),
                action=str(ACTION_LABELS.get(record.history_type, record.history_type)),
                created=record.history_type == "+",
                changes=changes,
            )
        )
        previous_by_object[record.id] = record
    return entries


def change_log(member: Member, *, limit: int = 100) -> list[ChangeEntry]:
    member_records = list(member.history.select_related("history_user").order_by("-history_id")[:limit])
    plot_records = list(
        Plot.history.filter(member_id=member.pk)
        .select_related("history_user")
        .order_by("-history_id")[:limit]
    )
    entries = _entries(member_records, lambda r: str(_("Socio")))
    entries += _entries(plot_records, lambda r: _("Parcela %(code)s") % {"code": r.code})
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
