"""Reads of collection: pricing a delivery as the clerk types it, a member's season totals and
yield capacity, a member's season of deliveries beside their account, the internal-control page's
flagged deliveries, lot totals and a season's deliveries summed for its reports.

The clerk's page, the import and the demo all price through ``quote_delivery`` (what the clerk
sees before saving); acopio.services.record_delivery saves the same figures.
"""

import uuid
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Case, Count, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from acopio.forms import parse_kg, parse_moisture
from acopio.models import CocoaForm, CollectionCentre, Delivery, DeliveryStatus, Grade, PriceRow, Supplier
from acopio.pricing import capacity_g, claim_for, dry_equivalent_g, purchase_amount_minor
from coop.models import Certification, Member, MemberStatus, Plot, Season
from coop.wording import member_status_word
from ledger import chart, sql
from ledger.member_accounts import owed_to_member
from ledger.models import Account, Currency, JournalLine, MemberMovement, MovementKind
from toolkit.numbers import number_from_cell, shown_decimal

WET_GRADES = frozenset({Grade.UNGRADED})
DRY_GRADES = frozenset({Grade.GRADE_1, Grade.GRADE_2, Grade.SUBSTANDARD})
CLOSED_MEMBER_STATUSES = frozenset({MemberStatus.WITHDRAWN, MemberStatus.DECEASED})


@dataclass(frozen=True)
class DeliveryQuote:
    """The figures of a delivery as the receipt will show them."""

    season: Season
    certification: str
    gross_g: int
    tare_g: int
    net_g: int
    dry_g: int
    price_row: PriceRow
    amount_minor: int
    season_dry_g_before: int
    yield_capacity_g: int

    @property
    def yield_flag(self) -> bool:
        return self.season_dry_g_before + self.dry_g > self.yield_capacity_g

    @property
    def price_per_kg(self) -> Decimal:
        return self.price_row.price_per_kg

    @property
    def certification_label(self) -> str:
        return Certification(self.certification).label


@dataclass(frozen=True)
class DeliveryDraft:
    """A checked and priced delivery (from a member) or purchase (from a ``supplier``), not yet
    numbered nor written: what acopio.services writes, one (the clerk) or many (the import) at a time.
    """

    centre: CollectionCentre
    date: Date
    form: str
    grade: str
    moisture_pct: Decimal
    quote: "DeliveryQuote | PurchaseQuote"
    member: Member | None = None
    plot: Plot | None = None
    supplier: Supplier | None = None
    origin: str = ""
    external_ref: str | None = None
    submission_token: uuid.UUID | None = None
    replaces: Delivery | None = None


# --- Pricing a delivery ----------------------------------------------------------


def yield_capacity_g(*, member: Member, season: Season) -> int:
    return capacity_g(Lookups().plots(member), season)


def season_dry_g(*, member: Member, season: Season) -> int:
    total = (
        Delivery.objects.valid().filter(member=member, season=season).aggregate(total=Sum("dry_g"))["total"]
    )
    return int(total or 0)


PRICING_PLOT_FIELDS = (
    "member_id",
    "code",
    "cocoa_producing_ha",
    "fairtrade_certified",
    "fairtrade_since",
    "organic_stage",
    "organic_certified_on",
)


class Lookups:
    """What pricing reads from the database, one query at a time (the clerk's page).

    The import subclasses it with everything preloaded, so both price a row the same way.
    """

    def season_on(self, day: Date) -> Season | None:
        return Season.on(day)

    def price(self, *, on: Date, form: str, grade: str, certification: str) -> PriceRow | None:
        return PriceRow.objects.in_force(on=on, form=form, grade=grade, certification=certification)

    def plots(self, member: Member) -> list[Plot]:
        # Only what claims and yields need: a plot's geometry can be many kilobytes.
        return list(member.plots.only(*PRICING_PLOT_FIELDS))

    def season_dry_g(self, member: Member, season: Season) -> int:
        return season_dry_g(member=member, season=season)


