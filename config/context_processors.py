from django.conf import settings
from django.urls import reverse

from toolkit.roles import (
    ADMINISTRATOR,
    DELIVERY_RECORDERS,
    FUND_READERS,
    REVIEWERS,
    ROLE_LABELS,
    TWO_FACTOR_ROLES,
    user_roles,
)


def minka(request):
    roles = user_roles(request.user) if hasattr(request, "user") else frozenset()
    return {
        "minka_version": settings.MINKA_VERSION,
        "coop_name": settings.MINKA_COOP_NAME,
        "user_roles": roles,
        "user_role_labels": [ROLE_LABELS[r] for r in sorted(roles)],
        "is_administrator": ADMINISTRATOR in roles,
        "can_record_deliveries": bool(roles & DELIVERY_RECORDERS),
        "can_review_control": bool(roles & REVIEWERS),
        "can_read_fund": bool(roles & FUND_READERS),
        # The public form that verifies a paper document by its number and short code.
        "paper_verify_url": reverse("paper_verify"),
        # The user's own page of the second step of sign-in (their name in the top bar links to it).
        "two_factor_url": reverse("two_factor") if roles & TWO_FACTOR_ROLES else "",
        "two_factor_on": settings.MINKA_TWO_FACTOR,
    }
