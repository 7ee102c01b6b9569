"""Participation by sex and age band (issue 20): every figure against a small case counted by hand,
the age rule at the band edges, who may open the page, the bands a cooperative sets, and the same
figure on the page, in the export and in the season report's PDF.

The 2020 season of make_coop_2020 (fund_with_soles), with sexes, birth dates, plots and an
assembly set so each figure can be counted on paper. Ages on 2020-01-01, the season's first day:

member   sex born / declared             age band     in 2020
María    F   1990-01-01                  30  30–59    30 that very day; present; her delivery void
Rosa     F   1990-06-30                  29  <30      30 in June, stays <30; 10 t FT; by proxy
Juana    F   declared 45 on 2015-06-01   49  30–59    30 t FT + organic; present
Elena    F   2000-05-05                  19  <30      withdrawn 2020-08-01; absent
Segundo  M   1960-01-02                  59  30–59    60 the next day; present
Pedro    M   1960-01-01                  60  60+      joined 2020-04-01; 99 kg conventional
Tomás    —   nothing recorded            —   unknown  absent
"""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from acopio.services import void_delivery
from assemblies import services as assembly_services
from certification.inclusion import (
    OUTSIDE,
    UNKNOWN_AGE,
    Band,
    Period,
    inclusion_report,
    members_behind,
    season_period,
)
from certification.models import AgeBand
from certification.services import set_age_bands
from coop.models import Member, Plot, Season
from coop.services import change_member_status
from fund.models import PremiumCategory
from fund.services import approve_spending, authorize_budget_lines, draft_budget_line, register_distribution
from tests.acopio.factories import record
from tests.assemblies.factories import make_rules
from tests.ledger.factories import activity, fund_with_soles

pytestmark = pytest.mark.django_db

D = Decimal
F, M, U = "F", "M", ""
YOUNG, MIDDLE, OLD = 0, 1, 2


def _member(code, dni, name, **fields):
    member = Member.objects.create(code=code, dni=dni, name=name, join_date=date(2015, 3, 1), **fields)
    return member


