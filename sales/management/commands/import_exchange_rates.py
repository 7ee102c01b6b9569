from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sales.rates import import_exchange_rates
from toolkit.commands import fail_on_errors


class Command(BaseCommand):
    help = "Importa tipos de cambio (S/ por US$) por fecha, p. ej. la tabla de la SBS (xlsx o csv)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Revisar el archivo sin guardar nada.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No existe el archivo {file}.")
        report = import_exchange_rates(source=file.read_bytes(), filename=file.name, dry_run=dry_run)
        fail_on_errors(self, report, file.name)
        outcome = "Revisión sin guardar" if dry_run else "Importado"
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome}: {file.name}, {report.rows} filas, {report.created} fechas nuevas."
            )
        )
