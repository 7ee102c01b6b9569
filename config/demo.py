"""The demonstration's seasons, app by app: collection, then trade, then the premium fund."""

from acopio.demo import SEASONS, AcopioSummary, acopio_loaded, generate_acopio
from coop.models import Season
from fund import demo as fund_demo
from sales import demo as sales_demo


def generate_seasons(
    *, deliveries: int | None = None, seed: int = 1, user=None, payments: bool = True, approve_plan=None
) -> AcopioSummary:
    """Three seasons of buying, selling and spending the premium, once.

    ``approve_plan`` is how the premium plans get approved (see ``fund.demo.generate``):
    quickstart passes the assemblies' demo, which holds a general assembly for each plan.
    """
    if acopio_loaded():
        return generate_acopio()  # says what is there, loads nothing
    summary = generate_acopio(deliveries=deliveries, seed=seed, user=user, payments=payments)
    seasons = list(Season.objects.filter(code__in=[code for code, *_ in SEASONS]).order_by("starts_on"))
    sales_demo.generate(seasons, user)
    fund_demo.generate(seasons, user, approve_plan=approve_plan)
    return summary
