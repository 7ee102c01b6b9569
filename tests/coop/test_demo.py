"""The demonstration cooperative: plausible, coherent, valid geometry, loaded once."""

import math
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from coop.demo import DEMO_AS_OF, DEMO_PREFIX, generate_demo
from coop.geometry import check_geometry, parse_geojson
from coop.models import Member, MemberStatus, MemberStatusChange, OrganicStage, Plot

pytestmark = pytest.mark.django_db

SEED = 7
MEMBERS = 40


@pytest.fixture
def demo():
    return generate_demo(members=MEMBERS, seed=SEED)


def snapshot() -> tuple[list, list, list]:
    """Everything generated, without ids and timestamps, to compare two runs."""
    members = list(
        Member.objects.order_by("code").values_list(
            "code", "dni", "name", "sex", "birth_date", "join_date", "community", "phone", "status"
        )
    )
    plots = list(
        Plot.objects.order_by("code").values_list(
            "code",
            "total_area_ha",
            "cocoa_installed_ha",
            "georeferenced_ha",
            "organic_stage",
            "fairtrade_since",
            "geometry",
            "centroid_lat",
            "centroid_lon",
        )
    )
    changes = list(
        MemberStatusChange.objects.order_by("member__code", "effective_date").values_list(
            "member__code", "status", "effective_date"
        )
    )
    return members, plots, changes


def wipe_register() -> None:
    MemberStatusChange.objects.all().delete()
    Plot.objects.all().delete()
    Member.objects.all().delete()


def test_summary_matches_the_database(demo):
    assert demo.created
    assert demo.members == Member.objects.count() == MEMBERS
    assert demo.plots == Plot.objects.count()
    assert MEMBERS < demo.plots <= 3 * MEMBERS
    assert demo.hectares == sum(p.total_area_ha for p in Plot.objects.all())


def test_members_are_plausible(demo):
    members = list(Member.objects.all())
    dnis = [m.dni for m in members]
    assert len(set(dnis)) == len(dnis)
    for m in members:
        assert m.code.startswith(DEMO_PREFIX) and len(m.code) == len("CHZ-00001")
        assert len(m.dni) == 8 and m.dni.isdigit()
        assert len(m.name.split()) >= 3  # given name and two surnames
        assert m.sex in {"F", "M"}
        assert m.department == m.province == "San Martín"
        assert m.community and m.district
        age = (DEMO_AS_OF - m.birth_date).days // 365
        assert 22 <= age <= 80
        assert date(2008, 1, 1) <= m.join_date <= DEMO_AS_OF
        assert (m.join_date - m.birth_date).days >= 18 * 365


def test_search_text_is_set_for_bulk_created_members(demo):
    member = Member.objects.first()
    surname = member.name.split()[-1]
    assert member in Member.objects.search(surname)
    assert list(Member.objects.search(member.dni)) == [member]


def test_status_history_is_coherent(demo):
    for member in Member.objects.prefetch_related("status_changes"):
        changes = list(member.status_changes.all())
        assert changes[0].status == MemberStatus.ACTIVE
        assert changes[0].effective_date == member.join_date
        dates = [c.effective_date for c in changes]
        assert dates == sorted(set(dates)), "dates must strictly increase"
        assert dates[-1] <= DEMO_AS_OF
        assert member.status == changes[-1].status


def test_a_larger_demo_has_every_status():
    generate_demo(members=400, seed=SEED)
    statuses = set(Member.objects.values_list("status", flat=True))
    assert statuses == set(MemberStatus.values)
    assert Member.objects.filter(status=MemberStatus.ACTIVE).count() > 300


def test_plot_areas_follow_the_rules(demo):
    for plot in Plot.objects.all():
        assert Decimal("0.5") <= plot.total_area_ha <= Decimal("8")
        assert plot.cocoa_installed_ha <= plot.total_area_ha
        assert plot.cocoa_producing_ha <= plot.cocoa_installed_ha
        assert plot.cocoa_grafted_ha <= plot.cocoa_installed_ha
        assert plot.forest_ha >= 0 and plot.temporary_shade_ha >= 0
        assert plot.installed_on.day == 1
        assert plot.code.startswith(plot.member.code + "-P")
        plot.full_clean()  # the row rules of the admin and the import


def test_every_geometry_is_what_plot_clean_would_store(demo):
    for plot in Plot.objects.all():
        checked = check_geometry(parse_geojson(plot.geometry), area_ha=plot.total_area_ha)
        assert plot.geometry == checked.geojson
        assert plot.geometry_kind == checked.kind
        assert (plot.centroid_lat, plot.centroid_lon) == (checked.centroid_lat, checked.centroid_lon)
        assert abs(float(plot.centroid_lat) + 6.57) <= 0.15
        assert abs(float(plot.centroid_lon) + 76.14) <= 0.15


