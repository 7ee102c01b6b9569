"""Participation by sex and age band, from the records Minka already audits (issue 20).

Every figure of the inclusion page, its export and the season report's section is read here, by a
handful of GROUP BY queries: the member's sex and age band are computed in SQL (``band_sql``) and
grouped together with the facts (members, plots, deliveries, premium shares, assembly roll and
attendance), so no query runs per member.

The age rule: a member's age is counted on the **first day of the period** (the season's start, or the
range's first day), in whole years from the birth date; without one, from the declared age plus the
whole years since it was declared. Whoever has a birthday during the season stays in the band they
were in on its first day, for every figure. The page says so.

Attendance is read from the assemblies' roll and their ``Presence`` rows (present in person, present
in virtual form from home, represented by a proxy): who was there, never how anyone voted.
"""

from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acopio.models import Delivery, DeliveryStatus
from assemblies.models import Assembly, Office, PresenceKind, RollEntry
from certification.models import AgeBand
from coop.models import Member, MemberStatus, MemberStatusChange, Plot, Season, Sex
from fund.models import DistributionShare, SpendingKind, SpendingStatus

# Bands used until the cooperative sets its own: under 30, 30 to 59, 60 and over.
DEFAULT_BANDS = ((0, 29), (30, 59), (60, None))
# Group keys beside the bands' own indexes 0, 1, 2…
OUTSIDE = -1  # an age no band covers (a gap between bands)
UNKNOWN_AGE = -2  # no birth date and no declared age
UNKNOWN_SEX = ""
SEXES = (Sex.FEMALE, Sex.MALE, UNKNOWN_SEX)


@dataclass(frozen=True)
class Band:
    min_age: int
    max_age: int | None

    @property
    def label(self) -> str:
        if self.max_age is None:
            return _("%(age)s años y más") % {"age": self.min_age}
        if self.min_age == 0:
            return _("menores de %(age)s años") % {"age": self.max_age + 1}
        return _("%(low)s a %(high)s años") % {"low": self.min_age, "high": self.max_age}

    def __str__(self):
        return self.label

    def covers(self, age: int) -> bool:
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)


def age_bands() -> list[Band]:
    """The cooperative's bands, youngest first (the defaults while none are set)."""
    rows = list(AgeBand.objects.order_by("min_age").values_list("min_age", "max_age"))
    return [Band(low, high) for low, high in (rows or DEFAULT_BANDS)]