@pytest.fixture
def case(make_user):
    coop = fund_with_soles(make_user)
    admin = coop["admin"]
    Member.objects.update(join_date=date(2015, 3, 1))
    people = {
        "maria": coop["maria"],
        "rosa": coop["rosa"],
        "segundo": coop["segundo"],
        "juana": Member.objects.get(code="S-00010"),
    }
    Member.objects.filter(pk=people["maria"].pk).update(sex=F, birth_date=date(1990, 1, 1))
    Member.objects.filter(pk=people["rosa"].pk).update(sex=F, birth_date=date(1990, 6, 30))
    Member.objects.filter(pk=people["juana"].pk).update(
        sex=F, declared_age=45, declared_age_on=date(2015, 6, 1)
    )
    Member.objects.filter(pk=people["segundo"].pk).update(sex=M, birth_date=date(1960, 1, 2))
    people["elena"] = _member(
        "S-00030", "45556666", "Elena Sangama Tapullima", sex=F, birth_date=date(2000, 5, 5)
    )
    people["pedro"] = _member(
        "S-00031", "46667777", "Pedro Amasifuen Ríos", sex=M, birth_date=date(1960, 1, 1)
    )
    Member.objects.filter(pk=people["pedro"].pk).update(join_date=date(2020, 4, 1))
    people["tomas"] = _member("S-00032", "47778888", "Tomás Isuiza Panaifo")
    change_member_status(
        member=people["elena"],
        status="withdrawn",
        effective_date=date(2020, 8, 1),
        note="Renuncia",
        user=admin,
    )
    # Plots: total area and title, by hand.
    plots = coop["plots"]
    for plot, area, title in (
        (plots["maria"], "2.5", True),
        (plots["segundo"], "1.0", False),
        (plots["rosa_ft"], "1.2", True),
        (plots["rosa_conv"], "0.8", None),
    ):
        Plot.objects.filter(pk=plot.pk).update(total_area_ha=D(area), has_title=title)
    Plot.objects.filter(member=people["juana"]).update(total_area_ha=D("55"), has_title=True)
    pedro_plot = Plot.objects.create(
        member=people["pedro"], code="S-00031-P1", total_area_ha=D("3.0"), has_title=False
    )
    Plot.objects.create(member=people["elena"], code="S-00030-P1", total_area_ha=D("1.0"), has_title=True)
    # Deliveries: make_coop_2020 gave Juana 6 × 5 t (FT + organic) and Rosa 2 × 5 t (FT).
    record(coop, admin, member=people["pedro"], plot=pedro_plot, date=date(2020, 5, 2))  # 99 kg conventional
    wrong = record(coop, admin, member=people["maria"], plot=plots["maria"], date=date(2020, 5, 2))
    void_delivery(delivery=wrong, reason="Peso mal digitado", user=admin)
    # The premium: S/ 1,000.00 in cash by Fairtrade kilos, approved by both signatures.
    line = draft_budget_line(
        season=coop["season"],
        purpose="Reparto en efectivo 2020",
        category=PremiumCategory.CASH_TO_MEMBERS,
        amount="1000",
        **activity(),
        user=admin,
    )
    authorize_budget_lines(
        lines=[line], decision="Asamblea, acuerdo 2", decided_on=date(2020, 3, 14), user=admin
    )
    spending = register_distribution(
        line=line,
        season=coop["season"],
        amount="1000",
        document="PL-2020-01",
        document_date=date(2020, 8, 1),
        description="Reparto acordado",
        user=admin,
    )
    approve_spending(spending=spending, capacity="board", user=coop["board"])
    approve_spending(spending=spending, capacity="treasurer", user=coop["treasurer"])
    # The assembly of 14 March 2020: roll cut on 1 March (Pedro not yet a member).
    make_rules()
    first_call = timezone.make_aware(datetime.combine(date(2020, 3, 14), time(9)))
    assembly = assembly_services.convene_assembly(
        kind="ordinary",
        mode="in_person",
        place="Local comunal",
        first_call_at=first_call,
        second_call_at=first_call + timedelta(hours=1),
        agenda="1. Plan de la prima",
        cutoff_date=date(2020, 3, 1),
        convened_on=date(2020, 3, 2),
        user=admin,
    )
    roll = {entry.member_id: entry for entry in assembly.roll.all()}
    for who in ("maria", "juana", "segundo"):
        assembly_services.check_in(assembly=assembly, entry=roll[people[who].pk], user=admin)
    assembly_services.register_proxy(
        assembly=assembly,
        represented=roll[people["rosa"].pk],
        holder=roll[people["maria"].pk],
        letter="CP-001",
        user=admin,
    )
    assembly_services.open_session(assembly=assembly, call="first", user=admin, at=first_call)
    return {**coop, **people, "assembly": assembly, "roll": roll}


def by_sex(report, key):
    figure = report.by_key[key]
    return figure.by_sex[F], figure.by_sex[M], figure.by_sex[U], figure.total


def by_band(report, key):
    figure = report.by_key[key]
    return tuple(figure.by_band[b] for b in (YOUNG, MIDDLE, OLD, UNKNOWN_AGE))


def test_the_assembly_roll_is_the_one_counted_by_hand(case):
    assert {e.member.code for e in case["assembly"].roll.all()} == {
        "S-00001",
        "S-00002",
        "S-00003",
        "S-00010",
        "S-00030",
        "S-00032",
    }


def test_members_by_sex_and_band_from_the_status_history(case):
    report = inclusion_report(season_period(case["season"]))
    assert by_sex(report, "activos") == (3, 2, 1, 6)  # Elena withdrew in August
    assert by_band(report, "activos") == (1, 3, 1, 1)  # Rosa <30; María, Juana, Segundo; Pedro; Tomás
    assert by_sex(report, "nuevos") == (0, 1, 0, 1) and by_band(report, "nuevos") == (0, 0, 1, 0)
    assert by_sex(report, "retirados") == (1, 0, 0, 1) and by_band(report, "retirados") == (1, 0, 0, 0)
    assert by_sex(report, "fallecidos") == (0, 0, 0, 0)
    assert report.unknown_sex and report.unknown_age and not report.outside_bands


