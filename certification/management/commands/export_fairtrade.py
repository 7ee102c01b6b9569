"""python manage.py export_fairtrade --season 2025 -o comercio_justo_2025.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certification.fairtrade_report import fairtrade_workbook
from coop.models import Season


class Command(BaseCommand):
    help = (
        "Exporta el informe de Comercio Justo de una campaña para la certificadora (FLOCERT): ventas, "
        "prima, uso de la prima y balance de masas, en un libro xlsx."
    )

    def add_arguments(self, parser):
        parser.add_argument("--season", required=True, help="Código de la campaña, por ejemplo 2025.")
        parser.add_argument("-o", "--output", type=Path, required=True, help="Archivo .xlsx a escribir.")

    def handle(self, *args, season: str, output: Path, **options):
        code = season.strip()
        found = Season.objects.filter(code=code).first()
        if found is None:
            known = ", ".join(Season.objects.order_by("starts_on").values_list("code", flat=True))
            listed = f"Campañas registradas: {known}." if known else "No hay campañas registradas."
            raise CommandError(f"No existe la campaña «{code}». {listed}")
        content = fairtrade_workbook(found)
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"No se pudo escribir {output}: {exc.strerror}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Informe de Comercio Justo ({found.name}) exportado a {output} ({len(content):,} bytes)."
            )
        )