class DeliveryLookups(Lookups):
    """One delivery's reads in two statements instead of six (the clerk's page posts one at a time).

    The member's plots are read first. From the claim they give, one statement then reads the
    season of the date, the price row in force, the member's valid dry total in that season,
    whether a resent form already recorded its delivery and the two accounts the purchase
    posts to. quote_delivery asks its questions as usual; a question about anything else
    (another date, claim or member) gets its own query.
    """

    def __init__(
        self,
        *,
        member: Member | None,
        plot: Plot | None,
        date: Date | None,
        form: str,
        grade: str,
        submission_token: uuid.UUID | None = None,
    ):
        self.member, self.plot, self.date, self.form, self.grade = member, plot, date, form, grade
        self.submission_token = submission_token
        self._plots: list[Plot] | None = None
        self._read: _DeliveryContext | None = None

    def _context(self) -> "_DeliveryContext | None":
        if self.member is None or self.date is None:
            return None
        if self._read is None:
            claim = claim_for(plot=self.plot, member_plots=self.plots(self.member), on=self.date)
            self._read = _read_delivery_context(
                member=self.member,
                day=self.date,
                form=self.form,
                grade=self.grade,
                claim=claim,
                submission_token=self.submission_token,
            )
        return self._read

    def delivery_sent_before(self) -> Delivery | None:
        """The delivery an earlier submission of the same form recorded, if any."""
        context = self._context()
        if context is None:
            return Delivery.objects.filter(submission_token=self.submission_token).order_by().first()
        return Delivery.objects.get(pk=context.existing_id) if context.existing_id else None

    def purchase_accounts(self) -> tuple[Account, Account]:
        """Cocoa inventory and the member's account, as chart.purchase_accounts gives them."""
        context = self._context()
        if context is None:
            return chart.purchase_accounts(self.member)
        return (
            context.inventory or chart.account(chart.COCOA_INVENTORY),
            context.member_account or chart.member_account(self.member),
        )

    def season_on(self, day: Date) -> Season | None:
        if day != self.date or (context := self._context()) is None:
            return super().season_on(day)
        return context.season

    def price(self, *, on: Date, form: str, grade: str, certification: str) -> PriceRow | None:
        context = self._context()
        if context is None or (on, form, grade, certification) != (
            self.date,
            self.form,
            self.grade,
            context.claim,
        ):
            return super().price(on=on, form=form, grade=grade, certification=certification)
        return context.price_row

    def plots(self, member: Member) -> list[Plot]:
        if self.member is None or member.pk != self.member.pk:
            return super().plots(member)
        if self._plots is None:
            self._plots = _member_plots(member)
        return self._plots

    def season_dry_g(self, member: Member, season: Season) -> int:
        context = self._context()
        if (
            context is None
            or context.season is None
            or member.pk != self.member.pk
            or season.pk != context.season.pk
        ):
            return super().season_dry_g(member, season)
        return context.season_dry_g