def test_land_of_the_active_members(case):
    report = inclusion_report(season_period(case["season"]))
    assert by_sex(report, "parcelas") == (4, 2, 0, 6)  # Elena's plot left with her
    assert by_sex(report, "hectareas") == (D("59.5"), D("4.0"), D("0"), D("63.5"))
    assert by_band(report, "hectareas") == (D("2.0"), D("58.5"), D("3.0"), D("0"))
    assert by_sex(report, "con_titulo") == (3, 0, 0, 3)
    assert by_sex(report, "hectareas_titulo") == (D("58.7"), D("0"), D("0"), D("58.7"))
    assert by_band(report, "con_titulo") == (1, 2, 0, 0)


def test_deliveries_and_what_they_were_paid_without_the_void(case):
    report = inclusion_report(season_period(case["season"]))
    assert by_sex(report, "con_entregas") == (2, 1, 0, 3)
    assert by_sex(report, "kg_secos") == (40_000_000, 99_000, 0, 40_099_000)
    assert by_band(report, "kg_secos") == (10_000_000, 30_000_000, 99_000, 0)
    # 30 t at S/ 11.35 and 10 t at S/ 10.30 (Fairtrade + organic, Fairtrade); 99 kg at S/ 9.50.
    assert by_sex(report, "soles") == (44_350_000, 94_050, 0, 44_444_050)
    women = report.by_key["kg_secos"]
    assert women.women_share == D("99.8") and women.youth_share == D("24.9")


def test_premium_cash_by_fairtrade_kilos(case):
    report = inclusion_report(season_period(case["season"]))
    assert by_sex(report, "prima") == (100_000, 0, 0, 100_000)
    assert by_band(report, "prima") == (25_000, 75_000, 0, 0)  # Rosa a quarter, Juana three quarters
    assert by_sex(report, "con_prima") == (2, 0, 0, 2)


def test_assembly_attendance_in_person_and_by_proxy(case):
    report = inclusion_report(season_period(case["season"]))
    assert by_sex(report, "padron") == (4, 1, 1, 6)
    assert by_sex(report, "presentes") == (2, 1, 0, 3)
    assert by_sex(report, "por_poder") == (1, 0, 0, 1)
    assert by_band(report, "por_poder") == (1, 0, 0, 0)  # Rosa, by María's proxy
    assert by_sex(report, "asistencia_persona") == (D("50.0"), D("100.0"), D("0.0"), D("50.0"))
    assert by_sex(report, "asistencia") == (D("75.0"), D("100.0"), D("0.0"), D("66.7"))
    assert by_band(report, "asistencia") == (D("50.0"), D("100.0"), None, D("0.0"))


def _hybrid_assembly_in_june(case):
    """A second assembly of 2020, hybrid, roll cut on 1 June (Pedro is on it now): María at the desk,
    Elena and Pedro from home with their voting codes, everyone else absent."""
    admin = case["admin"]
    first_call = timezone.make_aware(datetime.combine(date(2020, 6, 20), time(9)))
    assembly = assembly_services.convene_assembly(
        kind="extraordinary",
        mode="hybrid",
        place="Local comunal",
        link="https://reunion.example.org/asamblea",
        first_call_at=first_call,
        second_call_at=first_call + timedelta(hours=1),
        agenda="1. Caminos",
        cutoff_date=date(2020, 6, 1),
        convened_on=date(2020, 6, 2),
        user=admin,
    )
    codes = {
        entry.member_id: (entry, code)
        for entry, code in assembly_services.issue_remote_codes(assembly=assembly, user=admin)
    }
    for who in ("elena", "pedro"):
        entry, code = codes[case[who].pk]
        remote = assembly_services.remote_sign_in(dni=entry.dni, code=code)
        assembly_services.attend_remotely(remote=remote)
    assembly_services.check_in(assembly=assembly, entry=codes[case["maria"].pk][0], user=admin)
    # 3 of 7: no quorum at the first call, the session opens at the second.
    assembly_services.open_session(
        assembly=assembly, call="second", user=admin, at=first_call + timedelta(hours=1)
    )
    return assembly


