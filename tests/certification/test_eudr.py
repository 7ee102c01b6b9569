"""The EUDR geolocation file: what a buyer's due-diligence team uploads, checked as they would check it.

The file is read back here with plain json and shapely, not with the code that wrote it.
"""

import json
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import LinearRing, shape

from acopio.models import Lot
from acopio.services import build_lot, void_delivery
from certification.eudr import (
    EudrExportError,
    eudr_feature_collection,
    eudr_geojson_bytes,
    lot_geojson_bytes,
    plots_for_lot,
    plots_for_season,
    season_geojson_bytes,
)
from coop.models import Certification, Plot
from tests.acopio.factories import load_prices

pytestmark = pytest.mark.django_db

# Peru's extent (its border, not coop.geometry's generous box): longitude, latitude.
PERU_LON, PERU_LAT = (-81.33, -68.65), (-18.35, -0.03)

# Counter-clockwise; one longitude surveyed with nine decimals, others with trailing zeros.
MARIA_POLYGON = (
    '{"type":"Polygon","coordinates":[[[-76.130000,-6.570000],[-76.132000125,-6.570000],'
    "[-76.132500,-6.572000],[-76.130000,-6.572500],[-76.130000,-6.570000]]]}"
)
# Stored the wrong way round: the exterior clockwise, its hole counter-clockwise.
ROSA_EXTERIOR_CW = [
    ["-76.120000", "-6.560000"],
    ["-76.120000", "-6.563000"],
    ["-76.123000", "-6.563000"],
    ["-76.123000", "-6.560000"],
    ["-76.120000", "-6.560000"],
]
ROSA_HOLE_CCW = [
    ["-76.121000", "-6.561000"],
    ["-76.122000", "-6.561000"],
    ["-76.122000", "-6.562000"],
    ["-76.121000", "-6.562000"],
    ["-76.121000", "-6.561000"],
]
SEGUNDO_POINT = '{"type":"Point","coordinates":[-76.140000,-6.580000]}'
# Two patches of one plot: the first counter-clockwise, the second clockwise.
ROSA_MULTI = (
    '{"type":"MultiPolygon","coordinates":['
    "[[[-76.150000,-6.590000],[-76.151000,-6.590000],[-76.151000,-6.591000],[-76.150000,-6.591000],"
    "[-76.150000,-6.590000]]],"
    "[[[-76.155000,-6.590000],[-76.155000,-6.591000],[-76.156000,-6.591000],[-76.156000,-6.590000],"
    "[-76.155000,-6.590000]]]]}"
)


def _ring_text(ring) -> str:
    return "[" + ",".join(f"[{lon},{lat}]" for lon, lat in ring) + "]"


ROSA_POLYGON = (
    '{"type":"Polygon","coordinates":['
    + _ring_text(ROSA_EXTERIOR_CW)
    + ","
    + _ring_text(ROSA_HOLE_CCW)
    + "]}"
)


def locate(plot: Plot, geometry: str, hectares: str) -> Plot:
    """Survey a plot the way the register page does (Plot.clean checks and normalises it)."""
    plot.geometry, plot.total_area_ha = geometry, Decimal(hectares)
    plot.full_clean()
    plot.save()
    return plot


@pytest.fixture
def located(coop):
    plots = coop["plots"]
    locate(plots["maria"], MARIA_POLYGON, "5")
    plots["maria"].name = "La Esperanza"
    plots["maria"].save()
    locate(plots["rosa_ft"], ROSA_POLYGON, "10")
    locate(plots["segundo"], SEGUNDO_POINT, "0.5")
    locate(plots["rosa_conv"], ROSA_MULTI, "2.4")
    return plots


@pytest.fixture
def eu_lot(coop, located, deliver, admin_user_minka):
    """A conventional lot for the EU: María twice (one plot), Segundo, Rosa's two plots."""
    receipts = [
        deliver(),
        deliver(date=date(2026, 2, 10)),
        deliver(member=coop["segundo"], plot=located["segundo"]),
        deliver(member=coop["rosa"], plot=located["rosa_ft"]),
        deliver(member=coop["rosa"], plot=located["rosa_conv"]),
    ]
    return build_lot(
        code="L-EU1",
        season=coop["seasons"]["2026"],
        claim=Certification.CONVENTIONAL,
        for_eu=True,
        receipts=[d.receipt_code for d in receipts],
        user=admin_user_minka,
    )


