"""Version 1 of the institutions' API: read-only JSON under /api/v1/, described by OpenAPI 3.

Every operation is gated by api.gate (a Bearer key, the throttle, the call log) before django-ninja
sees the request; here each operation checks its scope, applies the filters and decides, member by
member, whether personal data may be returned (the member's consent in force covers the client's
kind) or only an anonymous code and aggregated figures.
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from acopio.models import Delivery, DeliveryStatus, Lot
from api.models import MemberConsent, Scope
from api.selectors import anonymous_code, consenting_member_ids
from certification.models import DocumentKind, IssuedDocument
from coop.models import (
    Certification,
    CertificationFilter,
    Member,
    MemberStatusChange,
    OrganicStage,
    Plot,
    Season,
)
from sales.models import SalesContract

API_VERSION = "1.0"


class BearerKey(HttpBearer):
    """Documents the Bearer key in the OpenAPI description; api.gate has already checked it."""

    def authenticate(self, request, token):
        return getattr(request, "api_key", None)


api = NinjaAPI(
    title="Minka API",
    version=API_VERSION,
    description=(
        "Read-only API of the cooperative's register for buyers, certifiers and public programmes. "
        "Every call needs `Authorization: Bearer <key>`. Personal data only for members whose consent "
        "covers the client's kind of institution; the others appear as anonymous codes. "
        "Data dictionary: /api/v1/diccionario/."
    ),
    urls_namespace="api",
    auth=BearerKey(),
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)


@api.exception_handler(ValidationError)
def invalid_parameter(request, exc):
    """A parameter of the wrong type: 400 naming it, in Spanish, like every other refusal."""
    names = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "filters")]
        names.append(".".join(location) or "?")
    return api.create_response(
        request,
        {"detail": _("Parámetro no válido: %(names)s.") % {"names": ", ".join(dict.fromkeys(names))}},
        status=400,
    )


class Problem(Schema):
    detail: str


ERRORS = {400: Problem, 401: Problem, 403: Problem, 429: Problem}


class Page(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    # The server's time when the page was read: the next sync's updated_since.
    as_of: datetime


class Filters(Schema):
    page: int = 1
    page_size: int | None = None
    season: str | None = None
    community: str | None = None
    certification: str | None = None
    updated_since: datetime | None = None


# --- helpers ------------------------------------------------------------------------------------


def need(request, scope: str) -> None:
    client = request.api_key.client
    if not client.has_scope(scope):
        raise HttpError(
            403,
            _("La institución %(client)s no tiene el alcance «%(scope)s».")
            % {"client": client.name, "scope": scope},
        )


def kind_of(request) -> str:
    return request.api_key.client.kind


def season_or_400(code: str | None) -> Season | None:
    if not code:
        return None
    season = Season.objects.filter(code=code).first()
    if season is None:
        known = ", ".join(Season.objects.order_by("-starts_on").values_list("code", flat=True)[:10])
        raise HttpError(
            400,
            _("season: no existe la campaña %(code)s (existen: %(known)s).") % {"code": code, "known": known},
        )
    return season


def certification_or_400(value: str | None) -> str | None:
    if value and value not in CertificationFilter.values:
        raise HttpError(
            400,
            _("certification: «%(value)s» no es válido; use uno de %(choices)s.")
            % {"value": value, "choices": ", ".join(CertificationFilter.values)},
        )
    return value or None


def since(filters: Filters) -> datetime | None:
    value = filters.updated_since
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: PostgreSQL refuses an offset beyond ±15:59 (ISO 8601 allows ±23:59).
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise HttpError(400, _("updated_since: fecha fuera de rango.")) from None


def paged(request, filters: Filters, queryset, count=None, detail=None):
    """(rows of the page, the page's envelope); ordered by the caller for stable pages.

    With ``detail`` (a function of a queryset), the page's keys are found on the plain queryset and
    only the page's rows get ``detail``'s annotations: counting and skipping to a deep page then never
    evaluate the per-row subqueries of the rows before it."""
    size = settings.MINKA_API_PAGE_SIZE if filters.page_size is None else filters.page_size
    if not 1 <= size <= settings.MINKA_API_MAX_PAGE_SIZE:
        raise HttpError(
            400,
            _("page_size: debe estar entre 1 y %(max)s.") % {"max": settings.MINKA_API_MAX_PAGE_SIZE},
        )
    if filters.page < 1:
        raise HttpError(400, _("page: debe ser 1 o más."))
    total = queryset.count() if count is None else count
    start = (filters.page - 1) * size
    if detail is None:
        rows = list(queryset[start : start + size])
    else:
        keys = list(queryset.values_list("pk", flat=True)[start : start + size])
        by_key = {row.pk: row for row in detail(queryset.model.objects.filter(pk__in=keys))}
        rows = [by_key[key] for key in keys]
    following = None
    if start + size < total:
        query = request.GET.copy()
        query["page"] = str(filters.page + 1)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    request.api_rows = getattr(request, "api_rows", 0) + len(rows)
    return rows, {
        "count": total,
        "page": filters.page,
        "page_size": size,
        "next": following,
        "as_of": request.api_started_at,
    }


def as_json(payload: dict) -> JsonResponse:
    """The page as JSON without ninja's per-field validation, which takes most of a large page's time.
    The rows are built to the response schema here; tests/api/test_schema.py checks them against it."""
    return JsonResponse(payload, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})


def read_personal(request, member_ids) -> None:
    request.api_personal = getattr(request, "api_personal", set()) | set(member_ids)


def decimal_text(value, places: int) -> str | None:
    if value is None:
        return None
    return f"{Decimal(value):.{places}f}"


def grams_as_kg(grams) -> str:
    return f"{Decimal(int(grams or 0)) / 1000:.3f}"


def anonymous_plot_code(plot_id: int) -> str:
    return anonymous_code(plot_id).replace("ANON-", "ANON-P-")


def delivery_certifications(value: str | None) -> list[str] | None:
    return {
        CertificationFilter.FAIRTRADE: [Certification.FAIRTRADE, Certification.FAIRTRADE_ORGANIC],
        CertificationFilter.ORGANIC: [Certification.ORGANIC, Certification.FAIRTRADE_ORGANIC],
        CertificationFilter.TRANSITION: [],
        CertificationFilter.NONE: [Certification.CONVENTIONAL],
    }.get(value)


# --- members ------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: str
    anonymous: bool
    code: str | None
    name: str | None
    dni: str | None
    birth_date: date | None
    sex: str | None
    department: str
    province: str
    district: str
    community: str
    status: str
    join_date: date | None
    plots: int
    total_area_ha: str | None
    cocoa_producing_ha: str | None
    fairtrade: bool
    organic: bool
    updated_at: datetime


class MemberPage(Page):
    results: list[MemberOut]


def member_changes(kind: str):
    """The member's own row, its latest status change and its latest consent row for ``kind``."""
    status_at = Subquery(
        MemberStatusChange.objects.filter(member=OuterRef("pk"))
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    consent_at = Subquery(
        MemberConsent.objects.filter(member=OuterRef("pk"), kind=kind)
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    return Greatest(
        F("updated_at"), Coalesce(status_at, F("updated_at")), Coalesce(consent_at, F("updated_at"))
    )


def changed_since(queryset, moment, kind: str, member_path: str = ""):
    """Rows whose member (``member_path`` to it) changed, changed status or consent since ``moment``."""
    prefix = f"{member_path}__" if member_path else ""
    member_ref = OuterRef(f"{member_path}_id" if member_path else "pk")
    return queryset.filter(
        Q(**{f"{prefix}updated_at__gte": moment})
        | Exists(MemberStatusChange.objects.filter(member=member_ref, recorded_at__gte=moment))
        | Exists(MemberConsent.objects.filter(member=member_ref, kind=kind, recorded_at__gte=moment))
    )


register = Router(tags=["register"])


@register.get("/members/", response={200: MemberPage, **ERRORS}, summary="Members of the register")
def members(request, filters: Query[Filters]):
    need(request, Scope.REGISTER)
    kind = kind_of(request)
    season = season_or_400(filters.season)
    certification = certification_or_400(filters.certification)
    rows = Member.objects.all()
    if season:
        rows = rows.filter(Exists(Delivery.objects.filter(member=OuterRef("pk"), season=season)))
    if filters.community:
        rows = rows.filter(community=filters.community)
    if certification:
        rows = rows.with_certification(certification)
    moment = since(filters)
    if moment:
        rows = changed_since(rows, moment, kind)
    page, envelope = paged(
        request,
        filters,
        rows.order_by("pk"),
        detail=lambda page: page.annotate(changed_at=member_changes(kind)),
    )
    ids = [member.pk for member in page]
    allowed = consenting_member_ids(kind, ids)
    plots = {
        row["member_id"]: row
        for row in Plot.objects.filter(member_id__in=ids)
        .values("member_id")
        .annotate(
            n=Count("id"),
            area=Sum("total_area_ha"),
            producing=Sum("cocoa_producing_ha"),
            fairtrade=Count("id", filter=Q(fairtrade_certified=True)),
            organic=Count("id", filter=Q(organic_stage=OrganicStage.ORGANIC)),
        )
    }
    read_personal(request, allowed)
    results = []
    for member in page:
        personal = member.pk in allowed
        figures = plots.get(member.pk, {})
        results.append(
            {
                "id": member.code if personal else anonymous_code(member.pk),
                "anonymous": not personal,
                "code": member.code if personal else None,
                "name": member.name if personal else None,
                "dni": member.dni if personal else None,
                "birth_date": member.birth_date if personal else None,
                "sex": (member.sex or None) if personal else None,
                "department": member.department,
                "province": member.province,
                "district": member.district,
                "community": member.community,
                "status": member.status,
                "join_date": member.join_date if personal else None,
                "plots": figures.get("n", 0),
                "total_area_ha": decimal_text(figures.get("area"), 4),
                "cocoa_producing_ha": decimal_text(figures.get("producing"), 4),
                "fairtrade": bool(figures.get("fairtrade")),
                "organic": bool(figures.get("organic")),
                "updated_at": member.changed_at,
            }
        )
    return as_json({**envelope, "results": results})


class SeasonOut(Schema):
    code: str
    name: str
    starts_on: date
    ends_on: date
    wet_to_dry_factor: str
    max_yield_kg_per_ha: int
    updated_at: datetime


class SeasonPage(Page):
    results: list[SeasonOut]


@register.get("/seasons/", response={200: SeasonPage, **ERRORS}, summary="Seasons (campañas)")
def seasons(request, filters: Query[Filters]):
    need(request, Scope.REGISTER)
    rows = Season.objects.order_by("starts_on", "pk")
    if filters.season:
        rows = rows.filter(code=season_or_400(filters.season).code)
    moment = since(filters)
    if moment:
        rows = rows.filter(updated_at__gte=moment)
    page, envelope = paged(request, filters, rows)
    return {
        **envelope,
        "results": [
            {
                "code": season.code,
                "name": season.name,
                "starts_on": season.starts_on,
                "ends_on": season.ends_on,
                "wet_to_dry_factor": str(season.wet_to_dry_factor),
                "max_yield_kg_per_ha": season.max_yield_kg_per_ha,
                "updated_at": season.updated_at,
            }
            for season in page
        ],
    }


# --- plots --------------------------------------------------------------------------------------


class PlotOut(Schema):
    id: str
    anonymous: bool
    member: str
    name: str | None
    department: str
    province: str
    district: str
    community: str
    total_area_ha: str | None
    cocoa_installed_ha: str | None
    cocoa_producing_ha: str | None
    georeferenced_ha: str | None
    fairtrade: bool
    fairtrade_since: date | None
    organic_stage: str
    geometry_kind: str | None
    geometry: dict | None
    updated_at: datetime


class PlotPage(Page):
    results: list[PlotOut]


def plot_rows(plots, allowed: set[int]) -> list[dict]:
    results = []
    for plot in plots:
        personal = plot.member_id in allowed
        results.append(
            {
                "id": plot.code if personal else anonymous_plot_code(plot.pk),
                "anonymous": not personal,
                "member": plot.member.code if personal else anonymous_code(plot.member_id),
                "name": (plot.name or None) if personal else None,
                "department": plot.department,
                "province": plot.province,
                "district": plot.district,
                "community": plot.community,
                "total_area_ha": decimal_text(plot.total_area_ha, 4),
                "cocoa_installed_ha": decimal_text(plot.cocoa_installed_ha, 4),
                "cocoa_producing_ha": decimal_text(plot.cocoa_producing_ha, 4),
                "georeferenced_ha": decimal_text(plot.georeferenced_ha, 4),
                "fairtrade": plot.fairtrade_certified,
                "fairtrade_since": plot.fairtrade_since,
                "organic_stage": plot.organic_stage,
                "geometry_kind": (plot.geometry_kind or None) if personal else None,
                "geometry": json.loads(plot.geometry) if personal and plot.geometry else None,
                "updated_at": plot.changed_at,
            }
        )
    return results


geolocation = Router(tags=["geolocation"])


@geolocation.get("/plots/", response={200: PlotPage, **ERRORS}, summary="Plots with GeoJSON geometry")
def plots(request, filters: Query[Filters]):
    need(request, Scope.GEOLOCATION)
    kind = kind_of(request)
    season = season_or_400(filters.season)
    certification = certification_or_400(filters.certification)
    rows = Plot.objects.all()
    if season:
        rows = rows.filter(Exists(Delivery.objects.filter(plot=OuterRef("pk"), season=season)))
    if filters.community:
        rows = rows.filter(community=filters.community)
    if certification == CertificationFilter.FAIRTRADE:
        rows = rows.filter(fairtrade_certified=True)
    elif certification == CertificationFilter.ORGANIC:
        rows = rows.filter(organic_stage=OrganicStage.ORGANIC)
    elif certification == CertificationFilter.TRANSITION:
        rows = rows.filter(
            organic_stage__in=[
                OrganicStage.TRANSITION_1,
                OrganicStage.TRANSITION_2,
                OrganicStage.TRANSITION_3,
            ]
        )
    elif certification == CertificationFilter.NONE:
        rows = rows.filter(fairtrade_certified=False, organic_stage=OrganicStage.NONE)
    moment = since(filters)
    consent_at = Subquery(
        MemberConsent.objects.filter(member=OuterRef("member_id"), kind=kind)
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    if moment:
        rows = rows.filter(
            Q(updated_at__gte=moment)
            | Exists(
                MemberConsent.objects.filter(member=OuterRef("member_id"), kind=kind, recorded_at__gte=moment)
            )
        )
    rows = rows.annotate(
        changed_at=Greatest(F("updated_at"), Coalesce(consent_at, F("updated_at")))
    ).order_by("pk")
    page, envelope = paged(request, filters, rows)
    allowed = consenting_member_ids(kind, {plot.member_id for plot in page})
    read_personal(request, allowed)
    return as_json({**envelope, "results": plot_rows(page, allowed)})


# --- trade: deliveries, lots, contracts ---------------------------------------------------------


class DeliveryTotalOut(Schema):
    member: str
    anonymous: bool
    season: str
    certification: str
    deliveries: int
    net_kg: str
    dry_kg: str
    amount_pen: str
    updated_at: datetime


class DeliveryTotalPage(Page):
    results: list[DeliveryTotalOut]


trade = Router(tags=["trade"])


@trade.get(
    "/deliveries/",
    response={200: DeliveryTotalPage, **ERRORS},
    summary="Deliveries aggregated per member, season and certification",
)
def deliveries(request, filters: Query[Filters]):
    need(request, Scope.TRADE)
    kind = kind_of(request)
    season = season_or_400(filters.season)
    certification = certification_or_400(filters.certification)
    rows = Delivery.objects.filter(member__isnull=False)
    if season:
        rows = rows.filter(season=season)
    if filters.community:
        rows = rows.filter(member__community=filters.community)
    if certification:
        rows = rows.filter(certification__in=delivery_certifications(certification))
    valid = Q(status=DeliveryStatus.VALID)
    rows = (
        rows.values("member_id", "member__code", "season__code", "certification")
        .annotate(
            n=Count("id", filter=valid),
            net=Coalesce(Sum("net_g", filter=valid), 0),
            dry=Coalesce(Sum("dry_g", filter=valid), 0),
            amount=Coalesce(Sum("amount_minor", filter=valid), 0),
            changed_at=Greatest(Max("recorded_at"), Coalesce(Max("voided_at"), Max("recorded_at"))),
        )
        .order_by("member_id", "season__code", "certification")
    )
    moment = since(filters)
    if moment:
        rows = rows.filter(changed_at__gte=moment)
    page, envelope = paged(request, filters, rows)
    allowed = consenting_member_ids(kind, {row["member_id"] for row in page})
    read_personal(request, allowed)
    return {
        **envelope,
        "results": [
            {
                "member": row["member__code"]
                if row["member_id"] in allowed
                else anonymous_code(row["member_id"]),
                "anonymous": row["member_id"] not in allowed,
                "season": row["season__code"],
                "certification": row["certification"],
                "deliveries": row["n"],
                "net_kg": grams_as_kg(row["net"]),
                "dry_kg": grams_as_kg(row["dry"]),
                "amount_pen": f"{Decimal(int(row['amount'])) / 100:.2f}",
                "updated_at": row["changed_at"],
            }
            for row in page
        ],
    }


class PlotBehind(Schema):
    id: str
    anonymous: bool
    member: str
    fairtrade: bool
    organic_stage: str
    geometry: dict | None


class LotOut(Schema):
    code: str
    season: str
    claim: str
    for_eu: bool
    dry_kg: str
    deliveries: int
    contracts: list[str]
    plots: list[PlotBehind]
    created_at: datetime
    updated_at: datetime


class LotPage(Page):
    results: list[LotOut]


def own_contracts(request):
    """A buyer reads only its own contracts (named by the client's institution); others read all."""
    rows = SalesContract.objects.all()
    client = request.api_key.client
    if client.kind == "buyer":
        rows = rows.filter(buyer__iexact=client.name)
    return rows


def plots_behind(request, lot_ids) -> dict[int, list[dict]]:
    """The plots whose deliveries went into each lot; geometry only with consent and the geolocation scope."""
    links = (
        Delivery.objects.filter(lot_id__in=lot_ids, plot__isnull=False)
        .values_list("lot_id", "plot_id")
        .distinct()
        .order_by("lot_id", "plot_id")
    )
    by_lot: dict[int, list[int]] = {}
    for lot_id, plot_id in links:
        by_lot.setdefault(lot_id, []).append(plot_id)
    plots_by_id = Plot.objects.select_related("member").in_bulk({p for ids in by_lot.values() for p in ids})
    allowed = consenting_member_ids(kind_of(request), {plot.member_id for plot in plots_by_id.values()})
    with_geometry = request.api_key.client.has_scope(Scope.GEOLOCATION)
    read_personal(request, {plot.member_id for plot in plots_by_id.values() if plot.member_id in allowed})
    result = {}
    for lot_id, ids in by_lot.items():
        result[lot_id] = []
        for plot in (plots_by_id[pk] for pk in ids):
            personal = plot.member_id in allowed
            result[lot_id].append(
                {
                    "id": plot.code if personal else anonymous_plot_code(plot.pk),
                    "anonymous": not personal,
                    "member": plot.member.code if personal else anonymous_code(plot.member_id),
                    "fairtrade": plot.fairtrade_certified,
                    "organic_stage": plot.organic_stage,
                    "geometry": json.loads(plot.geometry)
                    if personal and with_geometry and plot.geometry
                    else None,
                }
            )
    return result


@trade.get("/lots/", response={200: LotPage, **ERRORS}, summary="Lots with the plots behind them (EUDR)")
def lots(request, filters: Query[Filters]):
    need(request, Scope.TRADE)
    season = season_or_400(filters.season)
    certification = certification_or_400(filters.certification)
    rows = Lot.objects.select_related("season")
    if request.api_key.client.kind == "buyer":
        rows = rows.filter(contracts__in=own_contracts(request)).distinct()
    if season:
        rows = rows.filter(season=season)
    if filters.community:
        rows = rows.filter(
            Exists(Delivery.objects.filter(lot=OuterRef("pk"), member__community=filters.community))
        )
    if certification:
        rows = rows.filter(claim__in=delivery_certifications(certification))
    moment = since(filters)
    if moment:
        rows = rows.filter(updated_at__gte=moment)
    rows = rows.annotate(
        dry=Coalesce(Sum("deliveries__dry_g"), 0), n=Count("deliveries", distinct=True)
    ).order_by("pk")
    page, envelope = paged(request, filters, rows)
    behind = plots_behind(request, [lot.pk for lot in page])
    contracts = {}
    for lot_id, number in SalesContract.lots.through.objects.filter(
        lot_id__in=[lot.pk for lot in page]
    ).values_list("lot_id", "salescontract__number"):
        contracts.setdefault(lot_id, []).append(number)
    return {
        **envelope,
        "results": [
            {
                "code": lot.code,
                "season": lot.season.code,
                "claim": lot.claim,
                "for_eu": lot.for_eu,
                "dry_kg": grams_as_kg(lot.dry),
                "deliveries": lot.n,
                "contracts": sorted(contracts.get(lot.pk, [])),
                "plots": behind.get(lot.pk, []),
                "created_at": lot.created_at,
                "updated_at": lot.updated_at,
            }
            for lot in page
        ],
    }


class ContractOut(Schema):
    number: str
    buyer: str
    signed_on: date
    season: str
    terms: str
    quantity_kg: int
    forward: bool
    shipment_from: date | None
    shipment_to: date | None
    shipped_on: date | None
    invoiced_on: date | None
    lots: list[str]
    plots: list[PlotBehind]
    updated_at: datetime


class ContractPage(Page):
    results: list[ContractOut]


@trade.get(
    "/contracts/", response={200: ContractPage, **ERRORS}, summary="Sales contracts with their lots and plots"
)
def contracts(request, filters: Query[Filters]):
    need(request, Scope.TRADE)
    season = season_or_400(filters.season)
    certification = certification_or_400(filters.certification)
    rows = own_contracts(request).select_related("season").prefetch_related("lots")
    if season:
        rows = rows.filter(season=season)
    if filters.community:
        rows = rows.filter(
            Exists(
                Delivery.objects.filter(lot__contracts=OuterRef("pk"), member__community=filters.community)
            )
        )
    if certification:
        rows = rows.filter(terms__in=delivery_certifications(certification))
    moment = since(filters)
    if moment:
        rows = rows.filter(updated_at__gte=moment)
    page, envelope = paged(request, filters, rows.order_by("pk"))
    behind = plots_behind(request, [lot.pk for contract in page for lot in contract.lots.all()])
    results = []
    for contract in page:
        plots_of_contract, seen = [], set()
        for lot in contract.lots.all():
            for plot in behind.get(lot.pk, []):
                if plot["id"] not in seen:
                    seen.add(plot["id"])
                    plots_of_contract.append(plot)
        results.append(
            {
                "number": contract.number,
                "buyer": contract.buyer,
                "signed_on": contract.signed_on,
                "season": contract.season.code,
                "terms": contract.terms,
                "quantity_kg": contract.quantity_kg,
                "forward": contract.forward,
                "shipment_from": contract.shipment_from,
                "shipment_to": contract.shipment_to,
                "shipped_on": contract.shipped_on,
                "invoiced_on": contract.invoiced_on,
                "lots": sorted(lot.code for lot in contract.lots.all()),
                "plots": plots_of_contract,
                "updated_at": contract.updated_at,
            }
        )
    return {**envelope, "results": results}


# --- documents ----------------------------------------------------------------------------------


class DocumentOut(Schema):
    number: str
    kind: str
    title: str
    season: str | None
    member: str | None
    issued_at: datetime
    verification_code: str
    content_sha256: str
    download: str


class DocumentPage(Page):
    results: list[DocumentOut]


documents_router = Router(tags=["documents"])


@documents_router.get("/documents/", response={200: DocumentPage, **ERRORS}, summary="Documents Minka issued")
def documents(request, filters: Query[Filters]):
    need(request, Scope.DOCUMENTS)
    season = season_or_400(filters.season)
    rows = IssuedDocument.objects.select_related("season", "member")
    if season:
        rows = rows.filter(season=season)
    if filters.community:
        rows = rows.filter(member__community=filters.community)
    moment = since(filters)
    if moment:
        rows = rows.filter(issued_at__gte=moment)
    page, envelope = paged(request, filters, rows.order_by("pk"))
    allowed = consenting_member_ids(kind_of(request), {doc.member_id for doc in page if doc.member_id})
    read_personal(request, allowed)
    results = []
    for doc in page:
        personal = doc.member_id is None or doc.member_id in allowed
        results.append(
            {
                "number": doc.number,
                "kind": doc.kind,
                # A member's statement names the member: without consent only its kind is given.
                "title": doc.title if personal else str(DocumentKind(doc.kind).label),
                "season": doc.season.code if doc.season else None,
                "member": None
                if doc.member_id is None
                else (doc.member.code if personal else anonymous_code(doc.member_id)),
                "issued_at": doc.issued_at,
                "verification_code": doc.paper_code,
                "content_sha256": doc.content_hash,
                "download": settings.MINKA_PUBLIC_URL.rstrip("/")
                + reverse("document_verify", args=[doc.verification_key]),
            }
        )
    return {**envelope, "results": results}


# --- figures ------------------------------------------------------------------------------------


class CommunityFigures(Schema):
    community: str
    members: int
    active_members: int
    women: int
    men: int
    plots: int
    total_area_ha: str
    fairtrade_plots: int
    organic_plots: int
    dry_kg: str


class FiguresOut(Schema):
    season: str | None
    as_of: datetime
    communities: list[CommunityFigures]


figures_router = Router(tags=["figures"])


@figures_router.get(
    "/figures/", response={200: FiguresOut, **ERRORS}, summary="Aggregated figures per community"
)
def figures(request, filters: Query[Filters]):
    need(request, Scope.FIGURES)
    season = season_or_400(filters.season)
    members_by = {
        row["community"]: row
        for row in Member.objects.values("community").annotate(
            n=Count("id"),
            active=Count("id", filter=Q(status="active")),
            women=Count("id", filter=Q(sex="F")),
            men=Count("id", filter=Q(sex="M")),
        )
    }
    plots_by = {
        row["member__community"]: row
        for row in Plot.objects.values("member__community").annotate(
            n=Count("id"),
            area=Sum("total_area_ha"),
            ft=Count("id", filter=Q(fairtrade_certified=True)),
            org=Count("id", filter=Q(organic_stage=OrganicStage.ORGANIC)),
        )
    }
    deliveries_of = Delivery.objects.filter(status=DeliveryStatus.VALID, member__isnull=False)
    if season:
        deliveries_of = deliveries_of.filter(season=season)
    dry_by = {
        row["member__community"]: row["dry"]
        for row in deliveries_of.values("member__community").annotate(dry=Sum("dry_g"))
    }
    communities = sorted(set(members_by) | set(plots_by))
    if filters.community:
        communities = [c for c in communities if c == filters.community]
    result = [
        {
            "community": community,
            "members": members_by.get(community, {}).get("n", 0),
            "active_members": members_by.get(community, {}).get("active", 0),
            "women": members_by.get(community, {}).get("women", 0),
            "men": members_by.get(community, {}).get("men", 0),
            "plots": plots_by.get(community, {}).get("n", 0),
            "total_area_ha": decimal_text(plots_by.get(community, {}).get("area") or 0, 4),
            "fairtrade_plots": plots_by.get(community, {}).get("ft", 0),
            "organic_plots": plots_by.get(community, {}).get("org", 0),
            "dry_kg": grams_as_kg(dry_by.get(community)),
        }
        for community in communities
    ]
    request.api_rows = len(result)
    return {"season": season.code if season else None, "as_of": request.api_started_at, "communities": result}


api.add_router("", register)
api.add_router("", geolocation)
api.add_router("", trade)
api.add_router("", documents_router)
api.add_router("", figures_router)
