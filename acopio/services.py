"""Buying cocoa from members: pricing a delivery, recording it with its receipt, voiding it.

The clerk's page, the import and the demo all go through ``quote_delivery``
(what the clerk sees before saving) and ``record_delivery`` (which saves the
same figures, numbers the receipt and posts the purchase to the member's
account in one transaction).
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import F, Sum
from django.utils import timezone

from acopio.models import CocoaForm, CollectionCentre, Delivery, DeliveryStatus, Grade, PriceRow
from config.money import GRAMS_PER_KG, round_to_minor
from coop.models import Certification, Member, MemberStatus, Plot, Season
from ledger import chart, sql
from ledger.models import Account
from ledger.services import post_entry, reverse_entry

WET_GRADES = frozenset({Grade.UNGRADED})
DRY_GRADES = frozenset({Grade.GRADE_1, Grade.GRADE_2, Grade.SUBSTANDARD})
CLOSED_MEMBER_STATUSES = frozenset({MemberStatus.WITHDRAWN, MemberStatus.DECEASED})
MAX_DELIVERY_KG = Decimal("5000")


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
    def certification_label(self) -> str:
        return Certification(self.certification).label


# --- Reading what the clerk typed -------------------------------------------------


def parse_kg(value, field: str, label: str, errors: dict) -> int | None:
    """Kilograms as typed (comma or point, up to 3 decimals) in grams, or an error on ``field``."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        errors[field] = f"Indique {label}."
        return None
    try:
        kg = Decimal(text)
    except InvalidOperation:
        errors[field] = f"{label.capitalize()}: «{value}» no es un número."
        return None
    if not kg.is_finite() or kg < 0:
        errors[field] = f"{label.capitalize()} no puede ser negativo."
        return None
    grams = kg * GRAMS_PER_KG
    if grams != grams.to_integral_value():
        errors[field] = f"{label.capitalize()}: use como máximo 3 decimales (gramos)."
        return None
    if kg > MAX_DELIVERY_KG:
        errors[field] = f"{label.capitalize()}: {kg} kg es más de lo que recibe una balanza de acopio."
        return None
    return int(grams)


def parse_moisture(value, errors: dict) -> Decimal | None:
    text = str(value if value is not None else "").strip().replace(",", ".").rstrip("%").strip()
    if not text:
        errors["moisture_pct"] = "Indique la humedad (%)."
        return None
    try:
        moisture = Decimal(text)
    except InvalidOperation:
        errors["moisture_pct"] = f"Humedad: «{value}» no es un número."
        return None
    if not moisture.is_finite() or not (0 <= moisture < 100):
        errors["moisture_pct"] = "La humedad debe estar entre 0 y 99,9 %."
        return None
    if moisture != moisture.quantize(Decimal("0.1")):
        errors["moisture_pct"] = "Humedad: use como máximo un decimal."
        return None
    return moisture


# --- Pricing --------------------------------------------------------------------


def claim_for(*, plot: Plot | None, member_plots: list[Plot], on: Date) -> str:
    """The plot's claim on that date; without a plot, only what every plot of the member can claim."""
    if plot is not None:
        return plot.claim_on(on)
    if not member_plots:
        return Certification.CONVENTIONAL
    return Certification.from_flags(
        fairtrade=all(p.fairtrade_on(on) for p in member_plots),
        organic=all(p.organic_on(on) for p in member_plots),
    )


