"""python manage.py export_fairtrade --season 2025 -o comercio_justo_2025.xlsx"""

from django.utils.translation import gettext as _

from certification.fairtrade_report import fairtrade_workbook
from certification.management.season_workbook import SeasonWorkbookCommand


class Command(SeasonWorkbookCommand):
    @property
    def help(self):  # argparse wants text, not a lazy translation: translated when asked for
        return _(
            "Exporta el informe de Comercio Justo de una campaña para la certificadora (FLOCERT): ventas, "
            "prima, uso de la prima y balance de masas, en un libro xlsx."
        )

    def workbook(self, season):
        return fairtrade_workbook(season)

    def done(self, **facts):
        return _("Informe de Comercio Justo (%(season)s) exportado a %(output)s (%(size)s bytes).") % facts
