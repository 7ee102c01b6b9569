from django.apps import AppConfig


class AssembliesConfig(AppConfig):
    """General assemblies: rule sets, roll, attendance, proxies, votes, minutes."""

    name = "assemblies"
    verbose_name = "Asambleas"
