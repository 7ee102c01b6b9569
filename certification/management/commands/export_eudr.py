"""python manage.py export_eudr --lot L-001 -o lote.geojson (or --season 2026): the EUDR file.

All or nothing: if any plot fails, every problem goes to stderr, the command
exits with 1 and the output file is not written (nor, if it already existed,
touched). The file is written to a temporary name beside it and renamed only
once complete, so nobody ever reads half a file.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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
    help = (
        "Exporta la geolocalización de las parcelas de un lote, o de los lotes para la Unión "
        "Europea de una campaña, en GeoJSON para el Reglamento de Deforestación de la UE (EUDR)."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--lot", metavar="CÓDIGO", help="Código del lote (por ejemplo L-001).")
        which.add_argument(
            "--season",
            metavar="CÓDIGO",
            help="Código de la campaña: todos sus lotes marcados para la Unión Europea.",
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help="Archivo .geojson a escribir.")

    def handle(self, *args, lot: str | None, season: str | None, output: Path, **options):
        if lot is not None:
            found = Lot.objects.filter(code=lot.strip().upper()).first()
            if found is None:
                raise CommandError(f"No existe el lote {lot.strip()}.")
            for notice in lot_notices(found):
                self.stderr.write(self.style.WARNING(f"Aviso: {notice}"))
            what = f"del lote {found.code}"
            export, plots = lot_geojson_bytes, plots_for_lot
        else:
            found = Season.objects.filter(code=season.strip()).first()
            if found is None:
                raise CommandError(f"No existe la campaña {season.strip()}.")
            what = f"de los lotes para la Unión Europea de la {found}"
            export, plots = season_geojson_bytes, plots_for_season

        try:
            content = export(found)
        except EudrExportError as refused:
            for problem in refused.messages:
                self.stderr.write(self.style.ERROR(f"Error: {problem}"))
            count = len(refused.messages)
            raise CommandError(
                f"Exportación rechazada ({count} {'problema' if count == 1 else 'problemas'}): "
                f"no se escribió {output}."
            ) from None
        try:
            write_whole(output, content, durable=True)
        except OSError as exc:
            raise CommandError(f"No se pudo escribir {output}: {exc.strerror or exc}.") from None
        count = plots(found).count()
        noun = "parcela exportada" if count == 1 else "parcelas exportadas"
        self.stdout.write(self.style.SUCCESS(f"{count} {noun} {what} a {output} ({len(content):,} bytes)."))
