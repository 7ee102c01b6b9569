"""python manage.py export_inclusion --season 2025 -o inclusion_2025.xlsx"""

from django.utils.translation import gettext as _

from certification.inclusion import season_period
from certification.inclusion_export import inclusion_workbook
from certification.management.season_workbook import SeasonWorkbookCommand


class Command(SeasonWorkbookCommand):
    @property
    def help(self):  # argparse wants text, not a lazy translation: translated when asked for
        return _(
            "Exporta la participación por sexo y edad de una campaña (socios, tierra, entregas, prima en "
            "efectivo y asistencia a asambleas), con la campaña anterior, en un libro xlsx."
        )

    def workbook(self, season):
        return inclusion_workbook(season_period(season))

    def done(self, **facts):
        return (
            _("Participación por sexo y edad (%(season)s) exportada a %(output)s (%(size)s bytes).") % facts
        )
