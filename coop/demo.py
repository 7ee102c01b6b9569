"""A demonstration cooperative in Chazuta (San Martín, Peru) to try Minka with.

Names, DNIs, areas and geometries are random but seeded, so one seed always
gives the same register. The register is dated as it stood on ``DEMO_AS_OF``
rather than today, so the data do not change with the day they are made.
Rows are written with bulk inserts (one transaction, history included) so a
register of 20,000 members loads in seconds.
"""

import math
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from coop.geometry import check_geometry, point
from coop.models import Member, MemberStatus, MemberStatusChange, OrganicStage, Plot, Sex, member_search_text

DEMO_PREFIX = "CHZ-"
DEMO_AS_OF = date(2025, 12, 31)
FOUNDED_ON = date(2008, 3, 15)
FAIRTRADE_FROM = date(2010, 3, 1)
HISTORY_REASON = "Datos de demostración"
BATCH = 1000

DEPARTMENT = "San Martín"
PROVINCE = "San Martín"
# The demo area: Chazuta town and a box of ±0.15° around it.
CENTRE_LAT, CENTRE_LON = -6.57, -76.14
SPREAD = 0.15
M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class Place:
    community: str
    district: str
    lat: float  # illustrative positions inside the demo box, not surveyed ones
    lon: float
    weight: int


PLACES = (
    Place("Chazuta", "Chazuta", -6.5708, -76.1375, 18),
    Place("Tununtunumba", "Chazuta", -6.6050, -76.1050, 9),
    Place("Curiyacu", "Chazuta", -6.5450, -76.1650, 8),
    Place("Llucanayacu", "Chazuta", -6.5900, -76.1800, 8),
    Place("Pucallpillo", "Chazuta", -6.5250, -76.0950, 7),
    Place("Canayo", "Chazuta", -6.6250, -76.0700, 7),
    Place("Callanayacu", "Chazuta", -6.5050, -76.0600, 6),
    Place("Aguano Muyuna", "Chazuta", -6.6500, -76.1300, 6),
    Place("Shapaja", "Shapaja", -6.5800, -76.2600, 5),
    Place("Juan Guerra", "Juan Guerra", -6.5950, -76.2800, 3),
    Place("Huimbayoc", "Huimbayoc", -6.4400, -76.0100, 4),
)

FEMALE_NAMES = (
    "María",
    "Rosa",
    "Juana",
    "Carmen",
    "Luz",
    "Elena",
    "Rosario",
    "Gladys",
    "Marleni",
    "Nelly",
    "Delia",
    "Teresa",
    "Olga",
    "Lidia",
    "Zoila",
    "Hilda",
    "Flor",
    "Yolanda",
    "Marina",
    "Noemí",
    "Rita",
    "Isabel",
    "Mercedes",
    "Julia",
    "Sara",
    "Elsa",
    "Irma",
    "Betty",
    "Edith",
    "Milagros",
    "Karina",
    "Lucía",
    "Nancy",
    "Ruth",
    "Sonia",
    "Yesenia",
    "Lizbeth",
    "Roxana",
    "Maribel",
    "Aurora",
)
MALE_NAMES = (
    "José",
    "Juan",
    "Segundo",
    "Luis",
    "Carlos",
    "Jorge",
    "Pedro",
    "Manuel",
    "Víctor",
    "César",
    "Julio",
    "Wilder",
    "Elmer",
    "Heriberto",
    "Reynaldo",
    "Roger",
    "Teodoro",
    "Santos",
    "Agustín",
    "Alfredo",
    "Armando",
    "Edilberto",
    "Eusebio",
    "Fernando",
    "Francisco",
    "Gilberto",
    "Hugo",
    "Isaac",
    "Jaime",
    "Lorenzo",
    "Marcial",
    "Miguel",
    "Nilo",
    "Orlando",
    "Pablo",
    "Raúl",
    "Ronald",
    "Samuel",
    "Tito",
    "Walter",
    "Wilmer",
    "Ángel",
    "Abel",
    "Gerardo",
    "Leoncio",
    "Nemesio",
)
# Kichwa-Lamista and Amazonian surnames common on the Huallaga, then Spanish ones.
LOCAL_SURNAMES = (
    "Tapullima",
    "Sangama",
    "Amasifuen",
    "Satalaya",
    "Panaifo",
    "Tuanama",
    "Isuiza",
    "Chujandama",
    "Ojanama",
    "Sinarahua",
    "Cenepo",
    "Shupingahua",
    "Pashanasi",
    "Tananta",
    "Cachique",
    "Huansi",
    "Fasabi",
    "Sajami",
    "Pizango",
    "Mozombite",
    "Upiachihua",
    "Salas",
    "Tangoa",
    "Apagueño",
    "Guerra",
    "Sánchez",
    "Cárdenas",
    "Amasifén",
    "Tapayuri",
    "Tello",
    "Yumbato",
    "Shapiama",
)
SPANISH_SURNAMES = (
    "Pinedo",
    "García",
    "Ríos",
    "López",
    "Díaz",
    "Vásquez",
    "Ramírez",
    "Flores",
    "Torres",
    "Rengifo",
    "Del Águila",
    "Reátegui",
    "Arévalo",
    "Pérez",
    "Hidalgo",
    "Navarro",
    "Paredes",
    "Ruiz",
    "Saavedra",
    "Villacorta",
    "Panduro",
    "Chávez",
    "Mendoza",
    "Rojas",
    "Vela",
    "Bardales",
)
PLOT_NAMES = (
    "La Esperanza",
    "El Progreso",
    "San Antonio",
    "Santa Rosa",
    "Las Palmeras",
    "El Paraíso",
    "Nuevo Amanecer",
    "Bello Horizonte",
    "Los Cedros",
    "La Unión",
    "El Porvenir",
    "Monte Verde",
    "San Juan",
    "La Quebrada",
    "Alto Huallaga",
    "Las Lomas",
    "El Mirador",
    "Santa Isabel",
    "Los Shimbillos",
    "La Bajada",
    "Nueva Vida",
    "El Cacaotal",
    "San Martín",
    "La Florida",
)


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False when the demo was already loaded and nothing was added
    members: int
    plots: int
    hectares: Decimal
    seconds: float

    def lines(self) -> list[str]:
        """The summary for the command's output, numbers written as in Peru (20,000; 1,268.13)."""
        # Labels padded to one width, so the numbers line up (outside the f-strings: makemessages
        # does not look inside them).
        rows = (
            (_("Socios:"), _peruvian(self.members)),
            (_("Parcelas:"), _peruvian(self.plots)),
            (_("Hectáreas:"), _peruvian(self.hectares, 2)),
            (_("Tiempo:"), f"{_peruvian(self.seconds, 1)} s"),
        )
        return [f"{label:<11}{value}" for label, value in rows]