def export_lot(code: str, path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("export_eudr", "--lot", code, "-o", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rings_of(geometry: dict) -> list[list]:
    """Each polygon's rings, exterior first."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def positions_of(geometry: dict) -> list:
    if geometry["type"] == "Point":
        return [geometry["coordinates"]]
    return [pos for polygon in rings_of(geometry) for ring in polygon for pos in ring]


def assert_rfc7946_eudr(text: str) -> dict:
    """Everything an RFC 7946 / EUDR checker looks at, on the file's text."""
    data = json.loads(text)
    assert set(data) == {"type", "features"} and data["type"] == "FeatureCollection"
    assert data["features"], "a file with no plot is no declaration"
    # At least six decimals as written (json.loads would drop trailing zeros: read the text itself).
    numbers = re.findall(r'"coordinates":(\[[^a-z]*\])', text)
    assert len(numbers) == len(data["features"])
    for written in re.findall(r"-?\d+(?:\.\d+)?", "".join(numbers)):
        assert "." in written and len(written.split(".")[1]) >= 6, written
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        geometry, properties = feature["geometry"], feature["properties"]
        assert geometry["type"] in {"Point", "Polygon", "MultiPolygon"}
        for position in positions_of(geometry):
            assert len(position) == 2
            lon, lat = position
            assert PERU_LON[0] <= lon <= PERU_LON[1] and PERU_LAT[0] <= lat <= PERU_LAT[1], position
        for polygon in rings_of(geometry):
            for index, ring in enumerate(polygon):
                assert len(ring) >= 4 and ring[0] == ring[-1]
                assert LinearRing(ring).is_ccw == (index == 0), "exterior CCW, holes CW"
        assert shape(geometry).is_valid
        assert properties["ProducerCountry"] == "PE"
        assert properties["ProducerName"].strip() and properties["ProductionPlace"].strip()
        assert isinstance(properties["Area"], int | float) and not isinstance(properties["Area"], bool)
        assert properties["Area"] > 0
        if geometry["type"] == "Point":
            assert properties["Area"] <= 4
    return data


# A good lot ------------------------------------------------------------------


def test_the_command_writes_a_valid_file_with_one_feature_per_plot(eu_lot, tmp_path):
    target = tmp_path / "L-EU1.geojson"
    out, err = export_lot("l-eu1", target)  # the code as typed, in lower case
    assert "4 parcelas exportadas del lote L-EU1" in out and err == ""
    text = target.read_text(encoding="utf-8")
    data = assert_rfc7946_eudr(text)
    by_code = {f["properties"]["PlotCode"]: f for f in data["features"]}
    assert sorted(by_code) == ["S-00001-P1", "S-00002-P1", "S-00003-P1", "S-00003-P2"]
    assert len(data["features"]) == 4  # María delivered twice from one plot: one Feature
    maria = by_code["S-00001-P1"]["properties"]
    assert maria == {
        "ProducerName": "María Luz Tuanama Sangama",
        "ProducerCountry": "PE",
        "ProductionPlace": "La Esperanza, Tununtunumba",
        "Area": 5,
        "PlotCode": "S-00001-P1",
        "MemberCode": "S-00001",
    }
    assert by_code["S-00002-P1"]["geometry"] == {"type": "Point", "coordinates": [-76.14, -6.58]}
    assert by_code["S-00003-P1"]["properties"]["Area"] == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L-EU1.geojson"]  # no temporary file left


def test_coordinates_are_written_exactly_as_surveyed(eu_lot):
    text = lot_geojson_bytes(eu_lot).decode("utf-8")
    # Nine decimals kept, trailing zeros kept: nothing went through a float.
    assert "[-76.132000125,-6.570000]" in text
    assert "[-76.140000,-6.580000]" in text
    assert "Tuanama" in text and "María" in text  # plain UTF-8, not \u escapes


def test_a_clockwise_polygon_comes_out_counter_clockwise_with_its_points_reversed(eu_lot):
    data = json.loads(lot_geojson_bytes(eu_lot), parse_float=Decimal)
    rosa = next(f for f in data["features"] if f["properties"]["PlotCode"] == "S-00003-P1")
    exterior, hole = rosa["geometry"]["coordinates"]
    assert exterior == [[Decimal(lon), Decimal(lat)] for lon, lat in reversed(ROSA_EXTERIOR_CW)]
    assert hole == [[Decimal(lon), Decimal(lat)] for lon, lat in reversed(ROSA_HOLE_CCW)]
    assert LinearRing(exterior).is_ccw and not LinearRing(hole).is_ccw
    patches = next(f for f in data["features"] if f["properties"]["PlotCode"] == "S-00003-P2")
    first, second = (polygon[0] for polygon in patches["geometry"]["coordinates"])
    assert LinearRing(first).is_ccw and LinearRing(second).is_ccw
    assert first[1] == [Decimal("-76.151000"), Decimal("-6.590000")]  # already CCW: left as stored


def test_the_dict_for_the_web_view_matches_the_file(eu_lot):
    collection = eudr_feature_collection(plots_for_lot(eu_lot))
    from_file = json.loads(eudr_geojson_bytes(plots_for_lot(eu_lot)), parse_float=Decimal)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["PlotCode"] for f in collection["features"]] == [
        f["properties"]["PlotCode"] for f in from_file["features"]
    ]
    assert collection["features"][0]["geometry"] == from_file["features"][0]["geometry"]


def test_a_voided_delivery_brings_no_plot(eu_lot, admin_user_minka):
    segundo = eu_lot.deliveries.get(member__code="S-00002")
    void_delivery(delivery=segundo, reason="Peso mal anotado", user=admin_user_minka)
    codes = {f["properties"]["PlotCode"] for f in json.loads(lot_geojson_bytes(eu_lot))["features"]}
    assert codes == {"S-00001-P1", "S-00003-P1", "S-00003-P2"}


# Refusals ------------------------------------------------------------------

BAD = {
    "sin decimales": ('{"type":"Point","coordinates":[-76.14,-6.58]}', "1", "al menos 6 decimales"),
    "punto grande": (SEGUNDO_POINT, "6.5", "una parcela de 6.5 ha necesita un polígono"),
    "sin área": (SEGUNDO_POINT, None, "no tiene área registrada"),
    "abierto": (
        '{"type":"Polygon","coordinates":[[[-76.120000,-6.560000],[-76.122000,-6.560000],'
        "[-76.122000,-6.562000],[-76.120000,-6.562000],[-76.120100,-6.560000]]]}",
        "4",
        "no está cerrado",
    ),
    "cruzado": (
        '{"type":"Polygon","coordinates":[[[-76.120000,-6.560000],[-76.122000,-6.562000],'
        "[-76.122000,-6.560000],[-76.120000,-6.562000],[-76.120000,-6.560000]]]}",
        "4",
        "se cruza consigo mismo",
    ),
    "invertido": ('{"type":"Point","coordinates":[-6.580000,-76.140000]}', "1", "fuera del Perú"),
    "sin geometría": ("", "1", "no tiene geolocalización"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_kind_of_bad_plot_refuses_the_export_and_says_why(eu_lot, case):
    geometry, hectares, reason = BAD[case]
    # Stored before the checks, or the area corrected after the survey: Plot.clean never saw it.
    Plot.objects.filter(code="S-00003-P1").update(
        geometry=geometry, total_area_ha=hectares and Decimal(hectares)
    )
    with pytest.raises(EudrExportError) as refused:
        lot_geojson_bytes(eu_lot)
    assert len(refused.value.messages) == 1
    message = refused.value.messages[0]
    assert message.startswith("Parcela S-00003-P1 (S-00003 Rosa Ríos Isuiza): ")
    assert reason in message


def test_a_refused_export_names_every_bad_plot_and_writes_nothing(eu_lot, tmp_path):
    Plot.objects.filter(code="S-00002-P1").update(total_area_ha=Decimal("4.5"))  # a point is not enough
    Plot.objects.filter(code="S-00001-P1").update(geometry='{"type":"Point","coordinates":[-76.14,-6.58]}')
    target = tmp_path / "L-EU1.geojson"
    err = StringIO()
    with pytest.raises(CommandError, match="Exportación rechazada \\(2 problemas\\)"):
        call_command("export_eudr", "--lot", "L-EU1", "-o", str(target), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert "Parcela S-00001-P1 (S-00001 María Luz Tuanama Sangama)" in lines[0]
    assert "al menos 6 decimales" in lines[0]
    assert "Parcela S-00002-P1 (S-00002 Segundo Panaifo Amasifuen)" in lines[1]
    assert "necesita un polígono" in lines[1]
    assert list(tmp_path.iterdir()) == []


def test_a_refused_export_leaves_an_earlier_file_as_it_was(eu_lot, tmp_path):
    target = tmp_path / "L-EU1.geojson"
    export_lot("L-EU1", target)
    before = target.read_bytes()
    Plot.objects.filter(code="S-00003-P2").update(geometry="")
    with pytest.raises(CommandError):
        export_lot("L-EU1", target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L-EU1.geojson"]


def test_a_delivery_without_plot_refuses_the_lot(coop, located, deliver, admin_user_minka, tmp_path):
    unplotted = deliver(member=coop["rosa"], plot=None)
    build_lot(
        code="L-CONV",
        season=coop["seasons"]["2026"],
        claim=Certification.CONVENTIONAL,
        for_eu=False,
        receipts=[deliver().receipt_code, unplotted.receipt_code],
        user=admin_user_minka,
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 problema\\)"):
        call_command("export_eudr", "--lot", "L-CONV", "-o", str(tmp_path / "x.geojson"), stderr=err)
    assert f"Recibo {unplotted.receipt_code} (S-00003 Rosa Ríos Isuiza, lote L-CONV)" in err.getvalue()
    assert "no tiene parcela" in err.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_a_lot_not_for_the_eu_is_exported_with_a_warning(coop, located, deliver, admin_user_minka, tmp_path):
    build_lot(
        code="L-FT",
        season=coop["seasons"]["2026"],
        claim=Certification.FAIRTRADE,
        for_eu=False,
        receipts=[deliver().receipt_code],
        user=admin_user_minka,
    )
    out, err = export_lot("L-FT", tmp_path / "ft.geojson")
    assert "Aviso: El lote L-FT no está marcado para la Unión Europea" in err
    assert "1 parcela exportada del lote L-FT" in out
    assert len(assert_rfc7946_eudr((tmp_path / "ft.geojson").read_text())["features"]) == 1


def test_an_unknown_or_empty_lot_is_refused_clearly(coop, tmp_path):
    with pytest.raises(CommandError, match="No existe el lote L-999"):
        export_lot("L-999", tmp_path / "x.geojson")
    Lot.objects.create(
        code="L-VACIO", season=coop["seasons"]["2026"], claim=Certification.FAIRTRADE, for_eu=True
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 problema"):
        call_command("export_eudr", "--lot", "L-VACIO", "-o", str(tmp_path / "x.geojson"), stderr=err)
    assert "El lote L-VACIO no tiene entregas vigentes con parcela" in err.getvalue()
    assert list(tmp_path.iterdir()) == []


# A season ----------------------------------------------------------------------


def test_a_season_exports_the_plots_of_its_eu_lots_once_each(
    coop, located, deliver, admin_user_minka, tmp_path
):
    def lot(code, season, for_eu, deliveries):
        build_lot(
            code=code,
            season=coop["seasons"][season],
            claim=Certification.CONVENTIONAL,
            for_eu=for_eu,
            receipts=[d.receipt_code for d in deliveries],
            user=admin_user_minka,
        )

    load_prices(date(2025, 1, 1))
    lot("L-EU1", "2026", True, [deliver(), deliver(member=coop["segundo"], plot=located["segundo"])])
    lot("L-EU2", "2026", True, [deliver(date=date(2026, 4, 2))])  # María's plot again
    lot("L-LOCAL", "2026", False, [deliver(member=coop["rosa"], plot=located["rosa_ft"])])
    lot(
        "L-EU-2025",
        "2025",
        True,
        [deliver(member=coop["rosa"], plot=located["rosa_conv"], date=date(2025, 6, 1))],
    )
    assert list(plots_for_season(coop["seasons"]["2026"]).values_list("code", flat=True)) == [
        "S-00001-P1",
        "S-00002-P1",
    ]

    target = tmp_path / "2026.geojson"
    out = StringIO()
    call_command("export_eudr", "--season", "2026", "-o", str(target), stdout=out)
    assert "2 parcelas exportadas de los lotes para la Unión Europea de la Campaña 2026" in out.getvalue()
    data = assert_rfc7946_eudr(target.read_text(encoding="utf-8"))
    assert [f["properties"]["PlotCode"] for f in data["features"]] == ["S-00001-P1", "S-00002-P1"]

    # A bad plot of the season's EU lots refuses the whole season.
    Plot.objects.filter(code="S-00002-P1").update(geometry="")
    with pytest.raises(EudrExportError, match="S-00002-P1"):
        season_geojson_bytes(coop["seasons"]["2026"])


def test_a_season_without_eu_lots_is_refused(coop, tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("export_eudr", "--season", "2026", "-o", str(tmp_path / "x.geojson"), stderr=err)
    assert "La Campaña 2026 no tiene lotes para la Unión Europea." in err.getvalue()
    with pytest.raises(CommandError, match="No existe la campaña 2030"):
        call_command("export_eudr", "--season", "2030", "-o", str(tmp_path / "x.geojson"))
    assert list(tmp_path.iterdir()) == []