def test_assembly_attendance_in_person_virtual_and_by_proxy(case):
    june = _hybrid_assembly_in_june(case)
    assert {e.member.code for e in june.roll.all()} == {
        "S-00001",
        "S-00002",
        "S-00003",
        "S-00010",
        "S-00030",
        "S-00031",
        "S-00032",
    }
    report = inclusion_report(season_period(case["season"]))
    # March (4 women, 1 man, 1 unknown) and June (4, 2, 1).
    assert by_sex(report, "padron") == (8, 3, 2, 13)
    # In person: María, Juana, Segundo in March; María in June.
    assert by_sex(report, "presentes") == (3, 1, 0, 4)
    # From home: Elena (<30) and Pedro (60+) in June.
    assert by_sex(report, "virtuales") == (1, 1, 0, 2)
    assert by_band(report, "virtuales") == (1, 0, 1, 0)
    assert by_sex(report, "por_poder") == (1, 0, 0, 1)
    assert by_sex(report, "asistencia_virtual") == (D("12.5"), D("33.3"), D("0.0"), D("15.4"))
    # 5 of 8 women, 2 of 3 men, 0 of 2 unknown; 7 of 13.
    assert by_sex(report, "asistencia") == (D("62.5"), D("66.7"), D("0.0"), D("53.8"))
    bands = report.bands
    virtual = members_behind(season_period(case["season"]), "virtuales", sex=None, band=None, bands=bands)
    assert [(m.code, m.inclusion_value) for m in virtual] == [("S-00030", 1), ("S-00031", 1)]


