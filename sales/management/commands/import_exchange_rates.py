from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sales.rates import import_exchange_rates
from toolkit.commands import fail_on_errors


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _("Importa tipos de cambio (S/ por US$) por fecha, p. ej. la tabla de la SBS (xlsx o csv).")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("Revisar el archivo sin guardar nada."))

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(_("No existe el archivo %(file)s.") % {"file": file})
        report = import_exchange_rates(source=file.read_bytes(), filename=file.name, dry_run=dry_run)
        fail_on_errors(self, report, file.name)
        if dry_run:
            text = _("Revisión sin guardar: %(file)s, %(rows)s, %(dates)s.")
        else:
            text = _("Importado: %(file)s, %(rows)s, %(dates)s.")
        figures = {
            "file": file.name,
            "rows": ngettext("%(count)s fila", "%(count)s filas", report.rows) % {"count": report.rows},
            "dates": ngettext("%(count)s fecha nueva", "%(count)s fechas nuevas", report.created)
            % {"count": report.created},
        }
        self.stdout.write(self.style.SUCCESS(text % figures))
