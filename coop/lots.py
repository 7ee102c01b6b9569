"""Building lots from deliveries, by hand (a list of receipts) or by rule (season, centre, dates).

A lot takes only deliveries its claim covers: an organic lot only organic
cocoa, a Fairtrade lot only Fairtrade cocoa, and a lot for the EU only cocoa
from plots with a checked geolocation. Voided deliveries and deliveries
already in a lot are refused, each named by its receipt.
"""

from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction

from coop.models import Certification, CollectionCentre, Delivery, DeliveryStatus, Lot, Season


def lot_problems(lot: Lot, deliveries: list[Delivery]) -> list[str]:
    claim = Certification(lot.claim)
    problems = []
    for delivery in deliveries:
        code = delivery.receipt_code
        if delivery.status == DeliveryStatus.VOID:
            problems.append(f"{code}: está anulado.")
        elif delivery.lot_id is not None and delivery.lot_id != lot.pk:
            problems.append(f"{code}: ya está en el lote {delivery.lot}.")
        elif not claim.accepts(delivery.certification):
            problems.append(f"{code}: es {delivery.get_certification_display()} y no puede ir en un lote "
                            f"{claim.label}.")
        elif delivery.season_id != lot.season_id:
            problems.append(f"{code}: es de la {delivery.season}, no de la {lot.season}.")
        elif lot.for_eu and (delivery.plot is None or not delivery.plot.geometry):
            problems.append(f"{code}: no tiene parcela geolocalizada, y el lote es para la Unión Europea.")
    return problems


@transaction.atomic
def build_lot(*, code: str, season: Season, claim: str, for_eu: bool, receipts: list[str], user,
              note: str = "") -> Lot:
    """A lot from receipts typed or pasted by the administrator ("C01-000123"), all or nothing."""
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError({"code": "Indique el código del lote."})
    if Lot.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Ya existe el lote {code}."})
    if claim not in Certification.values:
        raise ValidationError({"claim": "Elija la certificación del lote."})
    wanted = {_receipt_key(r) for r in receipts if r.strip()}
    if not wanted:
        raise ValidationError({"receipts": "Indique al menos un recibo."})
    found = {(d.receipt_series, d.receipt_number): d for d in _locked(Delivery.objects.filter(
        receipt_series__in={s for s, _ in wanted}, receipt_number__in={n for _, n in wanted}))}
    missing = sorted(f"{s}-{n:06d}" for s, n in wanted - set(found))
    lot = Lot(code=code, season=season, claim=claim, for_eu=for_eu, note=note.strip(), created_by=user)
    deliveries = [found[key] for key in sorted(wanted) if key in found]
    problems = [f"{m}: no existe." for m in missing] + lot_problems(lot, deliveries)
    if problems:
        raise ValidationError({"receipts": problems})
    lot.save()
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(lot=lot)
    return lot


@transaction.atomic
def build_lot_by_rule(*, code: str, season: Season, claim: str, for_eu: bool, user,
                      centre: CollectionCentre | None = None, date_from: Date | None = None,
                      date_to: Date | None = None) -> Lot:
    """Every valid, unassigned delivery of the season the claim covers, optionally of one centre and dates."""
    candidates = Delivery.objects.valid().filter(season=season, lot__isnull=True).select_related("plot")
    if centre is not None:
        candidates = candidates.filter(centre=centre)
    if date_from is not None:
        candidates = candidates.filter(date__gte=date_from)
    if date_to is not None:
        candidates = candidates.filter(date__lte=date_to)
    sold_as = Certification(claim)
    eligible = [d for d in _locked(candidates) if sold_as.accepts(d.certification)
                and (not for_eu or (d.plot is not None and d.plot.geometry))]
    if not eligible:
        raise ValidationError({"receipts": "Ninguna entrega sin lote cumple la regla."})
    return build_lot(code=code, season=season, claim=claim, for_eu=for_eu, user=user,
                     receipts=[d.receipt_code for d in eligible])


def _locked(queryset):
    # Two administrators building lots at once must not put one delivery in two lots.
    locked = queryset.select_for_update(of=("self",)).select_related("plot", "season", "lot")
    return list(locked.order_by("pk"))


def _receipt_key(receipt: str) -> tuple[str, int]:
    series, _, number = receipt.strip().upper().partition("-")
    if not number.isdigit():
        raise ValidationError({"receipts": f"«{receipt.strip()}» no es un número de recibo (C01-000123)."})
    return series, int(number)
