from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    """General assemblies: rule sets, roll, attendance, proxies, votes, minutes."""

    name = "assemblies"
    verbose_name = _("Asambleas")
