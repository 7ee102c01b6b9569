from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from acopio.delivery_import import import_deliveries
from toolkit.commands import fail_on_errors
from toolkit.money import format_money


class Command(BaseCommand):
    help = (
        "Importa entregas de balanzas u otros sistemas (xlsx o csv), con una referencia externa por "
        "fila: todo o nada; volver a importar el mismo archivo no cambia nada."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Revisar el archivo sin guardar nada.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No existe el archivo {file}.")
        report = import_deliveries(source=file.read_bytes(), filename=file.name, dry_run=dry_run, user=None)
        fail_on_errors(self, report, file.name)
        outcome = "Revisión sin guardar" if dry_run else "Importado"
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome}: {file.name}, {report.rows} filas. Entregas nuevas: {report.created} "
                f"({format_money(report.amount_minor, 'PEN')}), ya importadas: {report.unchanged}, "
                f"marcadas por rendimiento: {report.flagged}."
            )
        )
