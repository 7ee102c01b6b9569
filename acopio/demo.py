"""Three seasons of cocoa buying for the demonstration cooperative.

Deliveries go through the same checks and pricing as an import
(``record_delivery_rows``), voids and reissues through the clerk's services, and
advances, deductions and payments through ``record_movement``, so the demo
shows exactly what Minka would have recorded.
"""

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from acopio import services as purchases
from acopio.models import CocoaForm, CollectionCentre, Delivery, Grade, PriceRow
from acopio.selectors import owed_to_supplier
from coop.demo import DEMO_PREFIX
from coop.models import Member, MemberStatus, Season
from ledger.member_accounts import owed_to_member
from ledger.models import MemberMovement, MovementKind, PaymentMethod
from ledger.services import record_movement

SEASONS = (
    # 2019 straddles the 2019-10-01 review of Fairtrade terms: one sale on each side of it.
    ("2019", "Campaña 2019", date(2019, 1, 1), date(2019, 12, 31), Decimal("0.380")),
    ("2025", "Campaña 2025", date(2025, 1, 1), date(2025, 12, 31), Decimal("0.380")),
    ("2026", "Campaña 2026", date(2026, 1, 1), date(2026, 12, 31), Decimal("0.370")),
)
MAX_YIELD_KG_PER_HA = 1200
CENTRES = (  # code, name, communities it buys from
    ("C01", "Chazuta (planta)", {"Chazuta", "Pucallpillo", "Callanayacu", "Huimbayoc"}),
    ("C02", "Curiyacu", {"Curiyacu", "Llucanayacu", "Shapaja", "Juan Guerra"}),
    ("C03", "Tununtunumba", {"Tununtunumba", "Canayo", "Aguano Muyuna"}),
)
# Soles per kg by (form, grade) for conventional, Fairtrade, organic, both; three dated lists.
PRICE_LISTS = {
    date(2019, 1, 1): {
        (CocoaForm.WET, Grade.UNGRADED): ("2.40", "2.70", "2.90", "3.10"),
        (CocoaForm.DRY, Grade.GRADE_1): ("7.00", "7.80", "8.30", "8.80"),
        (CocoaForm.DRY, Grade.GRADE_2): ("6.60", "7.30", "7.70", "8.20"),
        (CocoaForm.DRY, Grade.SUBSTANDARD): ("5.50", "5.50", "5.50", "5.50"),
    },
    date(2025, 1, 1): {
        (CocoaForm.WET, Grade.UNGRADED): ("3.00", "3.30", "3.50", "3.70"),
        (CocoaForm.DRY, Grade.GRADE_1): ("9.20", "10.00", "10.50", "11.00"),
        (CocoaForm.DRY, Grade.GRADE_2): ("8.60", "9.40", "9.80", "10.30"),
        (CocoaForm.DRY, Grade.SUBSTANDARD): ("6.80", "6.80", "6.80", "6.80"),
    },
    date(2025, 7, 1): {
        (CocoaForm.WET, Grade.UNGRADED): ("3.20", "3.50", "3.70", "3.90"),
        (CocoaForm.DRY, Grade.GRADE_1): ("9.80", "10.60", "11.10", "11.60"),
        (CocoaForm.DRY, Grade.GRADE_2): ("9.10", "9.90", "10.30", "10.80"),
        (CocoaForm.DRY, Grade.SUBSTANDARD): ("7.00", "7.00", "7.00", "7.00"),
    },
    date(2026, 1, 1): {
        (CocoaForm.WET, Grade.UNGRADED): ("3.10", "3.40", "3.60", "3.80"),
        (CocoaForm.DRY, Grade.GRADE_1): ("9.50", "10.30", "10.80", "11.35"),
        (CocoaForm.DRY, Grade.GRADE_2): ("8.90", "9.70", "10.10", "10.65"),
        (CocoaForm.DRY, Grade.SUBSTANDARD): ("7.00", "7.00", "7.00", "7.00"),
    },
}
CLAIMS = ("conv", "ft", "org", "ft_org")
# Cocoa in San Martín has a main harvest in April–July and a smaller one in October–December.
MONTH_WEIGHTS = (2, 2, 4, 9, 11, 10, 8, 5, 4, 6, 7, 5)
VOID_REASONS = ("Peso mal digitado", "Socio equivocado", "Tara no descontada", "Entrega duplicada")


@dataclass
class AcopioSummary:
    created: bool
    deliveries: int
    voids: int
    movements: int
    seconds: float

    def lines(self) -> list[str]:
        # Labels padded to one width, so the numbers line up (and called outside the f-strings,
        # where makemessages finds them).
        deliveries, voids, movements, seconds = (
            _("Entregas:"),
            _("Anuladas:"),
            _("Pagos, adelantos y descuentos:"),
            _("Tiempo:"),
        )
        return [
            f"{deliveries:<11}{self.deliveries:,}",
            f"{voids:<11}{self.voids:,}",
            f"{movements} {self.movements:,}",
            f"{seconds:<11}{self.seconds:,.1f} s",
        ]


def acopio_loaded() -> bool:
    return Season.objects.filter(code=SEASONS[0][0]).exists()


