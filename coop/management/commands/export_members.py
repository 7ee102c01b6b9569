from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from coop.traceability import export_register


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _("Exporta el padrón de socios y parcelas en el formato de la hoja de trazabilidad.")

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, format: str, output: Path, **options):  # noqa: A002 - the option's name
        content = export_register(fmt=format)
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(
                _("Padrón exportado a %(file)s (%(size)s bytes).")
                % {"file": output, "size": f"{len(content):,}"}
            )
        )