def test_large_plots_are_polygons_and_small_ones_may_be_points(demo):
    kinds = {}
    for plot in Plot.objects.all():
        kinds.setdefault(plot.geometry_kind, []).append(plot)
        if plot.total_area_ha > 4:
            assert plot.geometry_kind == "Polygon"
    assert set(kinds) == {"Point", "Polygon"}
    assert len(kinds["Polygon"]) > len(kinds["Point"])
    assert Plot.objects.filter(total_area_ha__gt=4).exists(), "the seed should give some large plots"


def test_polygon_area_is_close_to_the_plot_area(demo):
    for plot in Plot.objects.filter(geometry_kind="Polygon"):
        ring = parse_geojson(plot.geometry)["coordinates"][0]
        assert len(ring) >= 6 and ring[0] == ring[-1]
        hectares = _ring_hectares([(float(lon), float(lat)) for lon, lat in ring])
        assert hectares == pytest.approx(float(plot.georeferenced_ha), rel=0.01)
        assert hectares == pytest.approx(float(plot.total_area_ha), rel=0.1)


def _ring_hectares(ring) -> float:
    lat = ring[0][1]
    m_lon, m_lat = 111_320 * math.cos(math.radians(lat)), 111_320
    pts = [(lon * m_lon, la * m_lat) for lon, la in ring]
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False))) / 2 / 10_000


def test_certification_dates_are_coherent(demo):
    plots = list(Plot.objects.select_related("member"))
    assert any(p.fairtrade_certified for p in plots)
    for plot in plots:
        assert plot.fairtrade_certified == (plot.fairtrade_since is not None)
        if plot.fairtrade_since:
            assert plot.member.join_date <= plot.fairtrade_since <= DEMO_AS_OF
        if plot.organic_stage == OrganicStage.NONE:
            assert plot.organic_conversion_start is None and plot.organic_certified_on is None
        elif plot.organic_stage == OrganicStage.ORGANIC:
            assert plot.organic_conversion_start < plot.organic_certified_on <= DEMO_AS_OF
            assert (plot.organic_certified_on - plot.organic_conversion_start).days >= 3 * 365
        else:
            assert plot.organic_conversion_start and plot.organic_certified_on is None
        if plot.member.status in {MemberStatus.WITHDRAWN, MemberStatus.DECEASED}:
            assert not plot.fairtrade_certified and plot.organic_stage == OrganicStage.NONE


def test_every_member_and_plot_has_a_created_history_record(demo):
    assert Member.history.filter(history_type="+").count() == MEMBERS
    assert Plot.history.filter(history_type="+").count() == demo.plots
    member_ids = set(Member.objects.values_list("id", flat=True))
    assert set(Member.history.values_list("id", flat=True)) == member_ids


def test_history_records_who_loaded_the_demo(admin_user_minka):
    generate_demo(members=5, seed=SEED, user=admin_user_minka)
    assert set(Member.history.values_list("history_user", flat=True)) == {admin_user_minka.pk}
    assert set(MemberStatusChange.objects.values_list("recorded_by", flat=True)) == {admin_user_minka.pk}


def test_running_twice_adds_nothing(demo):
    before = snapshot()
    again = generate_demo(members=MEMBERS, seed=SEED + 1)
    assert not again.created
    assert (again.members, again.plots, again.hectares) == (demo.members, demo.plots, demo.hectares)
    assert snapshot() == before
    assert Member.history.count() == MEMBERS


def test_same_seed_gives_the_same_data_and_another_seed_does_not(demo):
    first = snapshot()
    wipe_register()
    generate_demo(members=MEMBERS, seed=SEED)
    assert snapshot() == first
    wipe_register()
    generate_demo(members=MEMBERS, seed=SEED + 1)
    assert snapshot() != first


def test_dnis_already_in_the_register_are_skipped(demo):
    first_dni = Member.objects.order_by("code").values_list("dni", flat=True).first()
    wipe_register()
    Member.objects.create(code="S-00001", dni=first_dni, name="Rosa Ríos Isuiza")
    generate_demo(members=MEMBERS, seed=SEED)
    demo_dnis = list(Member.objects.filter(code__startswith=DEMO_PREFIX).values_list("dni", flat=True))
    assert len(demo_dnis) == len(set(demo_dnis)) == MEMBERS
    assert first_dni not in demo_dnis


def test_command_prints_a_spanish_summary():
    out = StringIO()
    call_command("generate_demo", "--members", "12", "--seed", "3", stdout=out)
    text = out.getvalue()
    assert "Socios:    12" in text and "Parcelas:" in text and "Hectáreas:" in text and "Tiempo:" in text
    out = StringIO()
    call_command("generate_demo", "--members", "12", stdout=out)
    assert "ya estaban cargados" in out.getvalue()
    assert Member.objects.count() == 12
