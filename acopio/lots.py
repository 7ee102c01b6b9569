"""What a lot may take: the check acopio.services.build_lot and build_lot_by_rule run (by hand, a list
of receipts; by rule, season, centre and dates).

A lot takes only deliveries its claim covers: an organic lot only organic
cocoa, a Fairtrade lot only Fairtrade cocoa, and a lot for the EU only cocoa
from plots with a checked geolocation. Voided deliveries and deliveries
already in a lot are refused, each named by its receipt.
"""

from django.utils.translation import gettext as _

from acopio.models import Delivery, DeliveryStatus, Lot
from coop.models import Certification


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