def _peruvian(value, decimals: int = 0) -> str:
    # Peru writes 1,268.13 (the same as the pages, see config/formats/es).
    return f"{value:,.{decimals}f}"


def demo_loaded() -> bool:
    return Member.objects.filter(code__startswith=DEMO_PREFIX).exists()


def generate_demo(*, members: int = 360, seed: int = 1, user=None, as_of: date = DEMO_AS_OF) -> DemoSummary:
    """Load the demonstration register, unless it is already there."""
    started = time.perf_counter()
    if demo_loaded():
        return _existing_summary(started)
    rng = random.Random(seed)
    with transaction.atomic():
        people = _people(rng, members, as_of)
        _save_members(people, user)
        plots = [plot for person in people for plot in _plots(rng, person, as_of)]
        bulk_create_with_history(
            plots, Plot, batch_size=BATCH, default_user=user, default_change_reason=HISTORY_REASON
        )
    hectares = sum((p.total_area_ha for p in plots), Decimal(0))
    return DemoSummary(True, len(people), len(plots), hectares, time.perf_counter() - started)


def _existing_summary(started: float) -> DemoSummary:
    plots = Plot.objects.filter(member__code__startswith=DEMO_PREFIX)
    return DemoSummary(
        created=False,
        members=Member.objects.filter(code__startswith=DEMO_PREFIX).count(),
        plots=plots.count(),
        hectares=plots.aggregate(total=Sum("total_area_ha"))["total"] or Decimal(0),
        seconds=time.perf_counter() - started,
    )


# Members ------------------------------------------------------------------


@dataclass
class _Person:
    member: Member
    place: Place
    steps: list[tuple[str, date, str]]  # status history: (status, date, note)


def _people(rng: random.Random, count: int, as_of: date) -> list[_Person]:
    dnis = _unique_dnis(rng, count)
    people = [_person(rng, dni, as_of) for dni in dnis]
    # Codes follow the order members joined, as a register numbered by hand would.
    people.sort(key=lambda p: (p.member.join_date, p.member.dni))
    for number, person in enumerate(people, start=1):
        m = person.member
        m.code = f"{DEMO_PREFIX}{number:05d}"
        m.search_text = member_search_text(code=m.code, dni=m.dni, name=m.name)
    return people


def _unique_dnis(rng: random.Random, count: int) -> list[str]:
    taken = set(Member.objects.values_list("dni", flat=True))
    drawn = rng.sample(range(1_000_000, 80_000_000), count + len(taken))
    return [dni for dni in (f"{n:08d}" for n in drawn) if dni not in taken][:count]


