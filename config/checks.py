"""Checks `manage.py check --deploy` runs besides Django's own."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def two_factor_in_production(app_configs, **kwargs):
    """Production without the second step of sign-in is allowed only when asked for, and said loudly."""
    if getattr(settings, "PRODUCTION", False) and not getattr(settings, "MINKA_TWO_FACTOR", True):
        return [
            checks.Warning(
                "MINKA_TWO_FACTOR is off in production: administration, board and treasury sign in with "
                "their password only.",
                hint="Unset MINKA_TWO_FACTOR (or set it to 1) so they also enter a code from their phone.",
                id="minka.W001",
            )
        ]
    return []
