"""Plot geolocation: GeoJSON geometries in WGS84, checked the way EUDR needs.

Coordinates are parsed as Decimals so the number of decimals the surveyor
wrote is kept: EUDR asks for at least six. The text is stored as written
(normalised JSON), never as floats that would drop trailing zeros.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from toolkit.numbers import parse_decimal

# A generous box around Peru (longitude, latitude).
PERU_LON = (Decimal("-81.5"), Decimal("-68.5"))
PERU_LAT = (Decimal("-18.5"), Decimal("0.1"))
MIN_DECIMALS = 6
POINT_MAX_HA = Decimal("4")
ALLOWED_TYPES = {"Point", "Polygon", "MultiPolygon"}

COORDINATE_RANGE = (Decimal(-180), Decimal(180))


class GeometryError(ValueError):
    """A geometry that cannot be accepted; the message is for the user, in their language."""


@dataclass(frozen=True)
class CheckedGeometry:
    geojson: str  # normalised text, decimals as written
    kind: str  # Point, Polygon or MultiPolygon
    centroid_lon: Decimal
    centroid_lat: Decimal


def dumps_geometry(value, *, ensure_ascii: bool = True) -> str:
    """Serialise parsed GeoJSON, writing each Decimal exactly as it was read.

    ``ensure_ascii=False`` keeps names in plain UTF-8 (the EUDR file's producer names).
    """

    def dumps(item) -> str:
        return dumps_geometry(item, ensure_ascii=ensure_ascii)

    if isinstance(value, dict):
        return "{" + ",".join(f"{dumps(k)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, ensure_ascii=ensure_ascii)


def decimals(value: Decimal) -> int:
    """How many decimals ``value`` was written with (trailing zeros count: -6.430000 has 6)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _positions(geometry: dict) -> list[list]:
    kind = geometry["type"]
    coords = geometry["coordinates"]
    if kind == "Point":
        return [coords]
    if kind == "Polygon":
        return [pos for ring in coords for pos in ring]
    return [pos for polygon in coords for ring in polygon for pos in ring]


def _rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


# A MultiPolygon inside a Feature is nested 5 levels deep; anything far deeper is not a plot.
MAX_GEOJSON_DEPTH = 20
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def geojson_depth(text: str) -> int:
    """How deep the brackets of ``text`` nest, strings left out: counted before the JSON parser
    (recursive) is let near it."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _json_number(text: str) -> Decimal:
    """A GeoJSON number as an exact Decimal; an absurd one («1e999999999», a thousand digits) is
    refused here, before anything writes it out in full."""
    number = Decimal(text)
    if not number.is_finite() or len(text) > 40 or not -30 < number.adjusted() < 7:
        if number.is_zero() and len(text) <= 40:
            return number
        raise GeometryError(_("«%(text)s» no es una coordenada.") % {"text": text[:40]})
    return number


def parse_geojson(text: str) -> dict:
    """Read a GeoJSON geometry (or a Feature holding one) keeping exact decimals."""
    if geojson_depth(text) > MAX_GEOJSON_DEPTH:
        raise GeometryError(
            _(
                "El GeoJSON anida más de %(max)s niveles de corchetes o llaves; "
                "no es la geometría de una parcela."
            )
            % {"max": MAX_GEOJSON_DEPTH}
        )
    try:
        data = json.loads(text, parse_float=_json_number, parse_int=_json_number)
    except (json.JSONDecodeError, TypeError, RecursionError) as exc:
        raise GeometryError(_("El GeoJSON no se puede leer (texto JSON mal formado).")) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ALLOWED_TYPES:
        raise GeometryError(_("La geometría debe ser un Point, Polygon o MultiPolygon de GeoJSON."))
    if not isinstance(data.get("coordinates"), list):
        raise GeometryError(_("La geometría no tiene coordenadas."))
    return {"type": data["type"], "coordinates": data["coordinates"]}


def point(lon: Decimal, lat: Decimal) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def check_geometry(geometry: dict, *, area_ha: Decimal | None) -> CheckedGeometry:
    """Validate a parsed geometry; raise GeometryError with every problem found."""
    problems: list[str] = []
    try:
        positions = _positions(geometry)
        for pos in positions:
            if len(pos) < 2 or not all(isinstance(v, Decimal) for v in pos[:2]):
                raise GeometryError(_("Cada coordenada debe ser [longitud, latitud] en números."))
    except (TypeError, IndexError, KeyError) as exc:
        raise GeometryError(_("Las coordenadas no tienen la forma de GeoJSON.")) from exc

    outside = [
        p
        for p in positions
        if not (PERU_LON[0] <= p[0] <= PERU_LON[1] and PERU_LAT[0] <= p[1] <= PERU_LAT[1])
    ]
    # Each problem is a clause starting in lower case; together they make one sentence «A; b; c.».
    if outside:
        lon, lat = outside[0][0], outside[0][1]
        problems.append(
            _("la coordenada [%(lon)s, %(lat)s] está fuera del Perú (¿longitud y latitud invertidas?)")
            % {"lon": lon, "lat": lat}
        )
    imprecise = [v for p in positions for v in p[:2] if decimals(v) < MIN_DECIMALS]
    if imprecise:
        problems.append(
            _("las coordenadas necesitan al menos %(min)s decimales (por ejemplo %(example)s)")
            % {"min": MIN_DECIMALS, "example": imprecise[0]}
        )
    for ring in _rings(geometry):
        if len(ring) < 4:
            problems.append(_("un anillo del polígono tiene menos de 4 puntos"))
        elif [v for v in ring[0][:2]] != [v for v in ring[-1][:2]]:
            problems.append(_("el polígono no está cerrado (el último punto debe repetir el primero)"))
    if geometry["type"] == "Point" and area_ha is not None and area_ha > POINT_MAX_HA:
        problems.append(
            _("una parcela de %(area)s ha necesita un polígono; un punto solo se admite hasta %(max)s ha")
            % {"area": format(area_ha.normalize(), "f"), "max": POINT_MAX_HA}
        )
    if problems:
        raise GeometryError(capfirst(f"{'; '.join(problems)}."))

    floats = _as_floats(geometry)
    shp = shape(floats)
    if not shp.is_valid:
        reason = explain_validity(shp)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise GeometryError(_("El polígono se cruza consigo mismo (auto-intersección)."))
        raise GeometryError(_("El polígono no es válido (%(reason)s).") % {"reason": reason})
    if geometry["type"] != "Point" and shp.area == 0:
        raise GeometryError(_("El polígono no tiene superficie."))
    centroid = shp.centroid if geometry["type"] != "Point" else shp
    return CheckedGeometry(
        geojson=dumps_geometry(geometry),
        kind=geometry["type"],
        centroid_lon=Decimal(f"{centroid.x:.6f}"),
        centroid_lat=Decimal(f"{centroid.y:.6f}"),
    )


def _as_floats(value):
    if isinstance(value, dict):
        return {k: _as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_floats(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def parse_coordinate(text) -> Decimal:
    """A latitude or longitude as typed, with decimal point or comma, read by the one number parser.
    A coordinate is within ±180, so «-5,123» can only be -5.123, never -5123."""
    try:
        return parse_decimal(str(text), allow_negative=True, between=COORDINATE_RANGE)
    except ValidationError as exc:
        raise GeometryError(_("«%(text)s» no es una coordenada.") % {"text": str(text).strip()}) from exc