def _person(rng: random.Random, dni: str, as_of: date) -> _Person:
    place = rng.choices(PLACES, weights=[p.weight for p in PLACES])[0]
    sex = Sex.FEMALE if rng.random() < 0.3 else Sex.MALE
    age = round(rng.triangular(22, 80, 45))
    birth = _years_before(as_of, age) - timedelta(days=rng.randint(1, 364))
    join = FOUNDED_ON if rng.random() < 0.06 else _between(rng, FOUNDED_ON, as_of - timedelta(days=30))
    # Nobody joins before eighteen.
    join = max(join, _years_before(birth, -18) + timedelta(days=rng.randint(0, 700)))
    steps = _status_steps(rng, join, age, as_of)
    member = Member(
        dni=dni,
        name=_name(rng, sex),
        sex=sex,
        birth_date=birth,
        join_date=join,
        department=DEPARTMENT,
        province=PROVINCE,
        district=place.district,
        community=place.community,
        phone=f"9{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.65 else "",
        status=steps[-1][0],
    )
    return _Person(member, place, steps)


def _name(rng: random.Random, sex: str) -> str:
    given = FEMALE_NAMES if sex == Sex.FEMALE else MALE_NAMES
    names = rng.sample(given, 2 if rng.random() < 0.35 else 1)
    surnames = [_surname(rng), _surname(rng)]
    return " ".join(names + surnames)


def _surname(rng: random.Random) -> str:
    return rng.choice(LOCAL_SURNAMES if rng.random() < 0.55 else SPANISH_SURNAMES)


def _status_steps(rng: random.Random, join: date, age: int, as_of: date) -> list[tuple[str, date, str]]:
    """Every member starts active on the join date; a few change later, always forward in time."""
    steps = [(MemberStatus.ACTIVE, join, "Ingreso aprobado por el consejo de administración")]
    if (as_of - join).days < 120:
        return steps
    roll = rng.random()
    later = _between(rng, join + timedelta(days=90), as_of)
    if roll < 0.05:
        steps.append((MemberStatus.SUSPENDED, later, "No entregó cacao en la campaña"))
        if rng.random() < 0.4 and (as_of - later).days > 60:
            back = _between(rng, later + timedelta(days=30), as_of)
            steps.append((MemberStatus.ACTIVE, back, "Levantamiento de suspensión"))
    elif roll < 0.09:
        steps.append((MemberStatus.WITHDRAWN, later, "Renuncia voluntaria"))
    elif roll < 0.09 + age / 2000:
        steps.append((MemberStatus.DECEASED, later, "Fallecimiento comunicado por la familia"))
    return steps


def _save_members(people: list[_Person], user) -> None:
    members = [p.member for p in people]
    bulk_create_with_history(
        members, Member, batch_size=BATCH, default_user=user, default_change_reason=HISTORY_REASON
    )
    changes = [
        MemberStatusChange(member=p.member, status=status, effective_date=when, note=note, recorded_by=user)
        for p in people
        for status, when, note in p.steps
    ]
    MemberStatusChange.objects.bulk_create(changes, batch_size=BATCH)


# Plots --------------------------------------------------------------------


def _plots(rng: random.Random, person: _Person, as_of: date) -> list[Plot]:
    count = rng.choices((1, 2, 3), weights=(30, 45, 25))[0]
    return [_plot(rng, person, number, as_of) for number in range(1, count + 1)]


def _plot(rng: random.Random, person: _Person, number: int, as_of: date) -> Plot:
    m = person.member
    total = min(max(rng.lognormvariate(math.log(1.6), 0.6), 0.5), 8.0)
    plot = Plot(
        member=m,
        code=f"{m.code}-P{number}",
        name=rng.choice(PLOT_NAMES),
        department=m.department,
        province=m.province,
        district=m.district,
        community=m.community,
        total_area_ha=_ha(total),
        has_title=rng.random() < 0.6,
    )
    _set_areas(rng, plot, total, as_of)
    _set_certification(rng, plot, m, as_of)
    _set_geometry(rng, plot, person.place, total)
    return plot


def _set_areas(rng: random.Random, plot: Plot, total: float, as_of: date) -> None:
    installed = total * rng.uniform(0.4, 1.0)
    plot.installed_on = _between(rng, date(1998, 1, 1), as_of - timedelta(days=200)).replace(day=1)
    # Cocoa bears fruit from about its third year.
    young = (as_of - plot.installed_on).days < 3 * 365
    producing = installed * (rng.uniform(0, 0.3) if young else rng.uniform(0.6, 1.0))
    plot.cocoa_installed_ha = _ha(installed)
    plot.cocoa_producing_ha = min(_ha(producing), plot.cocoa_installed_ha)
    plot.cocoa_grafted_ha = min(_ha(installed * rng.uniform(0.2, 1.0)), plot.cocoa_installed_ha)
    plot.temporary_shade_ha = _ha(installed * (rng.uniform(0.2, 0.6) if young else rng.uniform(0, 0.2)))
    plot.forest_ha = _ha((total - installed) * rng.uniform(0.2, 1.0))


