from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coop.services import import_register
from toolkit.commands import fail_on_errors


class Command(BaseCommand):
    help = "Importa la hoja de trazabilidad (Alianza Cacao Perú), xlsx o csv: todo o nada."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Revisar el archivo sin guardar nada.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No existe el archivo {file}.")
        report = import_register(source=file.read_bytes(), filename=file.name, dry_run=dry_run, user=None)
        for problem in report.warnings:
            self.stderr.write(f"Advertencia: {problem}")
        fail_on_errors(self, report, file.name)
        outcome = "Revisión sin guardar" if dry_run else "Importado"
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome}: {file.name}, {report.rows} filas. "
                f"Socios: {report.members_created} nuevos, {report.members_updated} actualizados, "
                f"{report.members_unchanged} sin cambios. "
                f"Parcelas: {report.plots_created} nuevas, {report.plots_updated} actualizadas, "
                f"{report.plots_unchanged} sin cambios."
            )
        )
