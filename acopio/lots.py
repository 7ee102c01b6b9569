"""Building lots from deliveries, by hand (a list of receipts) or by rule (season, centre, dates).

A lot takes only deliveries its claim covers: an organic lot only organic
cocoa, a Fairtrade lot only Fairtrade cocoa, and a lot for the EU only cocoa
from plots with a checked geolocation. Voided deliveries and deliveries
already in a lot are refused, each named by its receipt.
"""

from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from acopio.models import CollectionCentre, Delivery, DeliveryStatus, Lot
from coop.models import Certification, Season


def lot_problems(lot: Lot, deliveries: list[Delivery]) -> list[str]:
    claim = Certification(lot.claim)
    problems = []
    for delivery in deliveries:
        code = delivery.receipt_code
        if delivery.status == DeliveryStatus.VOID:
            problems.append(_("%(receipt)s: está anulado.") % {"receipt": code})
        elif delivery.lot_id is not None and delivery.lot_id != lot.pk:
            problems.append(
                _("%(receipt)s: ya está en el lote %(lot)s.") % {"receipt": code, "lot": delivery.lot}
            )
        elif delivery.supplier_id is not None and claim != Certification.CONVENTIONAL:
            problems.append(
                _("%(receipt)s: es una compra a no socio y no puede ir en un lote %(claim)s.")
                % {"receipt": code, "claim": claim.label}
            )
        elif not claim.accepts(delivery.certification):
            problems.append(
                _("%(receipt)s: es %(certification)s y no puede ir en un lote %(claim)s.")
                % {
                    "receipt": code,
                    "certification": delivery.get_certification_display(),
                    "claim": claim.label,
                }
            )
        elif delivery.season_id != lot.season_id:
            problems.append(
                _("%(receipt)s: es de la %(season)s, no de la %(lot_season)s.")
                % {"receipt": code, "season": delivery.season, "lot_season": lot.season}
            )
        elif lot.for_eu and (delivery.plot is None or not delivery.plot.geometry):
            problems.append(
                _("%(receipt)s: no tiene parcela geolocalizada, y el lote es para la Unión Europea.")
                % {"receipt": code}
            )
    return problems


@transaction.atomic
def build_lot(
    *, code: str, season: Season, claim: str, for_eu: bool, receipts: list[str], user, note: str = ""
) -> Lot:
    """A lot from receipts typed or pasted by the administrator ("C01-000123"), all or nothing."""
    lot = _new_lot(code=code, season=season, claim=claim, for_eu=for_eu, note=note, user=user)
    wanted = {_receipt_key(r) for r in receipts if r.strip()}
    if not wanted:
        raise ValidationError({"receipts": _("Indique al menos un recibo.")})
    found = {
        (d.receipt_series, d.receipt_number): d
        for d in _locked(
            Delivery.objects.filter(
                receipt_series__in={s for s, _ in wanted}, receipt_number__in={n for _, n in wanted}
            )
        )
    }
    missing = [
        _("%(receipt)s: no existe.") % {"receipt": f"{s}-{n:06d}"} for s, n in sorted(wanted - set(found))
    ]
    return _save(lot, [found[key] for key in sorted(wanted) if key in found], missing)


@transaction.atomic
def build_lot_by_rule(
    *,
    code: str,
    season: Season,
    claim: str,
    for_eu: bool,
    user,
    centre: CollectionCentre | None = None,
    date_from: Date | None = None,
    date_to: Date | None = None,
) -> Lot:
    """Every valid, unassigned delivery of the season the claim covers, optionally of one centre and dates."""
    lot = _new_lot(code=code, season=season, claim=claim, for_eu=for_eu, note="", user=user)
    candidates = Delivery.objects.valid().filter(season=season, lot__isnull=True)
    if centre is not None:
        candidates = candidates.filter(centre=centre)
    if date_from is not None:
        candidates = candidates.filter(date__gte=date_from)
    if date_to is not None:
        candidates = candidates.filter(date__lte=date_to)
    eligible = [d for d in _locked(candidates) if not lot_problems(lot, [d])]
    if not eligible:
        raise ValidationError({"receipts": _("Ninguna entrega sin lote cumple la regla.")})
    return _save(lot, eligible, [])


def _new_lot(*, code, season, claim, for_eu, note, user) -> Lot:
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError({"code": _("Indique el código del lote.")})
    if Lot.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Ya existe el lote %(lot)s.") % {"lot": code}})
    if claim not in Certification.values:
        raise ValidationError({"claim": _("Elija la certificación del lote.")})
    return Lot(
        code=code, season=season, claim=claim, for_eu=for_eu, note=(note or "").strip(), created_by=user
    )


def _save(lot: Lot, deliveries: list[Delivery], problems: list[str]) -> Lot:
    problems = problems + lot_problems(lot, deliveries)
    if problems:
        raise ValidationError({"receipts": problems})
    # Cocoa bought from non-members marks the lot: sales refuses to sell it as Fairtrade or organic.
    lot.has_non_member = any(d.supplier_id is not None for d in deliveries)
    lot.save()
    ids = [d.pk for d in deliveries]
    for start in range(0, len(ids), 900):  # SQLite's limit on query parameters
        Delivery.objects.filter(pk__in=ids[start : start + 900]).update(lot=lot)
    return lot


def _locked(queryset):
    # Two administrators building lots at once must not put one delivery in two lots.
    locked = queryset.select_for_update(of=("self",)).select_related("plot", "season", "lot")
    return list(locked.order_by("pk"))


def _receipt_key(receipt: str) -> tuple[str, int]:
    series, _dash, number = receipt.strip().upper().partition("-")
    if not number.isdigit():
        raise ValidationError(
            {"receipts": _("«%(text)s» no es un número de recibo (C01-000123).") % {"text": receipt.strip()}}
        )
    return series, int(number)
