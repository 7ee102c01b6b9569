"""The home page: each role sees its own section (what to do next, the figures that matter, the link to
where it is done) and not the others', with the same figures as the pages they link to."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acopio.models import Delivery
from acopio.selectors import flagged_by_member, flagged_deliveries, season_deliveries
from acopio.services import void_delivery
from config.demo import generate_seasons
from coop.demo import generate_demo
from coop.models import Season
from fund.models import PremiumCategory
from fund.services import approve_spending, authorize_budget_lines, draft_budget_line, register_spending
from sales.models import FairtradeTerms, FairtradeTermsCheck
from sales.selectors import contracts_to_review, contracts_to_review_count
from tests.ledger.factories import activity, contract, fund_with_soles, make_coop_2020
from toolkit.charts import Bar, bar_chart
from toolkit.money import format_money
from toolkit.roles import ADMINISTRATOR, BOARD, CERTIFIER, CLERK, OVERSIGHT, TREASURER
from toolkit.templatetags.minka_money import kg

pytestmark = pytest.mark.django_db

SECTIONS = {
    ADMINISTRATOR: "inicio-administracion",
    CLERK: "inicio-acopio",
    BOARD: "inicio-consejo",
    TREASURER: "inicio-tesoreria",
    OVERSIGHT: "inicio-revision",
    CERTIFIER: "inicio-revision",
}
WARNING = "Revise las condiciones de Comercio Justo."


def home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, f"no figure {name}"
    return match.group(1).strip()


@pytest.mark.parametrize("role", sorted(SECTIONS))
def test_each_role_sees_its_own_section_and_no_other(role, role_clients):
    html = home(role_clients[role])
    assert f'id="{SECTIONS[role]}"' in html
    for other, section in SECTIONS.items():
        if section != SECTIONS[role]:
            assert f'id="{section}"' not in html, f"{role} sees {other}'s section"


def test_a_clerk_does_not_see_the_premium_fund_nor_the_fairtrade_warning(role_clients):
    html = home(role_clients[CLERK])
    assert "Fondo de prima" not in html and "Por pagar a los socios" not in html
    assert WARNING not in html
    assert f'href="{reverse("acopio:delivery_new")}"' in html  # the button to record one


def test_a_person_with_two_roles_sees_both_sections(make_user, client):
    from django.contrib.auth.models import Group

    user = make_user(BOARD, username="presidenta_tesorera")
    user.groups.add(Group.objects.get(name=TREASURER))
    client.force_login(user)
    html = home(client)
    assert 'id="inicio-consejo"' in html and 'id="inicio-tesoreria"' in html
    assert 'id="inicio-administracion"' not in html


# --- The Fairtrade terms warning -------------------------------------------------------


def test_the_terms_warning_shows_on_the_administrators_home_only_when_the_check_is_over_six_months_old(
    role_clients, role_users
):
    admin = role_clients[ADMINISTRATOR]
    assert WARNING in home(admin)  # never checked
    today = timezone.localdate()
    FairtradeTermsCheck.objects.create(checked_on=today - timedelta(days=200), checked_by=role_users[BOARD])
    assert WARNING in home(admin)
    assert "hace más de seis meses" in home(admin)
    assert WARNING not in home(role_clients[BOARD])  # the warning is the administrator's
    FairtradeTermsCheck.objects.create(checked_on=today - timedelta(days=10), checked_by=role_users[BOARD])
    assert WARNING not in home(admin)


def test_contracts_to_review_are_counted_on_the_administrators_home_as_on_the_terms_page(make_user, client):
    coop = make_coop_2020(make_user)
    contract(coop)
    client.force_login(coop["admin"])
    assert figure(home(client), "admin-contracts-to-review") == "0"
    FairtradeTerms.objects.create(  # a back-dated row: the 2020 contract would price on it now
        kind="premium",
        valid_from=date(2020, 1, 1),
        origin="*",
        amount="260",
        source="Fairtrade International, corrección",
    )
    assert contracts_to_review_count() == len(contracts_to_review()) == 1
    html = home(client)
    assert figure(html, "admin-contracts-to-review") == "1"
    assert f'href="{reverse("sales:terms")}"' in html


# --- The clerk's centre ----------------------------------------------------------------------


def test_the_clerk_sees_the_deliveries_of_their_centre_today(coop, deliver, make_user, client):
    today = timezone.localdate()
    if Season.on(today) is None:  # the 2026 season runs on to today (and a while after)
        Season.objects.filter(code="2026").update(ends_on=today + timedelta(days=30))
    clerk = make_user(CLERK, username="acopiadora")
    client.force_login(clerk)
    assert figure(home(client), "clerk-today-count") == "0"  # nothing recorded by her yet
    first = deliver(date=today, gross_kg="101", tare_kg="1")
    deliver(date=today - timedelta(days=1))  # yesterday: not today's
    deliver(date=today, centre=coop["other_centre"])  # another centre's
    session = client.session
    session["minka_centre"] = first.centre_id
    session.save()
    html = home(client)
    assert first.centre.name in html
    assert figure(html, "clerk-today-count") == "1"
    assert figure(html, "clerk-today-kg") == kg(first.dry_g)
    assert figure(html, "clerk-today-soles") == format_money(first.amount_minor, "PEN")
    assert "<svg" in html and "<script" not in html.split('id="inicio-acopio"')[1].split("</section>")[0]


# --- Signatures and the fund ----------------------------------------------------------------


def test_spending_awaiting_a_signature_shows_for_who_has_to_sign_until_they_sign(make_user, client):
    fund = fund_with_soles(make_user)
    line = draft_budget_line(
        season=fund["season"],
        purpose="Secadora solar",
        category=PremiumCategory.ORGANISATION,
        amount="10000",
        **activity(),
        user=fund["admin"],
    )
    authorize_budget_lines(
        lines=[line],
        decision="Asamblea del 15/03/2020, acuerdo 4",
        decided_on=date(2020, 3, 15),
        user=fund["admin"],
    )
    spending = register_spending(
        line=line,
        amount="4000",
        supplier="Ferretería El Constructor SAC",
        ruc="20131312955",
        document="F001-000321",
        document_date=date(2020, 7, 1),
        description="Calaminas y madera para la secadora",
        user=fund["admin"],
    )
    client.force_login(fund["board"])
    assert figure(home(client), "board-to-sign") == "1"
    client.force_login(fund["treasurer"])
    html = home(client)
    assert figure(html, "treasury-to-sign") == "1" and "S/ 4,000.00" in html
    approve_spending(spending=spending, capacity="board", user=fund["board"])
    client.force_login(fund["board"])
    assert figure(home(client), "board-to-sign") == "0"
    client.force_login(fund["treasurer"])
    assert figure(home(client), "treasury-to-sign") == "1"  # still the treasurer's to sign


# --- The demonstration cooperative -----------------------------------------------------------


@pytest.fixture
def demo(make_user):
    make_user(BOARD, username="consejo")  # the demo's spending is signed by these two
    make_user(TREASURER, username="tesorero")
    generate_demo(members=60, seed=4)
    generate_seasons(seed=4)
    return Season.objects.first()  # the newest season: the one the home page shows outside a season


def test_the_administrators_figures_are_those_of_the_delivery_list_and_the_season_report(
    demo, role_clients, role_users
):
    today = timezone.localdate()
    season = Season.on(today) or demo
    html = home(role_clients[ADMINISTRATOR])
    valid = season_deliveries(season).valid()  # what the season report adds up
    assert figure(html, "admin-season-kg") == kg(sum(g.dry_g for g in valid))
    assert figure(html, "admin-season-soles") == format_money(sum(g.amount_minor for g in valid), "PEN")
    count = sum(g.count for g in valid)
    listed = role_clients[ADMINISTRATOR].get(
        reverse("acopio:delivery_list"), {"campana": season.code, "estado": "valid"}
    )
    assert f"{count} entregas" in listed.content.decode()
    assert f"{count} entregas" in html
    # The chart has a bar for every week from the season's first delivery to its last.
    section = html.split('id="inicio-administracion"')[1].split("</section>")[0]
    svg = section[section.index("<svg") : section.index("</svg>")]
    days = sorted(set(Delivery.objects.valid().filter(season=season).values_list("date", flat=True)))
    first = days[0] - timedelta(days=days[0].weekday())
    weeks = (days[-1] - first).days // 7 + 1
    assert svg.count("<rect") == weeks
    assert "Kilos de cacao seco entregados por semana" in svg
    assert "<script" not in section
    # Members above their plots' possible yield: those the internal-control page groups, with its link.
    over = len(flagged_by_member(flagged_deliveries(season), season))
    assert int(figure(html, "admin-over-yield")) == over
    assert (reverse("acopio:yield_control") in section) == (over > 0)
    # A receipt voided now counts among the week's voids.
    before = int(figure(html, "admin-voided"))
    delivery = Delivery.objects.valid().filter(season=season, lot__isnull=True, replaces__isnull=True).first()
    void_delivery(delivery=delivery, reason="Peso mal leído en la balanza", user=role_users[ADMINISTRATOR])
    assert int(figure(home(role_clients[ADMINISTRATOR]), "admin-voided")) == before + 1


def test_the_home_page_reads_a_bounded_number_of_queries(
    demo, make_user, client, django_assert_max_num_queries
):
    from django.contrib.auth.models import Group

    everything = make_user(ADMINISTRATOR, username="todo")
    everything.groups.add(*Group.objects.filter(name__in=[CLERK, BOARD, TREASURER, OVERSIGHT, CERTIFIER]))
    client.force_login(everything)
    with django_assert_max_num_queries(30):
        html = home(client)
    for section in set(SECTIONS.values()):
        assert f'id="{section}"' in html
    # The premium fund's soles are the fund page's.
    balance = figure(html, "treasury-fund-pen")
    assert balance.startswith("S/ ") and balance in client.get(reverse("fund:fund_overview")).content.decode()


# --- The chart ------------------------------------------------------------------------------


def test_a_bar_chart_scales_to_its_largest_bar_and_says_each_value():
    svg = str(
        bar_chart([Bar("01/01", 50, "mitad"), Bar("08/01", 100, "todo"), Bar("15/01", 0, "nada")], title="T")
    )
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[1] == 2 * heights[0] and heights[2] == 0
    assert "<title>mitad</title>" in svg and 'role="img"' in svg and "<script" not in svg
    assert bar_chart([], title="T") == ""


def test_this_week_is_set_against_the_same_days_a_year_before(demo, role_clients):
    """The season at a glance: kilos from this week's Monday to today, and the same weekdays 52 weeks
    before, as the administrator's home shows them."""
    from acopio.selectors import week_against_last_year

    rows = list(Delivery.objects.valid().values_list("date", "dry_g"))
    dates = {day for day, _ in rows}
    # A day with deliveries in its week this year and in the same week a year before.
    day = max(d for d in dates if any(d - timedelta(weeks=52, days=k) in dates for k in range(7)))
    week = week_against_last_year(day)
    monday = day - timedelta(days=day.weekday())
    assert week.first_day == monday and week.first_day.weekday() == 0
    assert week.dry_g == sum(g for d, g in rows if monday <= d <= day)
    year_ago = timedelta(weeks=52)
    assert week.last_year_dry_g == sum(g for d, g in rows if monday - year_ago <= d <= day - year_ago) > 0
    assert week.change_percent == round((week.dry_g - week.last_year_dry_g) * 100 / week.last_year_dry_g)

    html = home(role_clients[ADMINISTRATOR])
    today = week_against_last_year(timezone.localdate())
    assert figure(html, "admin-week-kg") == kg(today.dry_g)
    assert kg(today.last_year_dry_g) in figure(html, "admin-week-last-year")