def dry_equivalent_g(*, net_g: int, form: str, season: Season) -> int:
    if form == CocoaForm.DRY:
        return net_g
    return int((Decimal(net_g) * season.wet_to_dry_factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def purchase_amount_minor(*, net_g: int, price_per_kg: Decimal) -> int:
    """Net kg × price per kg, rounded once, half up, to the céntimo."""
    return round_to_minor(Decimal(net_g) / GRAMS_PER_KG * price_per_kg)


def capacity_g(plots: list[Plot], season: Season) -> int:
    """Area in production over the member's plots × the season's maximum yield, in grams."""
    hectares = sum((p.cocoa_producing_ha or Decimal(0) for p in plots), Decimal(0))
    return int(hectares * season.max_yield_kg_per_ha * GRAMS_PER_KG)


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
  LEFT JOIN ledger_account own ON own.code = %(own_code)s
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
                "own_code": chart.member_account_code(member),
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
        errors["member"] = "Busque y elija al socio."
    elif member.status in CLOSED_MEMBER_STATUSES:
        errors["member"] = f"{member.name} está {member.get_status_display().lower()}: no puede entregar."
    if plot is not None and member is not None and plot.member_id != member.pk:
        errors["plot"] = f"La parcela {plot.code} no es de {member.name}."
    if centre is None:
        errors["centre"] = "Elija el centro de acopio."
    elif not centre.active:
        errors["centre"] = f"El centro {centre} está inactivo."
    season = None
    if date is None:
        errors["date"] = "Indique la fecha."
    elif date > timezone.localdate():
        errors["date"] = "La fecha no puede estar en el futuro."
    else:
        season = lookups.season_on(date)
        if season is None:
            errors["date"] = f"No hay campaña registrada que incluya el {date:%d/%m/%Y}."
    if form not in CocoaForm.values:
        errors["form"] = "Elija la forma: en baba o seco."
    elif grade not in (WET_GRADES if form == CocoaForm.WET else DRY_GRADES):
        allowed = " / ".join(
            str(Grade(g).label) for g in sorted(WET_GRADES if form == CocoaForm.WET else DRY_GRADES)
        )
        errors["grade"] = f"Para cacao {CocoaForm(form).label.lower()} el grado es: {allowed}."
    gross_g = parse_kg(gross_kg, "gross_kg", "el peso bruto", errors)
    tare_g = parse_kg(tare_kg, "tare_kg", "la tara", errors)
    moisture = parse_moisture(moisture_pct, errors)
    if gross_g is not None and tare_g is not None and tare_g >= gross_g:
        errors["tare_kg"] = "La tara debe ser menor que el peso bruto."
    if errors:
        return None, moisture, errors

    member_plots = lookups.plots(member)
    certification = claim_for(plot=plot, member_plots=member_plots, on=date)
    price_row = lookups.price(on=date, form=form, grade=grade, certification=certification)
    if price_row is None:
        errors["grade"] = (
            f"No hay precio vigente al {date:%d/%m/%Y} para cacao {CocoaForm(form).label.lower()}, "
            f"{Grade(grade).label}, {Certification(certification).label}: "
            "pida a la administración que lo registre."
        )
        return None, moisture, errors
    net_g = gross_g - tare_g
    quote = DeliveryQuote(
        season=season,
        certification=certification,
        gross_g=gross_g,
        tare_g=tare_g,
        net_g=net_g,
        dry_g=dry_equivalent_g(net_g=net_g, form=form, season=season),
        price_row=price_row,
        amount_minor=purchase_amount_minor(net_g=net_g, price_per_kg=price_row.price_per_kg),
        season_dry_g_before=lookups.season_dry_g(member, season),
        yield_capacity_g=capacity_g(member_plots, season),
    )
    return quote, moisture, errors


# --- Recording ------------------------------------------------------------------


@transaction.atomic
def record_delivery(
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
    user,
    submission_token: uuid.UUID | None = None,
    external_ref: str | None = None,
    replaces: Delivery | None = None,
) -> Delivery:
    """Record a delivery, number its receipt and post the purchase, or refuse and write nothing.

    A form submitted twice (same ``submission_token``) returns the delivery the
    first submission made instead of recording another.
    """
    lookups = DeliveryLookups(
        member=member, plot=plot, date=date, form=form, grade=grade, submission_token=submission_token
    )
    if centre is not None:
        centre = _take_receipt_number(centre)
    if submission_token is not None and (existing := lookups.delivery_sent_before()) is not None:
        if centre is not None:
            # Nothing new is recorded: give back the number taken above.
            CollectionCentre.objects.filter(pk=centre.pk).update(
                last_receipt_number=F("last_receipt_number") - 1
            )
        return existing
    quote, moisture, errors = quote_delivery(
        member=member,
        plot=plot,
        centre=centre,
        date=date,
        form=form,
        grade=grade,
        gross_kg=gross_kg,
        tare_kg=tare_kg,
        moisture_pct=moisture_pct,
        lookups=lookups,
    )
    if external_ref and Delivery.objects.filter(external_ref=external_ref).exists():
        errors["external_ref"] = f"La referencia externa «{external_ref}» ya fue registrada."
    if replaces is not None:
        replaces = Delivery.objects.select_for_update().get(pk=replaces.pk)
        if not replaces.is_void:
            errors["replaces"] = (
                f"El recibo {replaces.receipt_code} no está anulado: anúlelo antes de reemplazarlo."
            )
        elif Delivery.objects.filter(replaces=replaces).exists():
            errors["replaces"] = f"El recibo {replaces.receipt_code} ya fue reemplazado."
    if errors:
        raise ValidationError(errors)

    delivery = Delivery(
        receipt_series=centre.receipt_series,
        receipt_number=centre.last_receipt_number,
        centre=centre,
        season=quote.season,
        member=member,
        plot=plot,
        date=date,
        form=form,
        grade=grade,
        gross_g=quote.gross_g,
        tare_g=quote.tare_g,
        net_g=quote.net_g,
        dry_g=quote.dry_g,
        moisture_pct=moisture,
        certification=quote.certification,
        price_row=quote.price_row,
        price_per_kg=quote.price_row.price_per_kg,
        amount_minor=quote.amount_minor,
        yield_flag=quote.yield_flag,
        external_ref=external_ref or None,
        submission_token=submission_token,
        verification_key=secrets.token_urlsafe(16),
        recorded_by=user,
        replaces=replaces,
    )
    sql.insert(delivery)  # Delivery.save(), without building the query (see ledger.sql)
    post_entry(
        date=date,
        description=purchase_description(delivery),
        source_key=delivery.source_key,
        lines=purchase_lines(delivery, lookups.purchase_accounts()),
        user=user,
        accounts_read=True,
    )
    return delivery


_TAKE_RECEIPT_NUMBER_SQL = """
UPDATE coop_collectioncentre SET last_receipt_number = last_receipt_number + 1 WHERE id = %s
RETURNING {columns}
"""


@cache
def _take_receipt_number_sql(alias: str) -> str:
    columns = sql.columns(connections[alias], CollectionCentre._meta.concrete_fields)
    return _TAKE_RECEIPT_NUMBER_SQL.format(columns=columns)


def _take_receipt_number(centre: CollectionCentre) -> CollectionCentre:
    """Lock the centre's row and take its next receipt number, in one statement.

    The row lock serialises receipt numbering and the resent-form check. A refused delivery
    rolls back its transaction (or savepoint), and the number with it: receipts stay gapless.
    """
    connection = sql.connection_for(CollectionCentre)
    with connection.cursor() as cursor:
        cursor.execute(_take_receipt_number_sql(connection.alias), [centre.pk])
        row = cursor.fetchone()
    if row is None:
        raise CollectionCentre.DoesNotExist(f"No collection centre {centre.pk}.")
    return sql.from_row(CollectionCentre, row, connection)


def purchase_description(delivery: Delivery) -> str:
    return (
        f"Compra de cacao, recibo {delivery.receipt_code}, socio {delivery.member.code}, "
        f"{delivery.net_g / GRAMS_PER_KG:.3f} kg {delivery.get_form_display().lower()}"
    )


def purchase_lines(delivery: Delivery, accounts: tuple[Account, Account] | None = None) -> list:
    """Cocoa comes in at its price; the cooperative owes that to the member.

    ``accounts``: cocoa inventory and the member's account when the caller has read them.
    """
    inventory, member_account = accounts or chart.purchase_accounts(delivery.member)
    return [(inventory, delivery.amount_minor), (member_account, -delivery.amount_minor)]


@transaction.atomic
def void_delivery(*, delivery: Delivery, reason: str, user, on: Date | None = None) -> Delivery:
    """Void a delivery: it keeps its number, is marked void, and its purchase entry is reversed."""
    from ledger.models import JournalEntry

    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.is_void:
        raise ValidationError({"reason": f"El recibo {delivery.receipt_code} ya está anulado."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indique el motivo de la anulación."})
    entry = JournalEntry.objects.get(source_key=delivery.source_key)
    reverse_entry(
        entry=entry,
        date=on or timezone.localdate(),
        reason=f"anulación del recibo {delivery.receipt_code}: {reason}",
        user=user,
    )
    delivery.status = DeliveryStatus.VOID
    delivery.void_reason = reason[:300]
    delivery.voided_at = timezone.now()
    delivery.voided_by = user
    delivery.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
    return delivery
