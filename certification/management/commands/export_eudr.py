"""python manage.py export_eudr --lot L-001 -o lote.geojson (or --season 2026): the EUDR file.

All or nothing: if any plot fails, every problem goes to stderr, the command
exits with 1 and the output file is not written (nor, if it already existed,
touched). The file is written to a temporary name beside it and renamed only
once complete, so nobody ever reads half a file.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from acopio.models import Lot
from certification.eudr import (
    EudrExportError,
    lot_geojson_bytes,
    lot_notices,
    plots_for_lot,
    plots_for_season,
    season_geojson_bytes,
)
from coop.models import Season
from toolkit.files import write_whole


class Command(BaseCommand):
    @property
    def help(self):  # argparse wants text, not a lazy translation: translated when asked for
        return _(
            "Exporta la geolocalización de las parcelas de un lote, o de los lotes para la Unión "
            "Europea de una campaña, en GeoJSON para el Reglamento de Deforestación de la UE (EUDR)."
        )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--lot", metavar=_("CÓDIGO"), help=_("Código del lote (por ejemplo L-001)."))
        which.add_argument(
            "--season",
            metavar=_("CÓDIGO"),
            help=_("Código de la campaña: todos sus lotes marcados para la Unión Europea."),
        )
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help=_("Archivo .geojson a escribir.")
        )

    def handle(self, *args, lot: str | None, season: str | None, output: Path, **options):
        if lot is not None:
            found = Lot.objects.filter(code=lot.strip().upper()).first()
            if found is None:
                raise CommandError(_("No existe el lote %(lot)s.") % {"lot": lot.strip()})
            for notice in lot_notices(found):
                self.stderr.write(self.style.WARNING(_("Aviso: %(notice)s") % {"notice": notice}))
            export, plots = lot_geojson_bytes, plots_for_lot
        else:
            found = Season.objects.filter(code=season.strip()).first()
            if found is None:
                raise CommandError(_("No existe la campaña %(season)s.") % {"season": season.strip()})
            export, plots = season_geojson_bytes, plots_for_season

        try:
            content = export(found)
        except EudrExportError as refused:
            for problem in refused.messages:
                self.stderr.write(self.style.ERROR(_("Error: %(problem)s") % {"problem": problem}))
            count = len(refused.messages)
            raise CommandError(
                ngettext(
                    "Exportación rechazada (%(count)d problema): no se escribió %(output)s.",
                    "Exportación rechazada (%(count)d problemas): no se escribió %(output)s.",
                    count,
                )
                % {"count": count, "output": output}
            ) from None
        try:
            write_whole(output, content, durable=True)
        except OSError as exc:
            raise CommandError(
                _("No se pudo escribir %(output)s: %(reason)s.")
                % {"output": output, "reason": exc.strerror or exc}
            ) from None
        count = plots(found).count()
        values = {
            "count": count,
            "code": found.code,
            "season": found,
            "output": output,
            "size": f"{len(content):,}",
        }
        if lot is not None:
            done = ngettext(
                "%(count)d parcela exportada del lote %(code)s a %(output)s (%(size)s bytes).",
                "%(count)d parcelas exportadas del lote %(code)s a %(output)s (%(size)s bytes).",
                count,
            )
        else:
            done = ngettext(
                "%(count)d parcela exportada de los lotes para la Unión Europea de la %(season)s "
                "a %(output)s (%(size)s bytes).",
                "%(count)d parcelas exportadas de los lotes para la Unión Europea de la %(season)s "
                "a %(output)s (%(size)s bytes).",
                count,
            )
        self.stdout.write(self.style.SUCCESS(done % values))
