"""«Cargos directivos» on the inclusion page (issue 20): who held elected office on the period's last day
and during it, by sex and age band, counted by hand — including a woman elected then replaced.

Period 2025 (ages on 2025-01-01, the period's first day):

member  sex born        age band    office                                              last day  during
A       F   2000-01-01  25  <30     board 2024-06-01 – 2026-05-31, ended 2025-03-31      no        yes
B       M   1980-01-01  45  30–59   replaces A from 2025-04-01                            yes       yes
C       F   1960-01-01  65  60+     oversight 2023-01-01 – 2024-12-31                     no        no
D       M   1985-01-01  40  30–59   delegate from 2025-12-31 (the last day)               yes       yes
E       F   1990-01-01  35  30–59   committee from 2026-01-01                             no        no
G       F   1990-06-01  34  30–59   board to 2025-12-31 and a committee: counted once     yes       yes
"""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assemblies import services
from certification.inclusion import (
    OUTSIDE,
    UNKNOWN_AGE,
    Period,
    add_office_figures,
    age_bands,
    inclusion_report,
    members_behind,
)
from certification.inclusion_export import inclusion_workbook
from coop.models import Member
from tests.assemblies.factories import make_members

pytestmark = pytest.mark.django_db
PERIOD = Period(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def offices(make_user):
    board = make_user("consejo_administracion", username="presidenta")
    people = {
        "A": ("F", date(2000, 1, 1)),
        "B": ("M", date(1980, 1, 1)),
        "C": ("F", date(1960, 1, 1)),
        "D": ("M", date(1985, 1, 1)),
        "E": ("F", date(1990, 1, 1)),
        "G": ("F", date(1990, 6, 1)),
    }
    codes = {}
    for member, (letter, (sex, born)) in zip(make_members(len(people)), people.items(), strict=True):
        Member.objects.filter(pk=member.pk).update(sex=sex, birth_date=born)
        codes[letter] = member.code

    def hold(letter, kind, starts, ends, name=""):
        return services.record_office(
            member=codes[letter], kind=kind, name=name, starts_on=starts, ends_on=ends, user=board
        )

    elected = hold("A", "admin", "01/06/2024", "31/05/2026")
    services.end_office(
        office=elected, ended_on="31/03/2025", reason="Renuncia", replacement=codes["B"], user=board
    )
    hold("C", "oversight", "01/01/2023", "31/12/2024")
    hold("D", "delegate", "31/12/2025", "30/12/2027")
    hold("E", "committee", "01/01/2026", "31/12/2027", name="Educación")
    hold("G", "admin", "01/01/2024", "31/12/2025")
    hold("G", "committee", "01/01/2025", "31/12/2026", name="Educación")
    return codes


def test_office_holders_by_sex_and_band_counted_by_hand(offices):
    report = add_office_figures(inclusion_report(PERIOD, compare=False))
    at_end, during = report.by_key["cargos_cierre"], report.by_key["cargos_periodo"]
    assert (at_end.by_sex["F"], at_end.by_sex["M"], at_end.total) == (1, 2, 3)
    assert (during.by_sex["F"], during.by_sex["M"], during.total) == (2, 2, 4)
    assert at_end.by_band == {0: 0, 1: 3, 2: 0, OUTSIDE: 0, UNKNOWN_AGE: 0}
    assert during.by_band == {0: 1, 1: 3, 2: 0, OUTSIDE: 0, UNKNOWN_AGE: 0}
    assert str(at_end.women_share) == "33.3" and str(during.women_share) == "50.0"
    women = members_behind(PERIOD, "cargos_periodo", sex="F", band=None, bands=age_bands())
    assert [m.code for m in women] == [offices["A"], offices["G"]]
    young = members_behind(PERIOD, "cargos_cierre", sex=None, band=0, bands=age_bands())
    assert list(young) == []


def test_the_page_and_the_workbook_show_the_offices(offices, make_user, client):
    client.force_login(make_user("certificador", username="auditora"))
    page = client.get(reverse("certification:inclusion"), {"desde": "01/01/2025", "hasta": "31/12/2025"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Cargos directivos" in text and "En un cargo directivo al cierre" in text
    listing = client.get(
        reverse("certification:inclusion_members"),
        {"desde": "01/01/2025", "hasta": "31/12/2025", "cifra": "cargos_periodo", "sexo": "F"},
    ).content.decode()
    assert offices["A"] in listing and offices["G"] in listing and offices["C"] not in listing
    sheet = load_workbook(io.BytesIO(inclusion_workbook(PERIOD))).worksheets[0]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert rows["En un cargo directivo durante el periodo"][:5] == (
        "Cargos directivos",
        "En un cargo directivo durante el periodo",
        rows["En un cargo directivo durante el periodo"][2],
        2,
        2,
    )
