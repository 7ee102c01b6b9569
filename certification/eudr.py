"""The EU Deforestation Regulation (EUDR) geolocation file: one GeoJSON Feature per plot.

What goes in: every plot behind a lot (the plots of its deliveries that are
not void), or behind every lot of a season marked for the EU. Each plot
appears once, however many deliveries or lots it is behind.

What comes out: an RFC 7946 FeatureCollection in WGS84, positions
[longitude, latitude], coordinates written exactly as the surveyor wrote them
(read as Decimals by coop.geometry, never rounded through floats, so the six
or more decimals EUDR asks for survive). Polygon rings follow the right-hand
rule: an exterior ring that was stored clockwise, or a hole stored
counter-clockwise, is written in reverse order; no coordinate is recomputed.
Properties are the ones the EU information system reads (ProducerName,
ProducerCountry "PE", ProductionPlace, Area in hectares) plus PlotCode and
MemberCode so the cooperative can find the plot in its register. The DNI is
left out: the file goes to buyers and the EU and does not need it.

The export is all or nothing. If any plot fails the checks (no geolocation,
fewer than six decimals, a point for a plot over 4 ha or of unknown area, a
ring not closed, a polygon that crosses itself, a position outside Peru, no
area recorded) or a delivery in the lot has no plot at all, nothing is
written: ``EudrExportError`` (a Django ValidationError) lists every problem,
in the active language, each naming the plot (or receipt) and the member. "Outside Peru"
is the generous box of coop.geometry, not the border.

A lot not marked for the EU can still be exported, with the same checks: the
geolocation file is a fact about the plots, and a cooperative checks it before
offering a lot to an EU buyer. But the file is not the lot's EUDR declaration,
so ``lot_notices`` says so and the command prints it; the file itself carries
nothing beyond RFC 7946 and the EU's properties.

Memory: plots are read with ``.iterator()`` and each Feature is serialised as
soon as it is checked, so ``eudr_geojson_bytes`` holds text, not 20,000 dicts.
"""

from collections.abc import Iterable, Iterator
from decimal import Decimal, localcontext

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.errors import ShapelyError

from acopio.models import Delivery, DeliveryStatus, Lot
from coop.geometry import GeometryError, check_geometry, dumps_geometry, parse_geojson
from coop.models import Plot, Season

PRODUCER_COUNTRY = "PE"
CHUNK = 2000  # rows fetched at a time by .iterator()


class EudrExportError(ValidationError):
    """The export was refused; ``messages`` lists every problem."""


# Which plots ---------------------------------------------------------------


def plots_for_lot(lot: Lot) -> QuerySet:
    """The plots of the lot's deliveries that are not void, each once, by code."""
    behind = Delivery.objects.filter(plot=OuterRef("pk"), lot=lot, status=DeliveryStatus.VALID)
    return Plot.objects.filter(Exists(behind)).select_related("member").order_by("code")


def plots_for_season(season: Season) -> QuerySet:
    """The plots behind every lot of the season marked for the EU (deliveries not void), each once."""
    behind = Delivery.objects.filter(
        plot=OuterRef("pk"), lot__season=season, lot__for_eu=True, status=DeliveryStatus.VALID
    )
    return Plot.objects.filter(Exists(behind)).select_related("member").order_by("code")


def _deliveries_without_plot(deliveries) -> list[str]:
    rows = (
        deliveries.filter(status=DeliveryStatus.VALID, plot__isnull=True)
        .select_related("member", "lot")
        .order_by("receipt_series", "receipt_number")
    )
    return [
        _(
            "Recibo %(receipt)s (%(code)s %(name)s, lote %(lot)s): "
            "la entrega no tiene parcela, así que su cacao no se puede geolocalizar."
        )
        % {"receipt": d.receipt_code, "code": d.member.code, "name": d.member.name, "lot": d.lot.code}
        for d in rows
    ]


def lot_notices(lot: Lot) -> list[str]:
    """What a user should read next to a lot's file, though the export goes ahead."""
    if lot.for_eu:
        return []
    return [
        _(
            "El lote %(lot)s no está marcado para la Unión Europea: este archivo muestra la "
            "geolocalización de sus parcelas, pero el lote no se armó como lote EUDR."
        )
        % {"lot": lot.code}
    ]


# Checking and writing one plot --------------------------------------------


def _plot_label(plot: Plot) -> str:
    return _("Parcela %(plot)s (%(code)s %(name)s)") % {
        "plot": plot.code,
        "code": plot.member.code,
        "name": plot.member.name,
    }


def _area_ha(plot: Plot) -> Decimal | None:
    """The plot's area: the one in the register, else the georeferenced one."""
    return plot.total_area_ha if plot.total_area_ha is not None else plot.georeferenced_ha


def _checked_geometry(plot: Plot) -> dict:
    """The plot's geometry with exact Decimals, checked; GeometryError saying what is wrong otherwise."""
    if not plot.geometry.strip():
        raise GeometryError(_("No tiene geolocalización."))
    area = _area_ha(plot)
    if area is None:
        raise GeometryError(_("No tiene área registrada (ha); el archivo EUDR la pide para cada parcela."))
    geometry = parse_geojson(plot.geometry)
    check_geometry(geometry, area_ha=area)  # a point over POINT_MAX_HA is one of its checks
    return geometry


def _signed_area2(ring: list) -> Decimal:
    """Twice the ring's signed area in degrees², exact: positive when counter-clockwise."""
    with localcontext() as ctx:
        ctx.prec = 80  # products of 10-digit coordinates, summed: never rounded
        return sum((a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False)), Decimal(0))


