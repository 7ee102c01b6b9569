"""Pages that show several apps at once, composed here at the top so no app reaches upward.

This is the composition root's page part: the home page, the sections that apps above the
register add to the member page (coop.views.MEMBER_PAGE_SECTIONS), and the fund page's link to
the assemblies.
"""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from acopio.selectors import season_account
from api import views as api_views
from config.home import sections as home_sections
from coop import views as coop_views
from coop.models import Member, MemberStatus, Plot, Season
from fund import views as fund_views
from toolkit.roles import ADMINISTRATOR, ALL_ROLES, has_role, role_required


@role_required(*ALL_ROLES)
def home(request):
    sections, season = home_sections(request)
    return render(
        request,
        "home.html",
        {
            "member_count": Member.objects.count(),
            "active_count": Member.objects.filter(status=MemberStatus.ACTIVE).count(),
            "plot_count": Plot.objects.count(),
            "can_export": has_role(request.user, *coop_views.EXPORT_ROLES),
            "sections": sections,
            "season": season,
        },
    )


def member_account_section(request, member) -> str:
    """The season's deliveries, movements and ledger balance, with the season statement's link."""
    chosen = request.GET.get("campana")
    seasons, season = Season.chosen(chosen)
    if chosen == "todas":
        season = None
    return render_to_string(
        "acopio/_member_account.html",
        {
            "member": member,
            "seasons": seasons,
            "season": season,
            "chosen": chosen,
            "account": season_account(member=member, season=season),
            "can_post": has_role(request.user, ADMINISTRATOR),
            "statement_url": (
                reverse("certification:member_statement_pdf", args=[member.code, season.code])
                if season
                else None
            ),
        },
        request=request,
    )


def register_sections() -> None:
    """Called once by config.urls: what the apps' pages show of the apps above them."""
    if member_account_section not in coop_views.MEMBER_PAGE_SECTIONS:
        coop_views.MEMBER_PAGE_SECTIONS.append(member_account_section)
    if api_views.member_section not in coop_views.MEMBER_PAGE_SECTIONS:
        coop_views.MEMBER_PAGE_SECTIONS.append(api_views.member_section)
    fund_views.PROPOSE_PLAN_AT = "assemblies:assembly_list"