def test_the_attendance_split_on_the_page_in_the_export_and_in_the_pdf(client, case, make_user, tmp_path):
    _hybrid_assembly_in_june(case)
    out = tmp_path / "inclusion.xlsx"
    call_command("export_inclusion", season="2020", output=out, stdout=io.StringIO())
    sheet = load_workbook(out)["Inclusión"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    assert rows["Asistieron en persona"][3:6] == (3, 1, 0)
    assert rows["Asistieron en forma virtual"][3:6] == (1, 1, 0)
    assert rows["Asistieron por poder"][3:6] == (1, 0, 0)
    assert rows["Asistencia virtual (% del padrón)"][-3] == 15.4
    client.force_login(make_user("consejo_administracion", username="presidenta"))
    page = client.get(reverse("certification:inclusion"), {"campana": "2020"})
    virtual = next(r for r in page.context["by_sex"] if r["figure"].key == "virtuales")
    assert [c["value"] for c in virtual["cells"]] == [1, 1, 0] and virtual["total"]["value"] == 2
    html = page.content.decode()
    assert "Asistieron en forma virtual" in html and "Asistencia virtual (% del padrón)" in html
    pdf = client.get(reverse("certification:season_report_pdf", args=["2020"]))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    section = " ".join(text[text.index("Participación por sexo y edad") :].split())
    assert "Asistieron en forma virtual 1 1 0" in section
    assert "Asistieron en persona 3 1 0" in section


def test_age_is_counted_on_the_first_day_of_the_period(case):
    season = inclusion_report(season_period(case["season"]))
    # Rosa turns 30 in June: <30 all season. Segundo turns 60 on 2 January: 30–59 all season.
    assert set(
        members_behind(season_period(case["season"]), "activos", sex=None, band=YOUNG, bands=season.bands)
    ) == {case["rosa"]}
    # From 1 March, Segundo is 60 and María still 30.
    march = inclusion_report(Period(date(2020, 3, 1), date(2020, 12, 31)))
    assert by_band(march, "activos") == (1, 2, 2, 1)
    assert by_sex(march, "nuevos") == (0, 1, 0, 1)
    assert by_sex(march, "kg_secos") == (40_000_000, 99_000, 0, 40_099_000)
    assert by_sex(march, "prima")[3] == 100_000 and by_sex(march, "padron")[3] == 6


def test_the_members_behind_a_figure_are_the_ones_it_counts(case):
    period = season_period(case["season"])
    bands = inclusion_report(period).bands
    women_kg = members_behind(period, "kg_secos", sex=F, band=None, bands=bands)
    assert {(m.code, m.inclusion_value) for m in women_kg} == {
        ("S-00003", 10_000_000),
        ("S-00010", 30_000_000),
    }
    proxies = members_behind(period, "por_poder", sex=None, band=None, bands=bands)
    assert [m.code for m in proxies] == ["S-00003"]
    unknown = members_behind(period, "padron", sex=U, band=UNKNOWN_AGE, bands=bands)
    assert [m.code for m in unknown] == ["S-00032"]


def test_bands_a_cooperative_sets_are_used_and_overlaps_refused_with_nothing_written(case):
    admin = case["admin"]
    set_age_bands(bands=[(15, 35), (36, 64), (65, None)], user=admin)
    report = inclusion_report(season_period(case["season"]))
    assert [str(b) for b in report.bands] == ["15 a 35 años", "36 a 64 años", "65 años y más"]
    # Pedro (60) and Segundo (59) are now in 36–64; Elena is 19.
    assert report.by_key["activos"].by_band[0] == 2  # Rosa 29, María 30
    with pytest.raises(ValidationError) as refused:
        set_age_bands(bands=[(0, 29), (25, 59), (60, None)], user=admin)
    assert refused.value.messages == [
        "Los tramos «menores de 30 años» y «25 a 59 años» se superponen: una edad no puede estar en "
        "dos tramos."
    ]
    assert list(AgeBand.objects.values_list("min_age", "max_age")) == [(15, 35), (36, 64), (65, None)]
    with pytest.raises(ValidationError, match="«30 años y más» y «60 años y más» se superponen"):
        set_age_bands(bands=[(0, 29), (30, None), (60, None)], user=admin)
    # A gap is allowed: its ages show apart.
    set_age_bands(bands=[(0, 29), (40, None)], user=admin)
    gap = inclusion_report(season_period(case["season"]))
    assert gap.outside_bands and gap.by_key["activos"].by_band[OUTSIDE] == 1  # María, 30


def test_the_bands_page_refuses_an_overlap_naming_the_bands(client, case, make_user):
    client.force_login(case["admin"])
    response = client.post(
        reverse("certification:inclusion_bands"),
        {"desde_1": "0", "hasta_1": "35", "desde_2": "30", "hasta_2": "59", "desde_3": "60"},
    )
    assert response.status_code == 200
    assert "Los tramos «menores de 36 años» y «30 a 59 años» se superponen" in response.content.decode()
    assert not AgeBand.objects.exists()
    response = client.post(
        reverse("certification:inclusion_bands"), {"desde_1": "0", "hasta_1": "34", "desde_2": "35"}
    )
    assert response.status_code == 302
    assert [str(b) for b in inclusion_report(season_period(case["season"])).bands] == [
        "menores de 35 años",
        "35 años y más",
    ]
    certifier = make_user("certificador", username="auditora")
    client.force_login(certifier)
    assert client.post(reverse("certification:inclusion_bands"), {"desde_1": "0"}).status_code == 403
    assert [str(b) for b in inclusion_report(season_period(case["season"])).bands][0] == "menores de 35 años"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("administrador", True),
        ("consejo_administracion", True),
        ("consejo_vigilancia", True),
        ("certificador", True),
        ("acopiador", False),
        ("tesorero", False),
    ],
)
def test_who_may_open_the_page_and_the_lists(client, case, make_user, role, allowed):
    client.force_login(make_user(role, username=f"u-{role}"))
    page = client.get(reverse("certification:inclusion"), {"campana": "2020"})
    listing = client.get(
        reverse("certification:inclusion_members"), {"campana": "2020", "cifra": "prima", "sexo": "F"}
    )
    assert (page.status_code, listing.status_code) == ((200, 200) if allowed else (403, 403))
    menu = client.get(reverse("home")).context["menu"]
    assert any(entry["url"] == reverse("certification:inclusion") for entry in menu) is allowed
    if allowed:
        html = listing.content.decode()
        assert "S-00003" in html and "S-00010" in html and "S/ 750.00" in html
        content = html.split("</header>", 1)[1]  # the frame's language and sign-out forms aside
        assert 'method="post"' not in content  # read-only for every role, the certifier included
        assert ("Cambiar los tramos" in page.content.decode()) is (role == "administrador")