def _member_plots(member: Member) -> list[Plot]:
    """Lookups.plots by hand (see ledger.sql): the same fields, the same order."""
    connection = sql.connection_for(Plot)
    fields, statement = _member_plots_sql(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(statement, [member.pk])
        return [sql.from_row(Plot, row, connection, fields) for row in cursor.fetchall()]


@cache
def _member_plots_sql(alias: str) -> tuple[tuple, str]:
    fields = (Plot._meta.pk, *(Plot._meta.get_field(name) for name in PRICING_PLOT_FIELDS))
    columns = sql.columns(connections[alias], fields)
    return fields, f"SELECT {columns} FROM coop_plot WHERE member_id = %s ORDER BY code"  # noqa: S608


@dataclass(frozen=True)
class _DeliveryContext:
    claim: str
    existing_id: int | None
    season: Season | None
    season_dry_g: int
    price_row: PriceRow | None
    inventory: Account | None
    member_account: Account | None


# Raw SQL because the ORM cannot put these in one statement. The conditions are those of
# Delivery.objects.filter(submission_token=...), season_dry_g, Season.on,
# PriceRow.objects.in_force and chart.purchase_accounts; a one-row base keeps the row when
# there is no season, no price or no account yet.
_DELIVERY_CONTEXT_SQL = """
SELECT (SELECT d.id FROM coop_delivery d WHERE d.submission_token = %(token)s),
       (SELECT COALESCE(SUM(d.dry_g), 0) FROM coop_delivery d
         WHERE d.member_id = %(member)s AND d.season_id = s.id AND d.status = %(valid)s),
       {s}, {p}, {inventory}, {own}
  FROM (SELECT 1 AS one) base
  LEFT JOIN coop_season s ON s.id = (
       SELECT id FROM coop_season WHERE starts_on <= %(day)s AND ends_on >= %(day)s
        ORDER BY starts_on DESC LIMIT 1)
  LEFT JOIN coop_pricerow p ON p.id = (
       SELECT id FROM coop_pricerow
        WHERE form = %(form)s AND grade = %(grade)s AND certification = %(claim)s AND valid_from <= %(day)s
        ORDER BY valid_from DESC LIMIT 1)
  LEFT JOIN ledger_account inventory ON inventory.code = %(inventory_code)s
  LEFT JOIN ledger_account own ON own.member_id = %(member)s AND own.currency = %(soles)s
"""
# The models read after the two scalars, in the statement's order.
_CONTEXT_MODELS = {"s": Season, "p": PriceRow, "inventory": Account, "own": Account}


@cache
def _delivery_context_sql(alias: str) -> str:
    connection = connections[alias]
    return _DELIVERY_CONTEXT_SQL.format(
        **{
            table: sql.columns(connection, model._meta.concrete_fields, table)
            for table, model in _CONTEXT_MODELS.items()
        }
    )


def _read_delivery_context(
    *, member: Member, day: Date, form: str, grade: str, claim: str, submission_token: uuid.UUID | None
) -> _DeliveryContext:
    connection = sql.connection_for(Delivery)
    token_field = Delivery._meta.get_field("submission_token")
    with connection.cursor() as cursor:
        cursor.execute(
            _delivery_context_sql(connection.alias),
            {
                "token": token_field.get_db_prep_value(submission_token, connection),
                "member": member.pk,
                "valid": str(DeliveryStatus.VALID),
                "day": connection.ops.adapt_datefield_value(day),
                "form": str(form),
                "grade": str(grade),
                "claim": str(claim),
                "inventory_code": chart.COCOA_INVENTORY,
                "soles": str(Currency.PEN),
            },
        )
        row = cursor.fetchone()
    found, start = {}, 2
    for table, model in _CONTEXT_MODELS.items():
        values = row[start : start + len(model._meta.concrete_fields)]
        start += len(values)
        # A missing row (LEFT JOIN) comes back as NULLs, its primary key among them.
        found[table] = sql.from_row(model, values, connection) if values[0] is not None else None
    return _DeliveryContext(
        claim=claim,
        existing_id=row[0],
        season_dry_g=int(row[1]),
        season=found["s"],
        price_row=found["p"],
        inventory=found["inventory"],
        member_account=found["own"],
    )


def _check_weighing(*, centre, date, form, grade, gross_kg, tare_kg, moisture_pct, lookups, errors):
    """What every purchase at the scale checks, from a member or not: centre, date and season, form
    and grade, weights and moisture. Adds to ``errors`` by field; (season, gross g, tare g, moisture)."""
    if centre is None:
        errors["centre"] = _("Elija el centro de acopio.")
    elif not centre.active:
        errors["centre"] = _("El centro %(centre)s está inactivo.") % {"centre": centre}
    season = None
    if date is None:
        errors["date"] = _("Indique la fecha.")
    elif date > timezone.localdate():
        errors["date"] = _("La fecha no puede estar en el futuro.")
    else:
        season = lookups.season_on(date)
        if season is None:
            errors["date"] = _("No hay campaña registrada que incluya el %(date)s.") % {
                "date": date.strftime("%d/%m/%Y")
            }
    if form not in CocoaForm.values:
        errors["form"] = _("Elija la forma: en baba o seco.")
    elif grade not in (WET_GRADES if form == CocoaForm.WET else DRY_GRADES):
        allowed = " / ".join(
            str(Grade(g).label) for g in sorted(WET_GRADES if form == CocoaForm.WET else DRY_GRADES)
        )
        errors["grade"] = _("Para cacao %(form)s el grado es: %(grades)s.") % {
            "form": CocoaForm(form).label.lower(),
            "grades": allowed,
        }
    gross_g = parse_kg(gross_kg, "gross_kg", errors)
    tare_g = parse_kg(tare_kg, "tare_kg", errors)
    moisture = parse_moisture(moisture_pct, errors)
    if gross_g is not None and tare_g is not None and tare_g >= gross_g:
        errors["tare_kg"] = _("La tara debe ser menor que el peso bruto.")
    return season, gross_g, tare_g, moisture


def quote_delivery(
    *,
    member: Member | None,
    plot: Plot | None,
    centre: CollectionCentre | None,
    date: Date | None,
    form: str,
    grade: str,
    gross_kg,
    tare_kg,
    moisture_pct,
    lookups: Lookups | None = None,
) -> tuple[DeliveryQuote | None, Decimal | None, dict[str, str]]:
    """Check what the clerk typed and price it: (quote, moisture, errors by field)."""
    lookups = lookups or Lookups()
    errors: dict[str, str] = {}
    if member is None:
        errors["member"] = _("Busque y elija al socio.")
    elif member.status in CLOSED_MEMBER_STATUSES:
        errors["member"] = _("%(member)s está %(status)s: no puede entregar.") % {
            "member": member.name,
            "status": member_status_word(member).lower(),
        }
    if plot is not None and member is not None and plot.member_id != member.pk:
        errors["plot"] = _("La parcela %(plot)s no es de %(member)s.") % {
            "plot": plot.code,
            "member": member.name,
        }
    season, gross_g, tare_g, moisture = _check_weighing(
        centre=centre,
        date=date,
        form=form,
        grade=grade,
        gross_kg=gross_kg,
        tare_kg=tare_kg,
        moisture_pct=moisture_pct,
        lookups=lookups,
        errors=errors,
    )
    if errors:
        return None, moisture, errors

    member_plots = lookups.plots(member)
    certification = claim_for(plot=plot, member_plots=member_plots, on=date)
    price_row = lookups.price(on=date, form=form, grade=grade, certification=certification)
    if price_row is None:
        errors["grade"] = _(
            "No hay precio vigente al %(date)s para cacao %(form)s, %(grade)s, %(certification)s: "
            "pida a la administración que lo registre."
        ) % {
            "date": date.strftime("%d/%m/%Y"),
            "form": CocoaForm(form).label.lower(),
            "grade": Grade(grade).label,
            "certification": Certification(certification).label,
        }
        return None, moisture, errors
    net_g = gross_g - tare_g
    amount_minor = purchase_amount_minor(net_g=net_g, price_per_kg=price_row.price_per_kg)
    if amount_minor <= 0:
        # A receipt for S/ 0.00 pays nothing and its ledger entry would have no amount.
        errors["gross_kg"] = _(
            "%(net)s kg netos a S/ %(price)s el kg dan menos de un céntimo: revise el peso bruto y la tara."
        ) % {"net": shown_decimal(Decimal(net_g) / 1000), "price": price_row.price_per_kg}
        return None, moisture, errors
    quote = DeliveryQuote(
        season=season,
        certification=certification,
        gross_g=gross_g,
        tare_g=tare_g,
        net_g=net_g,
        dry_g=dry_equivalent_g(net_g=net_g, form=form, season=season),
        price_row=price_row,
        amount_minor=amount_minor,
        season_dry_g_before=lookups.season_dry_g(member, season),
        yield_capacity_g=capacity_g(member_plots, season),
    )
    return quote, moisture, errors


# --- Pricing a purchase from a non-member ---------------------------------------------


@dataclass(frozen=True)
class PurchaseQuote:
    """The figures of a purchase from a non-member as its receipt will show them: conventional cocoa,
    priced from the list (conventional row) or at the price the clerk typed."""

    season: Season
    gross_g: int
    tare_g: int
    net_g: int
    dry_g: int
    price_row: PriceRow | None
    price_per_kg: Decimal
    amount_minor: int
    certification: str = Certification.CONVENTIONAL
    yield_flag: bool = False  # a non-member has no plots to yield from

    @property
    def certification_label(self) -> str:
        return Certification(self.certification).label


def parse_price_per_kg(value, errors: dict) -> Decimal | None:
    """A price per kg in soles typed by the clerk, read by the one number parser; None when left empty."""
    if value is None or not str(value).strip():
        return None
    try:
        price = number_from_cell(value, max_decimals=2, currency="PEN", max_digits=4)
    except ValidationError as exc:
        errors["price_per_kg"] = _("Precio por kg: %(problem)s") % {"problem": exc.messages[0]}
        return None
    if price <= 0:
        errors["price_per_kg"] = _("Precio por kg: debe ser mayor que cero.")
        return None
    return price


def quote_purchase(
    *,
    supplier: Supplier | None,
    member: Member | None = None,
    centre: CollectionCentre | None,
    date: Date | None,
    form: str,
    grade: str,
    gross_kg,
    tare_kg,
    moisture_pct,
    price_per_kg=None,
    lookups: Lookups | None = None,
) -> tuple[PurchaseQuote | None, Decimal | None, dict[str, str]]:
    """Check what the clerk typed for a purchase from a non-member and price it: (quote, moisture,
    errors by field). Never a member: a purchase names a supplier only."""
    lookups = lookups or Lookups()
    errors: dict[str, str] = {}
    if member is not None:
        errors["supplier"] = _(
            "Proveedor: una compra es a un socio o a un no socio, no a los dos. %(member)s es socio: "
            "registre su entrega como socio."
        ) % {"member": member.name}
    elif supplier is None:
        errors["supplier"] = _("Busque y elija al proveedor no socio, o regístrelo.")
    season, gross_g, tare_g, moisture = _check_weighing(
        centre=centre,
        date=date,
        form=form,
        grade=grade,
        gross_kg=gross_kg,
        tare_kg=tare_kg,
        moisture_pct=moisture_pct,
        lookups=lookups,
        errors=errors,
    )
    typed_price = parse_price_per_kg(price_per_kg, errors)
    if errors:
        return None, moisture, errors
    price_row = None
    if typed_price is None:
        price_row = lookups.price(on=date, form=form, grade=grade, certification=Certification.CONVENTIONAL)
        if price_row is None:
            errors["price_per_kg"] = _(
                "No hay precio vigente al %(date)s para cacao %(form)s, %(grade)s, convencional: "
                "escriba el precio por kg o pida a la administración que lo registre."
            ) % {
                "date": date.strftime("%d/%m/%Y"),
                "form": CocoaForm(form).label.lower(),
                "grade": Grade(grade).label,
            }
            return None, moisture, errors
    price = typed_price if typed_price is not None else price_row.price_per_kg
    net_g = gross_g - tare_g
    amount_minor = purchase_amount_minor(net_g=net_g, price_per_kg=price)
    if amount_minor <= 0:
        errors["gross_kg"] = _(
            "%(net)s kg netos a S/ %(price)s el kg dan menos de un céntimo: revise el peso bruto y la tara."
        ) % {"net": shown_decimal(Decimal(net_g) / 1000), "price": price}
        return None, moisture, errors
    quote = PurchaseQuote(
        season=season,
        gross_g=gross_g,
        tare_g=tare_g,
        net_g=net_g,
        dry_g=dry_equivalent_g(net_g=net_g, form=form, season=season),
        price_row=price_row,
        price_per_kg=price,
        amount_minor=amount_minor,
    )
    return quote, moisture, errors


def owed_to_supplier(supplier: Supplier) -> int:
    """Céntimos the cooperative owes the supplier, from the ledger (credit minus debit of its account)."""
    total = JournalLine.objects.filter(account_id=supplier.account_id).aggregate(total=Sum("amount"))["total"]
    return -int(total or 0)


def owed_to_suppliers(suppliers: list[Supplier]) -> dict[int, int]:
    """What the cooperative owes each supplier of a page, by supplier id, in one query."""
    by_account = {s.account_id: s.pk for s in suppliers}
    rows = (
        JournalLine.objects.filter(account_id__in=by_account)
        .values_list("account_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {by_account[account_id]: -int(total or 0) for account_id, total in rows}


def supplier_entries(supplier: Supplier) -> list:
    """The supplier's account lines, newest first, with their entries: purchases, reversals, payments."""
    return list(
        JournalLine.objects.filter(account_id=supplier.account_id)
        .select_related("entry")
        .order_by("-entry__number")[:200]
    )


# --- The delivery list ----------------------------------------------------------------


def delivery_list(*, season: Season | None, centre_code: str, status: str, query: str, non_members: bool):
    """The delivery list's rows, newest first (its index), narrowed by what the page asks: a season,
    a centre, a status, a receipt («C01-000123»), a member (name, code, DNI) or, with ``non_members``,
    only purchases from non-members, searched by supplier name."""
    deliveries = Delivery.objects.select_related("member", "supplier", "centre", "plot")
    if season is not None:
        deliveries = deliveries.filter(season=season)
    if centre_code:
        deliveries = deliveries.filter(centre__code=centre_code)
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    if query:
        series, _dash, number = query.upper().partition("-")
        if number.isdigit():
            deliveries = deliveries.filter(receipt_series=series, receipt_number=int(number))
        elif non_members:
            deliveries = deliveries.filter(supplier__in=Supplier.objects.filter(name__icontains=query))
        else:
            deliveries = deliveries.filter(member__in=Member.objects.search(query))
    if non_members:
        deliveries = deliveries.filter(supplier__isnull=False)
    return deliveries


# --- A member's season -------------------------------------------------------------


@dataclass(frozen=True)
class SeasonAccount:
    season: Season | None
    deliveries: list
    movements: list
    delivered_minor: int
    paid_minor: int
    deducted_minor: int
    balance_minor: int  # all seasons, from the ledger


def season_account(*, member: Member, season: Season | None) -> SeasonAccount:
    """The season's deliveries and movements, with the balance read from the ledger itself."""
    deliveries = Delivery.objects.filter(member=member).select_related("centre", "plot")
    movements = MemberMovement.objects.filter(member=member).select_related(
        "entered_by", "entry__reversed_by"
    )
    if season is not None:
        deliveries = deliveries.filter(season=season)
        movements = movements.filter(date__gte=season.starts_on, date__lte=season.ends_on)
    deliveries, movements = list(deliveries), list(movements)
    standing = [m for m in movements if not m.is_reversed]
    paid = sum(m.amount_minor for m in standing if m.kind in (MovementKind.ADVANCE, MovementKind.PAYMENT))
    return SeasonAccount(
        season=season,
        deliveries=deliveries,
        movements=movements,
        delivered_minor=sum(d.amount_minor for d in deliveries if not d.is_void),
        paid_minor=paid,
        deducted_minor=sum(m.amount_minor for m in standing) - paid,
        balance_minor=owed_to_member(member),
    )


@dataclass
class FlaggedMember:
    """One member on the internal-control page: their season's dry total against what their plots yield."""

    member: Member
    delivered_g: int
    capacity_g: int
    deliveries: list

    @property
    def excess_g(self) -> int:
        return max(0, self.delivered_g - self.capacity_g)


def flagged_deliveries(season: Season | None):
    """The season's deliveries above the possible yield, by member, for the internal-control page."""
    return (
        Delivery.objects.flagged()
        .filter(season=season)
        .select_related("member", "centre")
        .order_by("member__code", "date", "receipt_number")
    )


def flagged_by_member(deliveries, season: Season) -> list[FlaggedMember]:
    """A page of flagged deliveries grouped by member, with each member's valid dry total in the season
    and the capacity of their plots: two queries for the whole page, whatever its size."""
    rows: dict[int, FlaggedMember] = {}
    for delivery in deliveries:
        if delivery.member_id not in rows:
            rows[delivery.member_id] = FlaggedMember(delivery.member, 0, 0, [])
        rows[delivery.member_id].deliveries.append(delivery)
    if not rows:
        return []
    delivered = (
        Delivery.objects.valid()
        .filter(season=season, member_id__in=rows)
        .values("member_id")
        .annotate(total=Sum("dry_g"))
        .order_by()
    )
    for row in delivered:
        rows[row["member_id"]].delivered_g = int(row["total"] or 0)
    plots: dict[int, list[Plot]] = {pk: [] for pk in rows}
    for plot in Plot.objects.filter(member_id__in=rows).only("member_id", "cocoa_producing_ha"):
        plots[plot.member_id].append(plot)
    for pk, row in rows.items():
        row.capacity_g = capacity_g(plots[pk], season)  # the clerk's page's rule, summed in Python
    return list(rows.values())


@dataclass(frozen=True)
class LotTotals:
    deliveries: int
    dry_g: int


def lot_totals(lots) -> dict[int, LotTotals]:
    """Deliveries and dry grams of the given lots (a page of them), from one index-only aggregate."""
    ids = [lot.pk for lot in lots]
    totals = {pk: LotTotals(0, 0) for pk in ids}
    rows = (
        Delivery.objects.filter(lot_id__in=ids)
        .values("lot_id")
        .annotate(n=Count("id"), dry_g=Sum("dry_g"))
        .order_by()
    )
    for row in rows:
        totals[row["lot_id"]] = LotTotals(row["n"], int(row["dry_g"] or 0))
    return totals


@dataclass(frozen=True)
class DeliveryGroup:
    """Deliveries of one centre, certification, status and yield flag in a season, added up."""

    centre_id: int
    certification: str
    status: str
    yield_flag: bool
    count: int
    dry_g: int
    net_g: int
    amount_minor: int
    non_member: bool = False  # purchases from non-members: never certified input


@dataclass(frozen=True)
class SeasonDeliveries:
    """A season's deliveries in two passes: every sum the season's reports show, and distinct members."""

    groups: list[DeliveryGroup]
    members_delivering: int  # with a valid delivery
    flagged_members: int  # with a valid delivery over the possible yield

    def valid(self) -> list[DeliveryGroup]:
        return [g for g in self.groups if g.status == DeliveryStatus.VALID]

    def voided(self) -> int:
        return sum(g.count for g in self.groups if g.status != DeliveryStatus.VALID)

    def flagged(self) -> int:
        return sum(g.count for g in self.valid() if g.yield_flag)

    def valid_dry_g_by_certification(self) -> dict[str, int]:
        """Members' valid dry grams by certification: the mass balance's input (never non-members')."""
        totals: dict[str, int] = {}
        for g in self.valid():
            if g.non_member:
                continue
            totals[g.certification] = totals.get(g.certification, 0) + g.dry_g
        return totals


def season_deliveries(season: Season) -> SeasonDeliveries:
    """Sums by centre, certification, status, yield flag and member or not (one pass over the season's
    deliveries),
    then the members with valid deliveries and those flagged among them (a second pass)."""
    groups = [
        DeliveryGroup(
            centre_id=row["centre_id"],
            certification=row["certification"],
            status=row["status"],
            yield_flag=row["yield_flag"],
            count=row["n"],
            dry_g=int(row["dry"] or 0),
            net_g=int(row["net"] or 0),
            amount_minor=int(row["amount"] or 0),
            non_member=bool(row["non_member"]),
        )
        for row in Delivery.objects.filter(season=season)
        .annotate(non_member=Case(When(supplier__isnull=False, then=Value(1)), default=Value(0)))
        .values("centre_id", "certification", "status", "yield_flag", "non_member")
        .annotate(n=Count("id"), dry=Sum("dry_g"), net=Sum("net_g"), amount=Sum("amount_minor"))
        .order_by()
    ]
    members = (
        Delivery.objects.valid()
        .filter(season=season)
        .aggregate(
            delivering=Count("member", distinct=True),
            flagged=Count("member", distinct=True, filter=Q(yield_flag=True)),
        )
    )
    return SeasonDeliveries(groups, members["delivering"], members["flagged"])


def non_member_dry_g(season: Season) -> int:
    """Dry grams of the season's valid purchases from non-members: their own line in every report."""
    total = (
        Delivery.objects.valid()
        .filter(season=season, supplier__isnull=False)
        .aggregate(total=Sum("dry_g"))["total"]
    )
    return int(total or 0)


# --- The home page's figures ------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFigures:
    """Valid deliveries of a day and of its season (a centre's, or a clerk's, when given), added up."""

    today_count: int
    today_dry_g: int
    today_amount_minor: int
    season_count: int
    season_dry_g: int
    season_amount_minor: int


def delivery_figures(
    *, season: Season | None, today: Date, centre_id: int | None = None, recorded_by=None
) -> DeliveryFigures:
    """One query: today's and the season's valid deliveries (the season's sums are the season report's)."""
    deliveries = Delivery.objects.valid()
    if centre_id is not None:
        deliveries = deliveries.filter(centre_id=centre_id)
    if recorded_by is not None:
        deliveries = deliveries.filter(recorded_by=recorded_by)
    in_season = Q(season=season) if season is not None else Q(pk__in=[])
    on_day = Q(date=today)
    sums = deliveries.filter(in_season | on_day).aggregate(
        today_count=Count("id", filter=on_day),
        today_dry=Sum("dry_g", filter=on_day),
        today_amount=Sum("amount_minor", filter=on_day),
        season_count=Count("id", filter=in_season),
        season_dry=Sum("dry_g", filter=in_season),
        season_amount=Sum("amount_minor", filter=in_season),
    )
    return DeliveryFigures(
        today_count=sums["today_count"],
        today_dry_g=int(sums["today_dry"] or 0),
        today_amount_minor=int(sums["today_amount"] or 0),
        season_count=sums["season_count"],
        season_dry_g=int(sums["season_dry"] or 0),
        season_amount_minor=int(sums["season_amount"] or 0),
    )


@dataclass(frozen=True)
class WeekAgainstLastYear:
    """Dry grams of valid deliveries from this week's Monday to ``today``, and of the same days a year
    (52 weeks, so the same weekdays) before: the season at a glance against the last one."""

    first_day: Date
    dry_g: int
    last_year_first_day: Date
    last_year_dry_g: int

    @property
    def change_percent(self) -> int | None:
        if not self.last_year_dry_g:
            return None
        return round((self.dry_g - self.last_year_dry_g) * 100 / self.last_year_dry_g)


def week_against_last_year(today: Date) -> WeekAgainstLastYear:
    """One query over the (season, date) index's dates: this week so far and the same days 52 weeks ago."""
    monday = today - timedelta(days=today.weekday())
    year_ago = timedelta(weeks=52)
    this_week = Q(date__gte=monday, date__lte=today)
    last_year = Q(date__gte=monday - year_ago, date__lte=today - year_ago)
    sums = (
        Delivery.objects.valid()
        .filter(this_week | last_year)
        .aggregate(now=Sum("dry_g", filter=this_week), before=Sum("dry_g", filter=last_year))
    )
    return WeekAgainstLastYear(monday, int(sums["now"] or 0), monday - year_ago, int(sums["before"] or 0))


def members_over_yield(season: Season | None) -> int:
    """How many members have a delivery of the season above their plots' possible yield (the members
    the internal-control page lists), from the flag's index."""
    if season is None:
        return 0
    return Delivery.objects.flagged().filter(season=season).values("member_id").distinct().count()


def voided_since(since) -> int:
    """Receipts voided from ``since`` (an aware datetime) on."""
    return Delivery.objects.filter(status=DeliveryStatus.VOID, voided_at__gte=since).count()


def weekly_dry_g(*, season: Season, centre_id: int | None = None) -> list[tuple[Date, int]]:
    """Dry-equivalent grams of valid deliveries per week (Monday to Sunday) of the season, every week
    from the season's first to its last delivery, empty weeks as 0. One query, summed per day by the
    database and folded into weeks here, so a week is the same on SQLite and PostgreSQL."""
    deliveries = Delivery.objects.valid().filter(season=season)
    if centre_id is not None:
        deliveries = deliveries.filter(centre_id=centre_id)
    by_week: dict[Date, int] = {}
    per_day = deliveries.values("date").annotate(dry=Sum("dry_g")).values_list("date", "dry").order_by()
    for day, dry in per_day:
        monday = day - timedelta(days=day.weekday())
        by_week[monday] = by_week.get(monday, 0) + int(dry or 0)
    if not by_week:
        return []
    week, last, weeks = min(by_week), max(by_week), []
    while week <= last:
        weeks.append((week, by_week.get(week, 0)))
        week += timedelta(days=7)
    return weeks
