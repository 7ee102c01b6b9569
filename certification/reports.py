"""The season's reports for certifiers: the premium fund report and the season report.

Both read their figures with aggregate queries (a season of 500,000
deliveries is a few GROUP BYs), and reuse the ledger's own functions for the
fund and the mass balance, so the report says what the pages say.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acopio.models import CollectionCentre
from acopio.selectors import season_deliveries
from certification.documents import DocumentDraft, data_language, kg_text, lazy_text
from certification.inclusion import (
    KG,
    MONEY,
    InclusionReport,
    add_office_figures,
    inclusion_report,
    season_period,
)
from certification.models import DocumentKind
from coop.models import Certification, Member, MemberStatus, OrganicStage, Plot, Season
from fund.figures import Figures, add_up
from fund.models import BudgetLine, PremiumCategory, Spending
from fund.selectors import FundPosition, fund_report
from fund.templatetags.fund_charts import premium_category_chart
from sales.models import ContractPayment, SalesContract
from sales.selectors import balance_lines, sold_kg_by_terms
from toolkit.money import format_money, from_minor
from toolkit.templatetags.minka_money import kg

# --- Premium fund report --------------------------------------------------------------------------


@dataclass
class LineReport:
    line: BudgetLine
    figures: Figures
    spendings: list[Spending]


@dataclass
class FundSeasonReport:
    season: Season
    contracts: list[dict]
    earned_usd_cents: int
    received_usd_cents: int
    received_pen_minor: int
    lines: list[LineReport]
    categories: list[Figures]
    totals: Figures
    position: FundPosition  # the whole fund today, all seasons


def fund_season_report(season: Season) -> FundSeasonReport:
    """Premium earned per contract, received, authorized, spent per line with documents, available."""
    received = {
        row["contract"]: row
        for row in ContractPayment.objects.filter(contract__season=season)
        .values("contract")
        .annotate(usd=Sum("premium_cents"), pen=Sum("premium_pen_minor"))
        .order_by()
    }
    contracts = []
    for contract in (
        SalesContract.objects.filter(season=season)
        .prefetch_related("amendments")
        .order_by("signed_on", "number")
    ):
        if not contract.current_premium_cents:  # the version in force: an amendment may change it
            continue
        money_in = received.get(contract.pk, {})
        contracts.append(
            {
                "contract": contract,
                "received_usd_cents": int(money_in.get("usd") or 0),
                "received_pen_minor": int(money_in.get("pen") or 0),
            }
        )
    # The lines' figures as the fund page computes them; this report adds each line's spendings.
    fund = fund_report()
    lines = sorted(
        ((line, f) for line, f in fund.lines if line.season_id == season.pk),
        key=lambda pair: (pair[0].category, pair[0].pk),
    )
    spendings = defaultdict(list)
    for spending in (
        Spending.objects.filter(line__season=season)
        .select_related("entry")
        .prefetch_related("approvals__user")
        .order_by("document_date", "id")
    ):
        spendings[spending.line_id].append(spending)
    line_reports = [
        LineReport(line=line, figures=figures, spendings=spendings[line.pk]) for line, figures in lines
    ]
    categories = [
        add_up(str(label), (r.figures for r in line_reports if r.line.category == value))
        for value, label in PremiumCategory.choices
    ]
    return FundSeasonReport(
        season=season,
        contracts=contracts,
        earned_usd_cents=sum(c["contract"].current_premium_cents for c in contracts),
        received_usd_cents=sum(c["received_usd_cents"] for c in contracts),
        received_pen_minor=sum(c["received_pen_minor"] for c in contracts),
        lines=line_reports,
        categories=categories,
        totals=add_up("Total", (r.figures for r in line_reports)),
        position=fund.position,
    )


def fund_report_table(report: FundSeasonReport) -> list[list]:
    rows = [["seccion", "referencia", "detalle", "categoria", "estado", "fecha", "usd", "soles"]]
    for c in report.contracts:
        contract = c["contract"]
        rows.append(
            [
                "prima_contrato",
                contract.number,
                contract.buyer,
                contract.get_terms_display(),
                "",
                contract.signed_on.isoformat(),
                from_minor(contract.current_premium_cents),
                "",
            ]
        )
        rows.append(
            [
                "prima_cobrada",
                contract.number,
                contract.buyer,
                "",
                "",
                "",
                from_minor(c["received_usd_cents"]),
                from_minor(c["received_pen_minor"]),
            ]
        )
    for r in report.lines:
        line = r.line
        authorization = line.authorization
        rows.append(
            [
                "linea",
                f"linea {line.pk}",
                line.purpose,
                line.get_category_display(),
                "autorizada" if line.is_authorized else "borrador",
                authorization.decided_on.isoformat() if authorization else "",
                "",
                from_minor(r.figures.authorized_minor),
            ]
        )
        for s in r.spendings:
            supplier = f" — {s.supplier}" + (f" (RUC {s.ruc})" if s.ruc else "") if s.supplier else ""
            rows.append(
                [
                    "gasto",
                    s.document,
                    s.description + supplier,
                    line.get_category_display(),
                    s.get_status_display(),
                    s.document_date.isoformat(),
                    "",
                    from_minor(s.amount_minor),
                ]
            )
    t = report.totals
    rows.append(
        [
            "total",
            "",
            "autorizado / gastado / por aprobar / disponible",
            "",
            "",
            "",
            "",
            f"{from_minor(t.authorized_minor)} / {from_minor(t.spent_minor)} / "
            f"{from_minor(t.pending_minor)} / {from_minor(t.available_minor)}",
        ]
    )
    return rows


def fund_report_draft(season: Season) -> DocumentDraft:
    report = fund_season_report(season)
    with data_language():  # the attached data names categories and states in the cooperative's language
        table = fund_report_table(report)
    return DocumentDraft(
        kind=DocumentKind.FUND_REPORT,
        title=lazy_text(lambda: _("Informe del fondo de prima — %(season)s") % {"season": season.name}),
        template="certification/pdf/fund_report.html",
        context={
            "report": report,
            "position": report.position,
            "chart": premium_category_chart(report.categories, width=640),
        },
        table=table,
        summary=[
            (gettext_lazy("Campaña"), season.name),
            (gettext_lazy("Prima ganada"), format_money(report.earned_usd_cents, "USD")),
            (gettext_lazy("Prima cobrada"), format_money(report.received_usd_cents, "USD")),
            (gettext_lazy("Autorizado por la asamblea"), format_money(report.totals.authorized_minor, "PEN")),
            (gettext_lazy("Gastado"), format_money(report.totals.spent_minor, "PEN")),
            (gettext_lazy("Disponible"), format_money(report.totals.available_minor, "PEN")),
        ],
        season=season,
        csv_name=f"fondo-de-prima-{season.code}.csv",
    )


# --- Season report ----------------------------------------------------------------------------------


@dataclass
class SeasonReport:
    season: Season
    members_by_status: list[tuple[str, int]]
    members_delivering: int
    plots: dict
    by_centre: list[dict]
    by_certification: list[dict]
    flagged_deliveries: int
    flagged_members: int
    voided_deliveries: int
    balance: list
    contracts: list[SalesContract]
    totals: dict
    # Purchases from non-members, their own line: never among the certifications or the mass balance.
    non_member: dict | None = None


def season_report(season: Season) -> SeasonReport:
    """The season's figures from two passes over its deliveries (acopio.selectors.season_deliveries);
    the mass balance is worked out from the first one, as sales.services.mass_balance would read it."""
    figures = season_deliveries(season)
    valid = [g for g in figures.valid() if not g.non_member]
    bought_from_non_members = [g for g in figures.valid() if g.non_member]
    non_member = {
        "count": sum(g.count for g in bought_from_non_members),
        "dry_g": sum(g.dry_g for g in bought_from_non_members),
        "net_g": sum(g.net_g for g in bought_from_non_members),
        "amount": sum(g.amount_minor for g in bought_from_non_members),
    }

    def rows(key, order):
        summed: dict = {}
        for group in valid:
            row = summed.setdefault(key(group), {"count": 0, "dry_g": 0, "net_g": 0, "amount": 0})
            row["count"] += group.count
            row["dry_g"] += group.dry_g
            row["net_g"] += group.net_g
            row["amount"] += group.amount_minor
        return [{**order(k), **row} for k, row in sorted(summed.items())]

    centres = {c.pk: (c.code, c.name) for c in CollectionCentre.objects.all()}
    by_centre = rows(lambda g: centres[g.centre_id], lambda k: {"centre__code": k[0], "centre__name": k[1]})
    labels = dict(Certification.choices)
    by_certification = rows(lambda g: g.certification, lambda k: {"certification": k})
    for row in by_certification:
        row["label"] = labels.get(row["certification"], row["certification"])
        row["price_per_kg"] = (
            (Decimal(row["amount"]) / Decimal(row["dry_g"]) * 10).quantize(Decimal("0.01"))
            if row["dry_g"]
            else None
        )  # céntimos per gram × 10 = soles per kg
    totals = {
        "count": sum(g.count for g in valid),
        "dry_g": sum(g.dry_g for g in valid),
        "amount": sum(g.amount_minor for g in valid),
    }
    status_labels = dict(MemberStatus.choices)
    plots = Plot.objects.aggregate(
        count=Count("id"),
        producing=Sum("cocoa_producing_ha"),
        total=Sum("total_area_ha"),
        fairtrade=Sum("cocoa_producing_ha", filter=Q(fairtrade_certified=True)),
        organic=Sum("cocoa_producing_ha", filter=Q(organic_stage=OrganicStage.ORGANIC)),
        geolocated=Count("id", filter=~Q(geometry="")),
    )
    hectare = Decimal("0.01")
    for key in ("producing", "total", "fairtrade", "organic"):
        # SQLite sums decimals as floating point: areas are shown to the hundredth of a hectare.
        plots[key] = Decimal(str(plots[key] or 0)).quantize(hectare)
    return SeasonReport(
        season=season,
        members_by_status=[
            (status_labels.get(row["status"], row["status"]), row["n"])
            for row in Member.objects.values("status").annotate(n=Count("id")).order_by("status")
        ],
        members_delivering=figures.members_delivering,
        plots=plots,
        by_centre=by_centre,
        by_certification=by_certification,
        flagged_deliveries=figures.flagged(),
        flagged_members=figures.flagged_members,
        voided_deliveries=figures.voided(),
        balance=balance_lines(
            bought_g=figures.valid_dry_g_by_certification(),
            sold_kg={terms: kg for (_pk, terms), kg in sold_kg_by_terms([season]).items()},
        ),
        contracts=list(
            SalesContract.objects.filter(season=season)
            .select_related("minimum_terms", "fixing__minimum_terms")
            .prefetch_related("amendments__minimum_terms")
            .order_by("signed_on", "number")
        ),
        totals=totals,
        non_member=non_member,
    )


def season_report_table(report: SeasonReport) -> list[list]:
    rows = [["seccion", "clave", "detalle", "entregas", "seco_kg", "importe_soles", "valor"]]
    for label, count in report.members_by_status:
        rows.append(["socios", label, "", "", "", "", count])
    rows.append(["socios", "con entregas en la campaña", "", "", "", "", report.members_delivering])
    for key in ("count", "producing", "total", "fairtrade", "organic", "geolocated"):
        rows.append(["parcelas", key, "", "", "", "", report.plots[key] or 0])
    for row in report.by_centre:
        rows.append(
            [
                "centro",
                row["centre__code"],
                row["centre__name"],
                row["count"],
                kg_text(row["dry_g"]),
                from_minor(row["amount"]),
                "",
            ]
        )
    for row in report.by_certification:
        rows.append(
            [
                "certificacion",
                row["certification"],
                row["label"],
                row["count"],
                kg_text(row["dry_g"]),
                from_minor(row["amount"]),
                row["price_per_kg"] or "",
            ]
        )
    if report.non_member and report.non_member["count"]:
        rows.append(
            [
                "no_socios",
                "compras a no socios",
                "no cuentan como Comercio Justo ni orgánico",
                report.non_member["count"],
                kg_text(report.non_member["dry_g"]),
                from_minor(report.non_member["amount"]),
                "",
            ]
        )
    rows.append(
        [
            "rendimiento",
            "entregas sobre el rendimiento posible",
            "",
            report.flagged_deliveries,
            "",
            "",
            report.flagged_members,
        ]
    )
    for line in report.balance:
        rows.append(
            [
                "balance_de_masa",
                line.product,
                "comprado / vendido / disponible",
                "",
                line.bought_kg,
                "",
                f"{line.sold_kg} / {line.available_kg}",
            ]
        )
    for contract in report.contracts:
        terms = contract.current_minimum_terms
        rows.append(
            [
                "contrato",
                contract.number,
                contract.buyer,
                "",
                contract.quantity_kg,
                "",
                f"{contract.current_price_per_tonne} USD/t; minimo CJ {terms.amount if terms else '-'}",
            ]
        )
    return rows


def inclusion_table(inclusion: InclusionReport) -> list[list]:
    """The inclusion section's rows for the season report's data: figure, group, value (groups named
    by sex and by the band's ages, so the data read the same in any language)."""
    rows = []
    sexes = [("F", "mujeres"), ("M", "hombres")] + (
        [("", "sexo sin registrar")] if inclusion.unknown_sex else []
    )
    for figure in inclusion.figures:
        groups = [(name, figure.by_sex[key]) for key, name in sexes]
        for key in inclusion.band_keys:
            if key >= 0:
                band = inclusion.bands[key]
                ages = f"{band.min_age}+" if band.max_age is None else f"{band.min_age}-{band.max_age}"
                groups.append((f"edad {ages}", figure.by_band[key]))
            else:
                groups.append(
                    ("edad fuera de los tramos" if key == -1 else "edad sin registrar", figure.by_band[key])
                )
        groups.append(("total", figure.total))
        for group, value in groups:
            if value is None:
                shown = ""
            elif figure.spec.kind == KG:
                shown = kg_text(value)
            elif figure.spec.kind == MONEY:
                shown = from_minor(value)
            else:
                shown = value
            rows.append(["inclusion", figure.key, group, "", "", "", shown])
    return rows


def season_report_draft(season: Season) -> DocumentDraft:
    report = season_report(season)
    inclusion = add_office_figures(inclusion_report(season_period(season)))
    return DocumentDraft(
        kind=DocumentKind.SEASON_REPORT,
        title=lazy_text(lambda: _("Informe de campaña — %(season)s") % {"season": season.name}),
        template="certification/pdf/season_report.html",
        context={"report": report, "inclusion": inclusion},
        table=season_report_table(report) + inclusion_table(inclusion),
        summary=[
            (gettext_lazy("Campaña"), season.name),
            (gettext_lazy("Entregas vigentes"), f"{report.totals['count']:,}"),
            (gettext_lazy("Kilos secos"), kg(report.totals["dry_g"])),
            (gettext_lazy("Pagado a los socios"), format_money(report.totals["amount"], "PEN")),
        ],
        season=season,
        csv_name=f"informe-de-campana-{season.code}.csv",
    )
