from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from acopio.services import import_deliveries
from toolkit.commands import fail_on_errors
from toolkit.money import format_money


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _(
            "Importa entregas de balanzas u otros sistemas (xlsx o csv), con una referencia externa por "
            "fila: todo o nada; volver a importar el mismo archivo no cambia nada."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("Revisar el archivo sin guardar nada."))

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(_("No existe el archivo %(file)s.") % {"file": file})
        report = import_deliveries(source=file.read_bytes(), filename=file.name, dry_run=dry_run, user=None)
        fail_on_errors(self, report, file.name)
        if dry_run:
            text = _(
                "Revisión sin guardar: %(file)s, %(rows)s. Entregas nuevas: %(created)s (%(amount)s), "
                "ya importadas: %(unchanged)s, marcadas por rendimiento: %(flagged)s."
            )
        else:
            text = _(
                "Importado: %(file)s, %(rows)s. Entregas nuevas: %(created)s (%(amount)s), "
                "ya importadas: %(unchanged)s, marcadas por rendimiento: %(flagged)s."
            )
        figures = {
            "file": file.name,
            "rows": ngettext("%(count)s fila", "%(count)s filas", report.rows) % {"count": report.rows},
            "created": report.created,
            "amount": format_money(report.amount_minor, "PEN"),
            "unchanged": report.unchanged,
            "flagged": report.flagged,
        }
        self.stdout.write(self.style.SUCCESS(text % figures))
