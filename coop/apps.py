from django.apps import AppConfig


class CoopConfig(AppConfig):
    """The cooperative itself: members, plots and, later, centres and deliveries."""

    name = "coop"
    verbose_name = "Cooperativa"