def test_the_page_shows_the_figures_links_charts_and_the_age_rule(client, case, make_user):
    client.force_login(make_user("certificador", username="auditora"))
    response = client.get(reverse("certification:inclusion"), {"campana": "2020"})
    html = response.content.decode()
    assert "La edad de cada socio se cuenta al 01/01/2020" in html
    assert "Cambiar los tramos" not in html
    assert html.count("<svg") == 2 and "<script>" not in html.split("</header>", 1)[1]
    rows = response.context["by_sex"]
    kilos = next(r for r in rows if r["figure"].key == "kg_secos")
    assert [c["value"] for c in kilos["cells"]] == [40_000_000, 99_000, 0]
    followed = client.get(kilos["cells"][0]["url"])
    assert [m.code for m in followed.context["page"]] == ["S-00003", "S-00010"]
    attendance = next(r for r in response.context["by_band"] if r["figure"].key == "asistencia")
    assert [c["value"] for c in attendance["cells"]] == [D("50.0"), D("100.0"), None, D("0.0")]
    # A date range shows the same page for its own days.
    ranged = client.get(reverse("certification:inclusion"), {"desde": "01/03/2020", "hasta": "31/12/2020"})
    assert "La edad de cada socio se cuenta al 01/03/2020" in ranged.content.decode()
    refused = client.get(reverse("certification:inclusion"), {"desde": "31/12/2020", "hasta": "01/03/2020"})
    assert "La fecha «Desde» es posterior a la fecha «Hasta»." in refused.content.decode()


def test_the_previous_season_is_beside_this_one(client, case, make_user):
    report = inclusion_report(season_period(Season.objects.get(code="2025")))
    assert report.previous.period.season == case["season"]
    assert report.previous.by_key["kg_secos"].women_share == D("99.8")
    client.force_login(make_user("consejo_vigilancia", username="vigilante"))
    rows = client.get(reverse("certification:inclusion"), {"campana": "2025"}).context["by_sex"]
    kilos = next(r for r in rows if r["figure"].key == "kg_secos")
    assert (kilos["share"], kilos["before"], kilos["change"]) == (None, D("99.8"), None)