def generate_acopio(
    *, deliveries: int | None = None, seed: int = 1, user=None, payments: bool = True
) -> AcopioSummary:
    """Seasons, centres, prices, deliveries, voids and member payments for the demo members.

    About 8 deliveries a member a season by default (24 a member over the three seasons).
    Sales and the premium fund follow in their own apps' demos (config.demo puts them together).
    """
    started = time.perf_counter()
    if acopio_loaded():
        return AcopioSummary(
            False,
            Delivery.objects.count(),
            Delivery.objects.filter(status="void").count(),
            MemberMovement.objects.count(),
            time.perf_counter() - started,
        )
    rng = random.Random(seed)
    members = list(
        Member.objects.filter(code__startswith=DEMO_PREFIX)
        .exclude(status__in=[MemberStatus.WITHDRAWN, MemberStatus.DECEASED])
        .prefetch_related("plots")
        .order_by("code")
    )
    with transaction.atomic():
        seasons = _seasons_centres_prices()
        rows = _delivery_rows(rng, members, seasons, deliveries or 24 * len(members))
        report = purchases.record_delivery_rows(rows=rows, user=user, label="demostración")
        if not report.ok:
            raise RuntimeError(f"Datos de demostración inválidos: {report.errors[:3]}")
    voids = _voids(rng, user)
    _non_member_purchases(user)
    movements = _movements(rng, members, seasons, user) if payments else 0
    return AcopioSummary(True, Delivery.objects.count(), voids, movements, time.perf_counter() - started)


def _seasons_centres_prices() -> list[Season]:
    seasons = [
        Season.objects.create(
            code=code,
            name=name,
            starts_on=start,
            ends_on=end,
            wet_to_dry_factor=factor,
            max_yield_kg_per_ha=MAX_YIELD_KG_PER_HA,
        )
        for code, name, start, end, factor in SEASONS
    ]
    for code, name, _places in CENTRES:
        CollectionCentre.objects.get_or_create(code=code, defaults={"name": name, "receipt_series": code})
    PriceRow.objects.bulk_create(
        [
            PriceRow(
                valid_from=valid_from,
                form=form,
                grade=grade,
                certification=claim,
                price_per_kg=Decimal(price),
                note="Lista de precios de demostración",
            )
            for valid_from, table in PRICE_LISTS.items()
            for (form, grade), prices in table.items()
            for claim, price in zip(CLAIMS, prices, strict=True)
        ]
    )
    return seasons


def _centre_for(community: str) -> str:
    return next((code for code, _, places in CENTRES if community in places), CENTRES[0][0])


def _delivery_rows(rng, members, seasons, total: int) -> list[dict]:
    today = timezone.localdate()
    per_member_season = max(1, round(total / max(1, len(members) * len(seasons))))
    rows = []
    for season in seasons:
        last_day = min(season.ends_on, today)
        if last_day < season.starts_on:
            continue
        for member in members:
            if member.join_date and member.join_date > last_day:
                continue  # not a member yet that season
            plots = [p for p in member.plots.all() if (p.cocoa_producing_ha or 0) > 0]
            if not plots:
                continue
            hectares = sum(float(p.cocoa_producing_ha) for p in plots)
            # Most members deliver 40–90 % of what their plots can give; a few far more (for the ICS list).
            share = rng.uniform(1.15, 1.6) if rng.random() < 0.03 else rng.uniform(0.4, 0.9)
            count = max(1, int(rng.gauss(per_member_season, per_member_season / 4)))
            dry_kg_each = hectares * MAX_YIELD_KG_PER_HA * share / count
            for _number in range(count):
                rows.append(
                    _row(
                        rng, member, rng.choice(plots), season, last_day, dry_kg_each * rng.uniform(0.6, 1.4)
                    )
                )
    rows.sort(key=lambda r: r["date"])
    for number, row in enumerate(rows, start=1):
        row["external_ref"] = f"DEMO-{row['date'].year}-{number:07d}"
    return rows


def _row(rng, member, plot, season, last_day, dry_kg) -> dict:
    day = _harvest_day(rng, season.starts_on, last_day)
    wet = rng.random() < 0.65
    if wet:
        net = min(Decimal(dry_kg) / season.wet_to_dry_factor, Decimal(900))
        tare = Decimal(rng.choice(("0.5", "0.8", "1.0", "1.2")))
        moisture, grade = Decimal(rng.randint(500, 600)) / 10, ""
    else:
        net = min(Decimal(dry_kg), Decimal(600))
        tare = Decimal(rng.choice(("0.3", "0.5", "0.6")))
        moisture = Decimal(rng.randint(65, 80)) / 10
        grade = rng.choices(("I", "II", "fuera de estándar"), weights=(70, 25, 5))[0]
    net = max(net.quantize(Decimal("0.1")), Decimal("2.0"))
    return {
        "centre": _centre_for(member.community),
        "date": day,
        "member_code": member.code,
        "plot": plot.code,
        "form": "baba" if wet else "seco",
        "grade": grade,
        "gross_kg": str(net + tare),
        "tare_kg": str(tare),
        "moisture_pct": str(moisture),
    }