def _oriented(polygon: list) -> list:
    """Exterior ring counter-clockwise, holes clockwise (RFC 7946 §3.1.6), by reversing rings."""
    out = []
    for index, ring in enumerate(polygon):
        ccw = _signed_area2(ring) > 0
        wanted_ccw = index == 0
        out.append(ring if ccw == wanted_ccw else list(reversed(ring)))
    return out


def _right_hand(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": _oriented(geometry["coordinates"])}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [_oriented(p) for p in geometry["coordinates"]]}
    return geometry


def _production_place(plot: Plot) -> str:
    """Plot name, community, district, province, department: the plot's own, else the member's."""
    member = plot.member
    parts = [plot.name]
    for field in ("community", "district", "province", "department"):
        parts.append(getattr(plot, field) or getattr(member, field))
    return ", ".join(part.strip() for part in parts if part and part.strip()) or plot.code


def _feature(plot: Plot, geometry: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": _right_hand(geometry),
        "properties": {
            "ProducerName": plot.member.name,
            "ProducerCountry": PRODUCER_COUNTRY,
            "ProductionPlace": _production_place(plot),
            # 2.5000 is written 2.5 (and 10.0000 as 10, never 1E+1).
            "Area": Decimal(format(_area_ha(plot).normalize(), "f")),
            "PlotCode": plot.code,
            "MemberCode": plot.member.code,
        },
    }


def _features(plots: Iterable[Plot]) -> Iterator[tuple[dict | None, str | None]]:
    """Each plot, once, as (feature, None) or (None, problem)."""
    if isinstance(plots, QuerySet):
        plots = plots.select_related("member").iterator(chunk_size=CHUNK)
    seen: set[int] = set()
    for plot in plots:
        if plot.pk in seen:
            continue
        seen.add(plot.pk)
        try:
            geometry = _checked_geometry(plot)
        except GeometryError as exc:
            reason = str(exc)
            # The reason is a sentence of its own («No tiene …»), put after the plot in lower case.
            yield (
                None,
                _("%(plot)s: %(reason)s")
                % {"plot": _plot_label(plot), "reason": reason[:1].lower() + reason[1:]},
            )
        except (ValueError, TypeError, IndexError, KeyError, ShapelyError):
            # Text stored before the checks existed, or edited by hand, that shapely cannot read.
            yield (
                None,
                _("%(plot)s: la geometría guardada no tiene la forma de GeoJSON.")
                % {"plot": _plot_label(plot)},
            )
        else:
            yield _feature(plot, geometry), None


def _collect(plots, problems: Iterable[str], empty_message: str, build) -> list:
    """``build(feature)`` for every plot, or EudrExportError with every problem found."""
    built, problems = [], list(problems)
    for feature, problem in _features(plots):
        if problem:
            problems.append(problem)
        elif not problems:  # once refused, keep checking the rest but stop building
            built.append(build(feature))
    if problems:
        raise EudrExportError(problems)
    if not built:
        raise EudrExportError([empty_message])
    return built


def _dumps(value) -> str:
    """JSON text with each Decimal written exactly as read, and names in plain UTF-8."""
    return dumps_geometry(value, ensure_ascii=False)


# The file --------------------------------------------------------------------

NOTHING = gettext_lazy("No hay parcelas que exportar.")


def eudr_feature_collection(
    plots: Iterable[Plot], *, problems: Iterable[str] = (), empty_message: str = NOTHING
) -> dict:
    """The FeatureCollection as a dict. Coordinates and Area are Decimals, exactly as stored:
    serialise it with ``eudr_geojson_bytes`` (json.dumps refuses Decimals, and Django's encoder
    would write them as strings).

    Raises EudrExportError listing every failing plot, plus ``problems`` the caller found, or
    ``empty_message`` when there is no plot at all.
    """
    features = _collect(plots, problems, empty_message, build=lambda feature: feature)
    return {"type": "FeatureCollection", "features": features}


def eudr_geojson_bytes(
    plots: Iterable[Plot], *, problems: Iterable[str] = (), empty_message: str = NOTHING
) -> bytes:
    """The GeoJSON file as UTF-8: compact JSON, one Feature per line, decimals as written.

    Same checks and refusal as ``eudr_feature_collection``; each Feature becomes text as soon as
    it is checked, so 20,000 plots are held as text, not as dicts of Decimals.
    """
    lines = _collect(plots, problems, empty_message, build=_dumps)
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    return text.encode("utf-8")


def lot_geojson_bytes(lot: Lot) -> bytes:
    """The file for one lot; refused if a plot fails, a delivery has no plot, or nothing is left.

    A lot not marked for the EU is exported too (see the module docstring and ``lot_notices``).
    """
    return eudr_geojson_bytes(
        plots_for_lot(lot),
        problems=_deliveries_without_plot(lot.deliveries.all()),
        empty_message=_("El lote %(lot)s no tiene entregas vigentes con parcela: no hay nada que exportar.")
        % {"lot": lot.code},
    )


def season_geojson_bytes(season: Season) -> bytes:
    """The file for every lot of the season marked for the EU, each plot once."""
    if not season.lots.filter(for_eu=True).exists():
        raise EudrExportError([_("La %(season)s no tiene lotes para la Unión Europea.") % {"season": season}])
    return eudr_geojson_bytes(
        plots_for_season(season),
        problems=_deliveries_without_plot(Delivery.objects.filter(lot__season=season, lot__for_eu=True)),
        empty_message=_(
            "Los lotes para la Unión Europea de la %(season)s no tienen entregas vigentes "
            "con parcela: no hay nada que exportar."
        )
        % {"season": season},
    )