def test_the_same_figures_on_the_page_in_the_export_and_in_the_season_report_pdf(
    client, case, make_user, tmp_path
):
    # The export: numbers in kilos and soles, formula-looking text neutralised.
    out = tmp_path / "inclusion.xlsx"
    call_command("export_inclusion", season="2020", output=out, stdout=io.StringIO())
    sheet = load_workbook(out)["Inclusión"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    headers = next(sheet.iter_rows(min_row=5, max_row=5, values_only=True))
    assert headers[3:6] == ("Mujeres", "Hombres", "Sexo sin registrar")
    kilos = rows["Kilos secos entregados"]
    assert kilos[3:6] == (40000, 99, 0) and kilos[-3:] == (40099, 99.8, 24.9)
    assert rows["Prima recibida en efectivo"][3] == 1000
    assert rows["Asistencia en persona (% del padrón)"][3] == 50
    # The page and the PDF write the figure the same way.
    client.force_login(make_user("certificador", username="auditora"))
    page = client.get(reverse("certification:inclusion"), {"campana": "2020"}).content.decode()
    assert "40,000.0 kg" in page and "S/ 1,000.00" in page and "63.50 ha" in page
    pdf = client.get(reverse("certification:season_report_pdf", args=["2020"]))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    section = text[text.index("Participación por sexo y edad") :]
    for shown in ("40,000.0 kg", "40,099.0 kg", "S/ 1,000.00", "63.50 ha", "66.7 %", "99.8 %"):
        assert shown in section and shown in page, shown


def test_a_secret_ballot_is_never_read(case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        inclusion_report(season_period(case["season"]))
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "assemblies_ballot" not in sql and "ballotcast" not in sql and "ballotcounter" not in sql
    assert len(queries.captured_queries) <= 14  # a handful of GROUP BYs for this season and the previous


def test_the_age_band_model_refuses_an_upper_bound_below_the_lower(case):
    with pytest.raises(ValidationError, match="termina antes"):
        set_age_bands(bands=[(40, 30)], user=case["admin"])
    assert Band(0, 29).covers(29) and not Band(0, 29).covers(30)


def test_the_statement_says_what_the_members_cocoa_generated_and_what_the_assembly_decided(
    client, case, make_user
):
    from certification.statements import premium_section, statement_table
    from toolkit.money import from_minor

    admin = case["admin"]
    training = draft_budget_line(
        season=case["season"],
        purpose="Capacitación en poda",
        category=PremiumCategory.MEMBER_SERVICES,
        amount="5000",
        **activity(),
        user=admin,
    )
    authorize_budget_lines(
        lines=[training], decision="Asamblea, acuerdo 3", decided_on=date(2020, 3, 14), user=admin
    )
    rosa = premium_section(member=case["rosa"], season=case["season"])
    # US$ 6,000.00 of premium received on 15 June 2020 at 3.4250: S/ 20,550.00.
    assert rosa.season_premium_minor == 2_055_000
    # Rosa delivered 10 t of the 40 t of Fairtrade cocoa: a quarter, S/ 5,137.50; she received a
    # quarter of the S/ 1,000.00 the assembly decided to pay in cash.
    assert (rosa.fairtrade_g, rosa.season_fairtrade_g) == (10_000_000, 40_000_000)
    assert (rosa.generated_minor, rosa.received_minor) == (513_750, 25_000)
    assert [(line.purpose, line.amount_minor) for line in rosa.plan_lines] == [
        ("Reparto en efectivo 2020", 100_000),
        ("Capacitación en poda", 500_000),
    ]
    assert rosa.plan_total_minor == 600_000
    juana = premium_section(member=case["juana"], season=case["season"])
    assert (juana.generated_minor, juana.received_minor) == (1_541_250, 75_000)
    pedro = premium_section(member=case["pedro"], season=case["season"])  # conventional cocoa only
    assert (pedro.generated_minor, pedro.received_minor, pedro.fairtrade_g) == (0, 0, 0)
    # The PDF and its attached data say the same.
    client.force_login(make_user("certificador", username="auditora"))
    pdf = client.get(reverse("certification:member_statement_pdf", args=["S-00003", "2020"]))
    assert pdf.status_code == 200
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    section = text[text.index("Prima de Comercio Justo de la campaña") :]
    for shown in (
        "Prima cobrada por los contratos de la campaña S/ 20,550.00",
        "Prima generada por su cacao S/ 5,137.50",
        "Prima recibida en efectivo S/ 250.00",
        "Capacitación en poda",
        "S/ 5,000.00",
        "Total aprobado S/ 6,000.00",
        "10,000.0 kg",
    ):
        assert shown in section, shown
    from certification.statements import member_statement

    table = statement_table(member_statement(member=case["rosa"], season=case["season"]))
    values = {row[0]: row[7] for row in table if row[0].startswith(("prima", "plan_aprobado"))}
    assert values["prima_generada_socio"] == from_minor(513_750)
    assert values["prima_recibida_efectivo"] == from_minor(25_000)
    assert values["plan_aprobado_total"] == from_minor(600_000)
    assert [row[6] for row in table if row[0] == "plan_linea"] == [
        "Reparto en efectivo 2020 (cash)",
        "Capacitación en poda (services)",
    ]