def _set_certification(rng: random.Random, plot: Plot, member: Member, as_of: date) -> None:
    # Members who left or died no longer hold certified plots.
    if member.status in (MemberStatus.WITHDRAWN, MemberStatus.DECEASED):
        return
    if rng.random() < 0.85:
        plot.fairtrade_certified = True
        plot.fairtrade_since = min(
            _between(
                rng,
                max(member.join_date, FAIRTRADE_FROM),
                max(member.join_date, FAIRTRADE_FROM) + timedelta(days=540),
            ),
            as_of,
        )
    if rng.random() < 0.55:
        _set_organic(rng, plot, member.join_date, as_of)


def _set_organic(rng: random.Random, plot: Plot, join: date, as_of: date) -> None:
    """Conversion lasts three years; the stage follows from when it started."""
    recent = rng.random() < 0.15
    earliest = max(join, as_of - timedelta(days=3 * 365)) if recent else join
    start = _between(rng, earliest, as_of - timedelta(days=30))
    plot.organic_conversion_start = start
    certified_on = _years_before(start, -3)
    if certified_on <= as_of:
        plot.organic_stage = OrganicStage.ORGANIC
        plot.organic_certified_on = certified_on
    else:
        year = min((as_of - start).days // 365, 2)
        plot.organic_stage = (
            OrganicStage.TRANSITION_1,
            OrganicStage.TRANSITION_2,
            OrganicStage.TRANSITION_3,
        )[year]


def _set_geometry(rng: random.Random, plot: Plot, place: Place, total: float) -> None:
    """A polygon for plots over 4 ha and most others; a point for some small ones.

    The result is what Plot.clean would store, so it goes through check_geometry.
    """
    lat = _clamp(rng.gauss(place.lat, 0.02), CENTRE_LAT)
    lon = _clamp(rng.gauss(place.lon, 0.02), CENTRE_LON)
    if total <= 4 and rng.random() < 0.2:
        geometry = point(_deg(lon), _deg(lat))
    else:
        ring = _ring(rng, lon, lat, total * rng.uniform(0.93, 1.06))
        geometry = {"type": "Polygon", "coordinates": [ring]}
        plot.georeferenced_ha = _ring_hectares(ring)
    checked = check_geometry(geometry, area_ha=plot.total_area_ha)
    plot.geometry, plot.geometry_kind = checked.geojson, checked.kind
    plot.centroid_lat, plot.centroid_lon = checked.centroid_lat, checked.centroid_lon


def _ring(rng: random.Random, lon: float, lat: float, hectares: float) -> list[list[Decimal]]:
    """A closed, simple ring of about ``hectares`` around (lon, lat).

    Vertices go round the centre at increasing angles, so the ring never crosses
    itself; a stretch and a turn (which keep it simple) make plots elongated.
    """
    n = rng.randint(5, 10)
    step = 2 * math.pi / n
    start = rng.uniform(0, 2 * math.pi)
    stretch, turn = rng.uniform(1.0, 2.2), rng.uniform(0, math.pi)
    cos_t, sin_t = math.cos(turn), math.sin(turn)
    metres = []
    for i in range(n):
        angle = start + step * (i + rng.uniform(-0.3, 0.3))
        radius = rng.uniform(0.75, 1.25)
        x, y = radius * math.cos(angle) * stretch, radius * math.sin(angle) / stretch
        metres.append((x * cos_t - y * sin_t, x * sin_t + y * cos_t))
    scale = math.sqrt(hectares * 10_000 / _shoelace(metres))
    per_deg_lon = M_PER_DEG * math.cos(math.radians(lat))
    ring = [[_deg(lon + x * scale / per_deg_lon), _deg(lat + y * scale / M_PER_DEG)] for x, y in metres]
    return ring + [ring[0]]


def _ring_hectares(ring: list[list[Decimal]]) -> Decimal:
    """The area the rounded coordinates enclose, as a GPS survey would report it."""
    lat0 = float(ring[0][1])
    per_deg_lon = M_PER_DEG * math.cos(math.radians(lat0))
    metres = [(float(lon) * per_deg_lon, (float(lat) - lat0) * M_PER_DEG) for lon, lat in ring[:-1]]
    return Decimal(f"{_shoelace(metres) / 10_000:.4f}")


def _shoelace(points: list[tuple[float, float]]) -> float:
    pairs = zip(points, points[1:] + points[:1], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2


# Small helpers ------------------------------------------------------------


def _between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _clamp(value: float, centre: float) -> float:
    # Keep the whole plot, not only its centre, inside the demo box.
    margin = SPREAD - 0.01
    return min(max(value, centre - margin), centre + margin)


def _ha(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _deg(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")