def age_in_years(born: Date, on: Date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def years_before(day: Date, years: int) -> Date:
    """The day ``years`` years before ``day`` (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def band_sql(on: Date, bands: list[Band]) -> tuple[str, list]:
    """The SQL ``CASE`` giving the band index of the member row ``coop_member`` on ``on`` (OUTSIDE,
    UNKNOWN_AGE), and its parameters.

    With a birth date: age >= n exactly when the birth date is on or before the day n years before
    ``on``, so the band is two comparisons with fixed dates. Without one, the declared age plus the
    whole years since it was declared (a date function on those rows only). Written as SQL once:
    built from Django expressions, the ``CASE`` cost more to compile than the queries cost to run.
    """
    q = connection.ops.quote_name
    table = q(Member._meta.db_table)
    born, declared, declared_on = (
        f"{table}.{q(name)}" for name in ("birth_date", "declared_age", "declared_age_on")
    )
    month_day = on.strftime("%m-%d")
    if connection.vendor == "postgresql":
        elapsed = (
            f"({on.year} - CAST(EXTRACT(YEAR FROM {declared_on}) AS INTEGER)"
            f" - CASE WHEN to_char({declared_on}, 'MM-DD') > %s THEN 1 ELSE 0 END)"
        )
    else:
        elapsed = (
            f"({on.year} - CAST(strftime('%%Y', {declared_on}) AS INTEGER)"
            f" - CASE WHEN strftime('%%m-%%d', {declared_on}) > %s THEN 1 ELSE 0 END)"
        )
    age = f"({declared} + CASE WHEN {declared_on} IS NULL THEN 0 ELSE {elapsed} END)"
    sql = [f"CASE WHEN {born} IS NULL AND {declared} IS NULL THEN {UNKNOWN_AGE}"]
    params: list = []
    for index, band in enumerate(bands):
        if band.max_age is None:
            sql.append(f"WHEN {born} <= %s THEN {index}")
            params.append(years_before(on, band.min_age))
        else:
            sql.append(f"WHEN {born} <= %s AND {born} > %s THEN {index}")
            params += [years_before(on, band.min_age), years_before(on, band.max_age + 1)]
    sql.append(f"WHEN {born} IS NOT NULL THEN {OUTSIDE}")
    for index, band in enumerate(bands):
        upper = "" if band.max_age is None else f" AND {age} <= {int(band.max_age)}"
        sql.append(f"WHEN {age} >= {int(band.min_age)}{upper} THEN {index}")
        params += [month_day] * (1 if band.max_age is None else 2)
    sql.append(f"ELSE {OUTSIDE} END")
    return " ".join(sql), params


def with_group(queryset, period: "Period", bands: list[Band], prefix: str = ""):
    """``queryset`` with ``inclusion_sex`` and ``inclusion_band`` of its member (reached by ``prefix``,
    whose join the sex brings in; the band's SQL names the member table)."""
    sql, params = band_sql(period.start, bands)
    return queryset.annotate(
        inclusion_sex=F(f"{prefix}sex"),
        # Column names and whole numbers only; every date and text travels as a parameter.
        inclusion_band=RawSQL(sql, params, output_field=IntegerField()),  # noqa: S611
    )


def member_age(member: Member, on: Date) -> int | None:
    """The age ``band_sql`` reads, for one member (the lists show it)."""
    if member.birth_date:
        return age_in_years(member.birth_date, on)
    if member.declared_age is None:
        return None
    if member.declared_age_on:
        return member.declared_age + age_in_years(member.declared_age_on, on)
    return member.declared_age


# --- The period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: Date
    end: Date
    season: Season | None = None

    @property
    def label(self) -> str:
        if self.season is not None:
            return self.season.name
        return _("del %(start)s al %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }

    def previous(self) -> "Period | None":
        """The season before, or for a range the same days a year earlier."""
        if self.season is not None:
            before = Season.objects.filter(starts_on__lt=self.season.starts_on).order_by("-starts_on").first()
            return None if before is None else Period(before.starts_on, before.ends_on, before)
        return Period(years_before(self.start, 1), years_before(self.end, 1))


def season_period(season: Season) -> Period:
    return Period(season.starts_on, season.ends_on, season)


# --- What counts for each figure ---------------------------------------------------------------


def _status_on(day: Date):
    """A member's status on ``day`` from the status history (as the assemblies' roll reads it)."""
    later_change = MemberStatusChange.objects.filter(member=OuterRef("pk"), effective_date__gt=day)
    status_then = Subquery(
        MemberStatusChange.objects.filter(member=OuterRef("pk"), effective_date__lte=day)
        .order_by("-effective_date", "-id")
        .values("status")[:1]
    )
    return Coalesce(
        status_then,
        Case(When(Exists(later_change), then=Value(MemberStatus.ACTIVE)), default=F("status")),
    )


def _registered_by(day: Date) -> Q:
    """A member on ``day``: joined by then (without a join date, registered in Minka by then)."""
    return Q(join_date__lte=day) | Q(join_date__isnull=True, created_at__date__lte=day)


def active_members(period: Period):
    """Members active on the period's last day."""
    return (
        Member.objects.filter(_registered_by(period.end))
        .annotate(inclusion_status=_status_on(period.end))
        .filter(inclusion_status=MemberStatus.ACTIVE)
    )


def _status_change_in(period: Period, status: str):
    return Exists(
        MemberStatusChange.objects.filter(
            member=OuterRef("pk"),
            status=status,
            effective_date__gte=period.start,
            effective_date__lte=period.end,
        )
    )


def valid_deliveries(period: Period):
    found = Delivery.objects.filter(status=DeliveryStatus.VALID)
    if period.season is not None:
        return found.filter(season=period.season)
    return found.filter(date__gte=period.start, date__lte=period.end)


def premium_shares(period: Period):
    """Cash premium paid to members: shares of distributions approved and posted (not reversed)."""
    found = DistributionShare.objects.filter(
        spending__kind=SpendingKind.DISTRIBUTION, spending__status=SpendingStatus.PAID
    )
    if period.season is not None:
        return found.filter(spending__season=period.season)
    return found.filter(spending__document_date__gte=period.start, spending__document_date__lte=period.end)


def held_assemblies(period: Period):
    """Assemblies whose session opened, first called within the period."""
    return Assembly.objects.filter(
        opened_at__isnull=False,
        first_call_at__date__gte=period.start,
        first_call_at__date__lte=period.end,
    )


# --- The figures -------------------------------------------------------------------------------

COUNT, KG, MONEY, HECTARES, PERCENT = "count", "kg", "money", "ha", "percent"


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: object  # lazy text
    kind: str
    section: object
    ratio_of: tuple[tuple[str, ...], str] | None = None  # (numerators, denominator) for a percent


SECTION_MEMBERS = gettext_lazy("Socios")
SECTION_LAND = gettext_lazy("Tierra")
SECTION_DELIVERIES = gettext_lazy("Entregas y pagos")
SECTION_PREMIUM = gettext_lazy("Prima en efectivo")
SECTION_ASSEMBLIES = gettext_lazy("Asambleas")

FIGURES = (
    FigureSpec("activos", gettext_lazy("Socios activos al cierre"), COUNT, SECTION_MEMBERS),
    FigureSpec("nuevos", gettext_lazy("Socios nuevos (ingreso en el periodo)"), COUNT, SECTION_MEMBERS),
    FigureSpec("retirados", gettext_lazy("Retiros en el periodo"), COUNT, SECTION_MEMBERS),
    FigureSpec("fallecidos", gettext_lazy("Fallecimientos en el periodo"), COUNT, SECTION_MEMBERS),
    FigureSpec("parcelas", gettext_lazy("Parcelas de los socios activos"), COUNT, SECTION_LAND),
    FigureSpec("hectareas", gettext_lazy("Hectáreas de esas parcelas"), HECTARES, SECTION_LAND),
    FigureSpec("con_titulo", gettext_lazy("Parcelas con título de propiedad"), COUNT, SECTION_LAND),
    FigureSpec("hectareas_titulo", gettext_lazy("Hectáreas con título de propiedad"), HECTARES, SECTION_LAND),
    FigureSpec("con_entregas", gettext_lazy("Socios con entregas"), COUNT, SECTION_DELIVERIES),
    FigureSpec("kg_secos", gettext_lazy("Kilos secos entregados"), KG, SECTION_DELIVERIES),
    FigureSpec("soles", gettext_lazy("Pagado por sus entregas"), MONEY, SECTION_DELIVERIES),
    FigureSpec("con_prima", gettext_lazy("Socios que recibieron prima en efectivo"), COUNT, SECTION_PREMIUM),
    FigureSpec("prima", gettext_lazy("Prima recibida en efectivo"), MONEY, SECTION_PREMIUM),
    FigureSpec("padron", gettext_lazy("En el padrón de las asambleas"), COUNT, SECTION_ASSEMBLIES),
    FigureSpec("presentes", gettext_lazy("Asistieron en persona"), COUNT, SECTION_ASSEMBLIES),
    FigureSpec("virtuales", gettext_lazy("Asistieron en forma virtual"), COUNT, SECTION_ASSEMBLIES),
    FigureSpec("por_poder", gettext_lazy("Asistieron por poder"), COUNT, SECTION_ASSEMBLIES),
    FigureSpec(
        "asistencia_persona",
        gettext_lazy("Asistencia en persona (% del padrón)"),
        PERCENT,
        SECTION_ASSEMBLIES,
        ratio_of=(("presentes",), "padron"),
    ),
    FigureSpec(
        "asistencia_virtual",
        gettext_lazy("Asistencia virtual (% del padrón)"),
        PERCENT,
        SECTION_ASSEMBLIES,
        ratio_of=(("virtuales",), "padron"),
    ),
    FigureSpec(
        "asistencia",
        gettext_lazy("Asistencia (en persona, virtual o por poder, % del padrón)"),
        PERCENT,
        SECTION_ASSEMBLIES,
        ratio_of=(("presentes", "virtuales", "por_poder"), "padron"),
    ),
)
FIGURE_KEYS = {spec.key: spec for spec in FIGURES}
# The figures the charts compare: the share of women and of youth in each.
CHARTED = ("activos", "hectareas", "kg_secos", "prima", "presentes")


def _grouped(queryset, period, bands, prefix, **sums) -> dict[tuple[str, int], dict]:
    rows = (
        with_group(queryset, period, bands, prefix)
        .values("inclusion_sex", "inclusion_band")
        .annotate(**sums)
        .order_by()
    )
    return {(row.pop("inclusion_sex") or UNKNOWN_SEX, row.pop("inclusion_band")): row for row in rows}


def _hectares(value) -> Decimal:
    # SQLite sums decimals as floating point: areas are kept to the ten-thousandth of a hectare.
    return Decimal(str(value or 0)).quantize(Decimal("0.0001"))


def _per_member(queryset, **columns) -> tuple[str, list]:
    """``queryset`` reduced to one row per member: ``inclusion_member`` and ``columns`` (aggregates, or
    per-member expressions), as SQL and parameters for a derived table."""
    rows = queryset.values(inclusion_member=F("member")) if queryset.model is not Member else None
    if rows is None:
        rows = queryset.values(inclusion_member=F("pk")).annotate(**columns)
    else:
        rows = rows.annotate(**columns)
    return rows.order_by().query.sql_with_params()


def _group_members(period, bands, facts: tuple[str, list], sums: dict[str, str], joins=()) -> dict:
    """One GROUP BY over the members: ``facts`` (one row per member, ``_per_member``) joined to the
    member table, grouped by sex and band. ``sums`` names each figure's SQL over the ``f`` columns
    (and ``joins``' aliases). Grouping the per-member rows (a few tens of thousands) and not the
    facts themselves (500,000 deliveries) keeps the sex and band ``CASE`` off the big table."""
    q = connection.ops.quote_name
    table = q(Member._meta.db_table)
    band, band_params = band_sql(period.start, bands)
    fact_sql, fact_params = facts
    selected = ", ".join(f"{expression} AS {q(key)}" for key, expression in sums.items())
    joined, join_params = "", []
    for alias, (sql, params) in joins:
        joined += f" LEFT JOIN ({sql}) {alias} ON {alias}.{q('inclusion_member')} = f.{q('inclusion_member')}"
        join_params += params
    # Quoted names, the fixed SQL of ``sums`` and the ORM's own SQL; every value is a parameter.
    sql = (
        f"SELECT {table}.{q('sex')}, {band}, {selected} FROM ({fact_sql}) f{joined}"  # noqa: S608
        f" LEFT JOIN {table} ON {table}.{q('id')} = f.{q('inclusion_member')} GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*band_params, *fact_params, *join_params])
        rows = cursor.fetchall()
    keys = list(sums)
    return {(sex or UNKNOWN_SEX, group): dict(zip(keys, values, strict=True)) for sex, group, *values in rows}


def _flag(condition) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def group_cells(period: Period, bands: list[Band]) -> dict[tuple[str, int], dict[str, object]]:
    """Every figure's value per (sex, band): four GROUP BY queries, each over one row per member.

    Each fact is first added up per member in the database (the deliveries from the covering index
    ``delivery_season_member_sums`` alone), then the per-member rows are joined to the member table
    and grouped by sex and band: the age ``CASE`` runs on tens of thousands of rows, never on the
    500,000 deliveries, and nothing is added up in Python."""
    cells: dict[tuple[str, int], dict[str, object]] = {}

    def merge(found):
        for group, values in found.items():
            cells.setdefault(group, {}).update(values)

    q = connection.ops.quote_name
    # Members and the land of the active ones. A member's status on the last day as ``_status_on``
    # reads it, from a derived table over the status history (one row per member who has one: their
    # status by then, whether a change came later, a withdrawal or death in the period), not from a
    # lookup for each of the 20,000 members.
    end = period.end
    status_then = Subquery(
        MemberStatusChange.objects.filter(member=OuterRef("member"), effective_date__lte=end)
        .order_by("-effective_date", "-id")
        .values("status")[:1]
    )
    in_period = Q(effective_date__gte=period.start, effective_date__lte=end)
    changes = _per_member(
        MemberStatusChange.objects.all(),
        later=Max(_flag(Q(effective_date__gt=end))),
        retirado=Max(_flag(Q(status=MemberStatus.WITHDRAWN) & in_period)),
        fallecido=Max(_flag(Q(status=MemberStatus.DECEASED) & in_period)),
        inclusion_status=status_then,
    )
    member_facts = _per_member(
        Member.objects.all(),
        registrado=_flag(_registered_by(end)),
        nuevo=_flag(Q(join_date__gte=period.start, join_date__lte=end)),
        inclusion_status=F("status"),
    )
    plots = _per_member(
        Plot.objects.all(),
        parcelas=Count("id"),
        hectareas=Sum("total_area_ha"),
        con_titulo=Count("id", filter=Q(has_title=True)),
        hectareas_titulo=Sum("total_area_ha", filter=Q(has_title=True)),
    )
    status = q("inclusion_status")
    assert MemberStatus.ACTIVE.isalnum()  # a constant written into the SQL
    active = (
        f"f.registrado = 1 AND COALESCE(c.{status}, CASE WHEN c.later = 1 THEN '{MemberStatus.ACTIVE}'"
        f" ELSE f.{status} END) = '{MemberStatus.ACTIVE}'"
    )
    merge(
        _group_members(
            period,
            bands,
            member_facts,
            {
                "activos": f"SUM(CASE WHEN {active} THEN 1 ELSE 0 END)",
                "nuevos": "SUM(f.nuevo)",
                "retirados": "SUM(COALESCE(c.retirado, 0))",
                "fallecidos": "SUM(COALESCE(c.fallecido, 0))",
                **{
                    key: f"SUM(CASE WHEN {active} THEN p.{q(key)} ELSE 0 END)"
                    for key in ("parcelas", "hectareas", "con_titulo", "hectareas_titulo")
                },
            },
            joins=[("c", changes), ("p", plots)],
        )
    )
    # Deliveries (a purchase from a non-member groups as sex and age unknown, as before).
    merge(
        _group_members(
            period,
            bands,
            _per_member(valid_deliveries(period), kg_secos=Sum("dry_g"), soles=Sum("amount_minor")),
            {
                "con_entregas": f"COUNT(f.{q('inclusion_member')})",
                "kg_secos": "SUM(f.kg_secos)",
                "soles": "SUM(f.soles)",
            },
        )
    )
    merge(
        _group_members(
            period,
            bands,
            _per_member(premium_shares(period), prima=Sum("amount_minor")),
            {"con_prima": f"COUNT(f.{q('inclusion_member')})", "prima": "SUM(f.prima)"},
        )
    )
    attendance = {
        "padron": Count("id"),
        "presentes": Count("id", filter=Q(presence__kind=PresenceKind.PRESENT)),
        "virtuales": Count("id", filter=Q(presence__kind=PresenceKind.VIRTUAL)),
        "por_poder": Count("id", filter=Q(presence__kind=PresenceKind.REPRESENTED)),
    }
    merge(
        _group_members(
            period,
            bands,
            _per_member(RollEntry.objects.filter(assembly__in=held_assemblies(period)), **attendance),
            {key: f"SUM(f.{q(key)})" for key in attendance},
        )
    )
    for values in cells.values():
        for spec in FIGURES:
            if spec.kind == HECTARES:
                values[spec.key] = _hectares(values.get(spec.key))
            elif spec.ratio_of is None:
                values[spec.key] = int(values.get(spec.key) or 0)
    return cells


def percent(part, whole) -> Decimal | None:
    """``part`` as a per cent of ``whole``, to one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class Figure:
    spec: FigureSpec
    by_sex: dict[str, object]  # F, M, "" (unknown)
    by_band: dict[int, object]  # band indexes, OUTSIDE, UNKNOWN_AGE
    total: object

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def women_share(self) -> Decimal | None:
        """Women's part of the total (None for a rate, which is read group by group)."""
        return None if self.spec.ratio_of else percent(self.by_sex[Sex.FEMALE], self.total)

    @property
    def youth_share(self) -> Decimal | None:
        """The first band's part of the total (None for a rate)."""
        return None if self.spec.ratio_of else percent(self.by_band[0], self.total)


@dataclass
class InclusionReport:
    period: Period
    bands: list[Band]
    figures: list[Figure]
    unknown_sex: bool  # some member has no sex recorded: the page shows the column
    outside_bands: bool  # some age falls in no band
    unknown_age: bool
    previous: "InclusionReport | None" = None
    by_key: dict = field(default_factory=dict)

    def __post_init__(self):
        self.by_key = {f.key: f for f in self.figures}

    @property
    def band_keys(self) -> list[int]:
        keys = list(range(len(self.bands)))
        return keys + ([OUTSIDE] if self.outside_bands else []) + ([UNKNOWN_AGE] if self.unknown_age else [])

    @property
    def sex_keys(self) -> list[str]:
        return [Sex.FEMALE, Sex.MALE] + ([UNKNOWN_SEX] if self.unknown_sex else [])

    def band_label(self, key: int) -> str:
        if key == OUTSIDE:
            return _("fuera de los tramos")
        if key == UNKNOWN_AGE:
            return _("edad sin registrar")
        return self.bands[key].label


def _combine(spec: FigureSpec, cells: list[dict]):
    if spec.ratio_of is not None:
        numerators, denominator = spec.ratio_of
        return percent(
            sum(c.get(k, 0) for c in cells for k in numerators), sum(c.get(denominator, 0) for c in cells)
        )
    zero = Decimal("0.0000") if spec.kind == HECTARES else 0
    return sum((c.get(spec.key, zero) for c in cells), zero)


def inclusion_report(
    period: Period, *, bands: list[Band] | None = None, compare: bool = True
) -> InclusionReport:
    """The period's figures by sex and by band (and, with ``compare``, the previous period's)."""
    bands = age_bands() if bands is None else bands
    cells = group_cells(period, bands)
    band_keys = list(range(len(bands))) + [OUTSIDE, UNKNOWN_AGE]
    figures = []
    for spec in FIGURES:
        figures.append(
            Figure(
                spec=spec,
                by_sex={s: _combine(spec, [v for (x, _b), v in cells.items() if x == s]) for s in SEXES},
                by_band={b: _combine(spec, [v for (_s, x), v in cells.items() if x == b]) for b in band_keys},
                total=_combine(spec, list(cells.values())),
            )
        )
    present = {group for group, values in cells.items() if any(values.get(s.key) for s in FIGURES)}
    previous = period.previous() if compare else None
    return InclusionReport(
        period=period,
        bands=bands,
        figures=figures,
        unknown_sex=any(sex == UNKNOWN_SEX for sex, _b in present),
        outside_bands=any(band == OUTSIDE for _s, band in present),
        unknown_age=any(band == UNKNOWN_AGE for _s, band in present),
        previous=inclusion_report(previous, bands=bands, compare=False) if previous else None,
    )


# --- The members behind a figure ---------------------------------------------------------------


def members_behind(period: Period, key: str, *, sex: str | None, band: int | None, bands: list[Band]):
    """The members a figure counts, for one sex and/or band (None: all), with their own ``value``."""
    spec = FIGURE_KEYS[key]
    if spec.section == SECTION_OFFICES:
        return office_holders_behind(period, key, sex=sex, band=band, bands=bands)
    members = Member.objects.all()
    value = None
    if key == "activos":
        members = active_members(period)
    elif key == "nuevos":
        members = members.filter(join_date__gte=period.start, join_date__lte=period.end)
    elif key in ("retirados", "fallecidos"):
        status = MemberStatus.WITHDRAWN if key == "retirados" else MemberStatus.DECEASED
        members = members.filter(_status_change_in(period, status))
    elif spec.section == SECTION_LAND:
        plots = Plot.objects.filter(member=OuterRef("pk"))
        if key in ("con_titulo", "hectareas_titulo"):
            plots = plots.filter(has_title=True)
        members = active_members(period).filter(Exists(plots))
        value = _subtotal(plots, Count("id") if spec.kind == COUNT else Sum("total_area_ha"))
    elif spec.section == SECTION_DELIVERIES:
        mine = valid_deliveries(period).filter(member=OuterRef("pk"))
        members = members.filter(Exists(mine))
        if key != "con_entregas":
            value = _subtotal(mine, Sum("dry_g" if key == "kg_secos" else "amount_minor"))
    elif spec.section == SECTION_PREMIUM:
        mine = premium_shares(period).filter(member=OuterRef("pk"))
        members = members.filter(Exists(mine))
        if key == "prima":
            value = _subtotal(mine, Sum("amount_minor"))
    else:
        roll = RollEntry.objects.filter(assembly__in=held_assemblies(period), member=OuterRef("pk"))
        if key in ("presentes", "asistencia_persona"):
            roll = roll.filter(presence__kind=PresenceKind.PRESENT)
        elif key in ("virtuales", "asistencia_virtual"):
            roll = roll.filter(presence__kind=PresenceKind.VIRTUAL)
        elif key == "por_poder":
            roll = roll.filter(presence__kind=PresenceKind.REPRESENTED)
        elif key == "asistencia":
            roll = roll.filter(presence__isnull=False)
        members = members.filter(Exists(roll))
        value = _subtotal(roll, Count("id"))
    members = with_group(members, period, bands)
    if sex is not None:
        members = members.filter(sex=sex)
    if band is not None:
        members = members.filter(inclusion_band=band)
    if value is not None:
        members = members.annotate(inclusion_value=value)
    return members.order_by("code")


def _subtotal(queryset, aggregate):
    summed = queryset.order_by().values("member").annotate(total=aggregate).values("total")
    return Subquery(summed[:1])


def reference_day_note(period: Period) -> str:
    return _(
        "La edad de cada socio se cuenta al %(day)s, primer día del periodo: quien cumple años durante "
        "el periodo queda en el tramo que tenía ese día, en todas las cifras."
    ) % {"day": period.start.strftime("%d/%m/%Y")}


def parse_range(start: Date | None, end: Date | None) -> Period | None:
    if start is None or end is None or end < start or end - start > timedelta(days=3660):
        return None
    return Period(start, end)


# --- Elected offices (cargos directivos) ---------------------------------------------------------
# Kept apart from FIGURES and ``group_cells``: ``add_office_figures`` appends them to a report.

SECTION_OFFICES = gettext_lazy("Cargos directivos")
OFFICE_FIGURES = (
    FigureSpec("cargos_cierre", gettext_lazy("En un cargo directivo al cierre"), COUNT, SECTION_OFFICES),
    FigureSpec(
        "cargos_periodo", gettext_lazy("En un cargo directivo durante el periodo"), COUNT, SECTION_OFFICES
    ),
)
FIGURE_KEYS.update({spec.key: spec for spec in OFFICE_FIGURES})


def _office_held(period: Period, key: str) -> Q:
    """Members holding an office on the period's last day, or on any day of it (each counted once,
    whatever offices they hold; an office ended early counts up to its last day)."""
    first = period.end if key == "cargos_cierre" else period.start
    held = Office.objects.filter(member=OuterRef("pk"), starts_on__lte=period.end, ends_on__gte=first)
    return Q(Exists(held))


def office_figures(period: Period, bands: list[Band]) -> list[Figure]:
    """Who held elected office (board, oversight, committees, delegates), by sex and band: two queries."""
    band_keys = list(range(len(bands))) + [OUTSIDE, UNKNOWN_AGE]
    figures = []
    for spec in OFFICE_FIGURES:
        cells = _grouped(
            Member.objects.filter(_office_held(period, spec.key)), period, bands, "", n=Count("id")
        )
        figures.append(
            Figure(
                spec=spec,
                by_sex={s: sum(v["n"] for (x, _b), v in cells.items() if x == s) for s in SEXES},
                by_band={b: sum(v["n"] for (_s, x), v in cells.items() if x == b) for b in band_keys},
                total=sum(v["n"] for v in cells.values()),
            )
        )
    return figures


def add_office_figures(report: InclusionReport) -> InclusionReport:
    """Append the offices' figures to a report (and to the previous period's)."""
    for one in (report, report.previous):
        if one is None:
            continue
        figures = office_figures(one.period, one.bands)
        one.figures.extend(figures)
        one.by_key.update({f.key: f for f in figures})
        one.unknown_sex = one.unknown_sex or any(f.by_sex[UNKNOWN_SEX] for f in figures)
        one.outside_bands = one.outside_bands or any(f.by_band[OUTSIDE] for f in figures)
        one.unknown_age = one.unknown_age or any(f.by_band[UNKNOWN_AGE] for f in figures)
    return report


def office_holders_behind(period: Period, key: str, *, sex: str | None, band: int | None, bands: list[Band]):
    members = with_group(Member.objects.filter(_office_held(period, key)), period, bands)
    if sex is not None:
        members = members.filter(sex=sex)
    if band is not None:
        members = members.filter(inclusion_band=band)
    return members.order_by("code")
