"""The home page's sections, one per role the user holds: what needs doing next and the figures that
matter, each with the link to the page where it is done.

Each builder reads its figures through the apps' selectors (one query a figure) and returns the
context of its part of templates/home.html; ``sections`` calls those of the user's roles, in the
order of ROLE_ORDER, and reads what two sections share once.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from acopio.models import CollectionCentre
from acopio.selectors import (
    delivery_figures,
    members_over_yield,
    voided_since,
    week_against_last_year,
    weekly_dry_g,
)
from acopio.views import SESSION_CENTRE
from assemblies.selectors import assemblies_ahead
from certification.views import visible_downloads
from coop.models import RegisterExport, Season
from fund.models import ApprovalCapacity
from fund.selectors import awaiting_signature, fund_position
from ledger.selectors import owed_to_members_minor
from sales.selectors import contracts_to_review_count
from toolkit.charts import Bar, bar_chart
from toolkit.roles import ADMINISTRATOR, BOARD, CERTIFIER, CLERK, OVERSIGHT, TREASURER, user_roles
from toolkit.templatetags.minka_money import kg

ROLE_ORDER = (ADMINISTRATOR, CLERK, BOARD, TREASURER, OVERSIGHT)
LATEST = 5  # exports and downloads listed


def deliveries_chart(season: Season | None, *, centre_id: int | None = None, ident: str = "chart"):
    """Dry kilograms delivered per week of the season, as an SVG bar chart (toolkit.charts)."""
    if season is None:
        return ""
    weeks = weekly_dry_g(season=season, centre_id=centre_id)
    bars = [
        Bar(
            label=monday.strftime("%d/%m"),
            value=dry_g,
            text=_("Semana del %(day)s: %(kg)s") % {"day": monday.strftime("%d/%m/%Y"), "kg": kg(dry_g)},
        )
        for monday, dry_g in weeks
    ]
    return bar_chart(
        bars,
        title=_("Kilos de cacao seco entregados por semana, campaña %(season)s") % {"season": season.name},
        ident=ident,
    )


def administrator_section(request, shared) -> dict:
    today, season = shared["today"], shared["season"]
    return {
        "deliveries": delivery_figures(season=season, today=today),
        "voided_this_week": voided_since(timezone.now() - timedelta(days=7)),
        "over_yield": members_over_yield(season),
        "week": week_against_last_year(today),
        "contracts_to_review": contracts_to_review_count(),
        "chart": deliveries_chart(season, ident="chart-admin"),
    }


def clerk_section(request, shared) -> dict:
    """The centre the clerk last recorded at (kept in the session); before the first delivery of the
    session, what the clerk has recorded."""
    today, season = shared["today"], shared["season"]
    centre_id = request.session.get(SESSION_CENTRE)
    centre = CollectionCentre.objects.filter(pk=centre_id).first() if centre_id else None
    if centre is None:
        return {
            "centre": None,
            "deliveries": delivery_figures(season=season, today=today, recorded_by=request.user),
            "chart": "",
        }
    return {
        "centre": centre,
        "deliveries": delivery_figures(season=season, today=today, centre_id=centre.pk),
        "chart": deliveries_chart(season, centre_id=centre.pk, ident="chart-clerk"),
    }


def board_section(request, shared) -> dict:
    return {
        "assemblies": shared["assemblies"](),
        "to_sign": awaiting_signature(ApprovalCapacity.BOARD),
    }


def treasurer_section(request, shared) -> dict:
    return {
        "to_sign": awaiting_signature(ApprovalCapacity.TREASURER),
        "fund": fund_position(),
        "owed_to_members": owed_to_members_minor(),
    }


def reviewer_section(request, shared) -> dict:
    """Oversight and certifiers read the same (one section for a person holding both): what was
    exported and downloaded lately, and where the books are verified."""
    return {"exports": shared["exports"](), "downloads": shared["downloads"]()}


BUILDERS = {
    ADMINISTRATOR: administrator_section,
    CLERK: clerk_section,
    BOARD: board_section,
    TREASURER: treasurer_section,
    OVERSIGHT: reviewer_section,
}
REVIEWER_ROLES = frozenset({OVERSIGHT, CERTIFIER})


def _once(read):
    cache = []

    def get():
        if not cache:
            cache.append(read())
        return cache[0]

    return get


def sections(request) -> tuple[dict[str, dict], Season | None]:
    """role → its section's context, for the roles the user holds, in ROLE_ORDER (a certifier's under
    OVERSIGHT: the two read the same section); and the season the figures are of (the one today is
    in, else the latest)."""
    roles = set(user_roles(request.user))
    if roles & REVIEWER_ROLES:
        roles.add(OVERSIGHT)
    today = timezone.localdate()
    shared = {
        "today": today,
        "season": Season.on(today) or Season.objects.first(),
        "assemblies": _once(lambda: list(assemblies_ahead()[:LATEST])),
        "exports": _once(
            lambda: list(
                RegisterExport.objects.select_related("requested_by").order_by("-requested_at", "-id")[
                    :LATEST
                ]
            )
        ),
        "downloads": _once(lambda: list(visible_downloads(request.user)[:LATEST])),
    }
    return {role: BUILDERS[role](request, shared) for role in ROLE_ORDER if role in roles}, shared["season"]