def _harvest_day(rng, first: date, last: date) -> date:
    months = [m for m in range(first.month, 13) if date(first.year, m, 1) <= last]
    month = rng.choices(months, weights=[MONTH_WEIGHTS[m - 1] for m in months])[0]
    start = date(first.year, month, 1)
    end = min(last, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _voids(rng, user) -> int:
    """A few mistakes per season, voided; half of them reissued with the right figures."""
    valid = list(Delivery.objects.valid().values_list("pk", flat=True))
    chosen = rng.sample(valid, min(len(valid) // 300 + 1, 200)) if valid else []
    for position, pk in enumerate(chosen):
        delivery = Delivery.objects.select_related("member", "plot", "centre").get(pk=pk)
        reason = rng.choice(VOID_REASONS)
        purchases.void_delivery(delivery=delivery, reason=reason, user=user, on=delivery.date)
        if position % 2 == 0:
            purchases.record_delivery(
                member=delivery.member,
                plot=delivery.plot,
                centre=delivery.centre,
                date=delivery.date,
                form=delivery.form,
                grade=delivery.grade,
                gross_kg=Decimal(delivery.gross_g - 500) / 1000,
                tare_kg=Decimal(delivery.tare_g) / 1000,
                moisture_pct=delivery.moisture_pct,
                user=user,
                replaces=delivery,
            )
    return len(chosen)


# Two non-members who sold cocoa in 2025: a neighbour (DNI) and an association (RUC). Their cocoa is
# conventional and goes into the season's conventional lot, which is then never sold as Fairtrade.
NON_MEMBER_PURCHASES = (
    # document, name, origin, centre, date, form, grade, gross, tare, moisture, typed price
    (
        "44556677",
        "Teodoro Amasifuen Sangama",
        "Caserío Pucallpillo, sin parcela registrada",
        "C01",
        date(2025, 6, 12),
        CocoaForm.WET,
        Grade.UNGRADED,
        "320.5",
        "0.5",
        "52",
        "",
    ),
    (
        "20131312955",
        "Asociación de Productores Cacao Bajo Huallaga",
        "Bajo Huallaga",
        "C02",
        date(2025, 9, 18),
        CocoaForm.DRY,
        Grade.GRADE_1,
        "851.0",
        "1.0",
        "7.2",
        "9.00",
    ),
)


def _non_member_purchases(user) -> None:
    """Purchases from non-members through the clerk's service; the neighbour is paid in cash."""
    for (
        document,
        name,
        origin,
        centre,
        day,
        form,
        grade,
        gross,
        tare,
        moisture,
        price,
    ) in NON_MEMBER_PURCHASES:
        supplier = purchases.create_supplier(document=document, name=name, origin=origin, user=user)
        purchases.record_purchase(
            supplier=supplier,
            centre=CollectionCentre.objects.get(code=centre),
            date=day,
            form=form,
            grade=grade,
            gross_kg=gross,
            tare_kg=tare,
            moisture_pct=moisture,
            price_per_kg=price,
            user=user,
        )
        if len(document) == 8:
            purchases.pay_supplier(
                supplier=supplier,
                date=day,
                amount=Decimal(owed_to_supplier(supplier)) / 100,
                method=PaymentMethod.CASH,
                document=f"PAG-NS-{document}",
                user=user,
            )


# Contract prices (USD/t, FOB) around the market of each season; buyers are illustrative.
def _movements(rng, members, seasons, user) -> int:
    """An advance for some, input-credit deductions for a few, and a payment of most of what is owed."""
    count = 0
    for season in seasons:
        pay_day = min(season.ends_on, timezone.localdate())
        for member in members:
            if rng.random() < 0.15:
                record_movement(
                    member=member,
                    kind=MovementKind.ADVANCE,
                    method=PaymentMethod.CASH,
                    date=season.starts_on + timedelta(days=rng.randint(60, 120)),
                    amount=Decimal(rng.choice((100, 150, 200, 300))),
                    document=f"ADE-{season.code}-{member.code}",
                    user=user,
                )
                count += 1
            owed = owed_to_member(member, on=pay_day)
            if owed > 10_000 and rng.random() < 0.1:
                record_movement(
                    member=member,
                    kind=MovementKind.INPUT_CREDIT,
                    date=pay_day,
                    amount=Decimal(min(owed // 4, 25_000)) / 100,
                    document=f"INS-{season.code}-{member.code}",
                    note="Abono orgánico (acuerdo firmado)",
                    user=user,
                )
                count += 1
                owed = owed_to_member(member, on=pay_day)
            if owed > 0 and rng.random() < 0.9:
                paid = owed if season is not seasons[-1] else owed * rng.choice((50, 70, 80)) // 100
                method = rng.choices(list(PaymentMethod.values), weights=(40, 35, 25))[0]
                record_movement(
                    member=member,
                    kind=MovementKind.PAYMENT,
                    method=method,
                    date=pay_day,
                    amount=Decimal(paid) / 100,
                    document=f"PAG-{season.code}-{member.code}",
                    user=user,
                )
                count += 1
    return count
