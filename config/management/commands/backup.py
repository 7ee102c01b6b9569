"""python manage.py backup -o DIR: a checked copy of the whole database, old ones pruned by a rule."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.backup import BackupError, Retention, make_backup


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Escribe una copia completa y coherente de la base de datos con su descripción (SHA-256, "
            "último asiento, filas por tabla) y borra las copias antiguas según la regla indicada."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", metavar="CARPETA", required=True, help=gettext_lazy("Carpeta de las copias.")
        )
        for option, text in (
            ("--keep", gettext_lazy("Conservar las N copias más nuevas.")),
            ("--daily", gettext_lazy("Conservar la copia más nueva de cada uno de los últimos N días.")),
            ("--weekly", gettext_lazy("Conservar la copia más nueva de cada una de las últimas N semanas.")),
            ("--monthly", gettext_lazy("Conservar la copia más nueva de cada uno de los últimos N meses.")),
        ):
            parser.add_argument(option, type=int, default=0, metavar="N", help=text)

    def handle(self, *args, output, keep, daily, weekly, monthly, **options):
        if min(keep, daily, weekly, monthly) < 0:
            raise CommandError(_("Las cantidades de copias a conservar no pueden ser negativas."))
        retention = Retention(last=keep, daily=daily, weekly=weekly, monthly=monthly)
        try:
            made = make_backup(directory=Path(output), retention=retention or None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        side = made.sidecar
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Copia escrita: %(file)s (%(mb)s MB, SHA-256 %(sha)s); libro mayor hasta el asiento "
                    "%(number)s."
                )
                % {
                    "file": made.path,
                    "mb": f"{side['bytes'] / 1_000_000:.1f}",
                    "sha": side["sha256"],
                    "number": side["ledger"]["last_number"],
                }
            )
        )
        if made.pruned:
            self.stdout.write(
                ngettext(
                    "Se borró %(count)s copia antigua: %(files)s",
                    "Se borraron %(count)s copias antiguas: %(files)s",
                    len(made.pruned),
                )
                % {"count": len(made.pruned), "files": ", ".join(p.name for p in made.pruned)}
            )
