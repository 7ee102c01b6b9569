from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledger.checkpoint import (
    KEY_VARIABLE,
    CheckpointError,
    dumps,
    make_checkpoint,
    new_private_key,
    parse_private_key,
    private_key_from_environment,
    public_key_text,
)
from ledger.verification import verify_ledger


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Escribe un punto de control firmado (último asiento, su hash, fecha y cooperativa) "
            "para guardarlo fuera del servidor."
        )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", metavar="ARCHIVO", help=_("Archivo JSON donde escribirlo."))
        parser.add_argument(
            "--public-key",
            action="store_true",
            help=_("Muestra la clave pública que corresponde a %(variable)s.") % {"variable": KEY_VARIABLE},
        )
        parser.add_argument(
            "--new-key", action="store_true", help=_("Crea una clave privada nueva y la muestra.")
        )

    def handle(self, *args, output=None, public_key=False, new_key=False, **options):
        try:
            if new_key:
                return self._new_key()
            if public_key:
                self.stdout.write(public_key_text(private_key_from_environment()))
                return
            if not output:
                raise CommandError(_("Indique el archivo del punto de control con -o ARCHIVO."))
            key = private_key_from_environment()
            check = verify_ledger()
            document = make_checkpoint(check, key)
        except CheckpointError as error:
            raise CommandError(str(error)) from error
        Path(output).write_text(dumps(document), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Punto de control escrito en %(file)s: asiento %(number)s del %(date)s, "
                    "firmado con la clave pública %(key)s."
                )
                % {
                    "file": output,
                    "number": document["entry_number"],
                    "date": document["date"],
                    "key": document["public_key"],
                }
            )
        )

    def _new_key(self):
        private = new_private_key()
        self.stdout.write(private)
        self.stderr.write(
            _(
                "Guarde esta clave privada en la variable de entorno %(variable)s del servidor y en un lugar "
                "seguro; no la comparta. Clave pública (para el certificador): %(public)s"
            )
            % {"variable": KEY_VARIABLE, "public": public_key_text(parse_private_key(private))}
        )
