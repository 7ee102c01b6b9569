from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ledger.checkpoint import CheckpointError, checkpoint_problem, read_checkpoint
from ledger.verification import verify_ledger


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _(
            "Recalcula la numeración, la cadena de hashes y el cuadre de cada asiento del libro mayor, "
            "y la cadena de cada tabla que solo admite filas nuevas."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            metavar="ARCHIVO",
            help=_("Comprueba además que el libro contiene y prolonga este punto de control firmado."),
        )
        parser.add_argument(
            "--public-key",
            metavar="CLAVE",
            help=_("Exige que el punto de control esté firmado con esta clave pública."),
        )

    def handle(self, *args, checkpoint=None, public_key=None, **options):
        read = None
        if checkpoint:
            try:
                text = Path(checkpoint).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(
                    _("No se pudo leer el punto de control %(file)s.") % {"file": checkpoint}
                ) from error
            try:
                read = read_checkpoint(text, expected_public_key=public_key)
            except CheckpointError as error:
                raise CommandError(str(error)) from error
        check = verify_ledger()
        if not check.ok:
            raise CommandError(check.message)
        if read is not None and (problem := checkpoint_problem(read, check)):
            raise CommandError(problem)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Libro mayor verificado: %(count)s asiento, cadena íntegra.",
                    "Libro mayor verificado: %(count)s asientos, cadena íntegra.",
                    check.entries,
                )
                % {"count": check.entries}
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Registros que solo se agregan: %(count)s fila en %(tables)s tablas, cadenas íntegras.",
                    "Registros que solo se agregan: %(count)s filas en %(tables)s tablas, cadenas íntegras.",
                    check.rows,
                )
                % {"count": check.rows, "tables": len(check.chain_heads)}
            )
        )
        if read is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Contiene el punto de control del %(date)s (asiento %(number)s), firmado con la "
                        "clave pública %(key)s: compárela con la que publicó la cooperativa."
                    )
                    % {"date": read.date, "number": read.entry_number, "key": read.public_key}
                )
            )
