from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    """General assemblies: rule sets, roll, attendance, proxies, votes, minutes."""

    name = "assemblies"
    verbose_name = _("Asambleas")

    def ready(self):
        from assemblies import integrity
        from ledger.verification import register_record_check

        integrity.register()
        register_record_check(integrity.check_published_motions)
        register_record_check(integrity.check_kept_minutes)
        register_record_check(integrity.check_presences)
        register_record_check(integrity.check_ballot_counters)
