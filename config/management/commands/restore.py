"""python manage.py restore FILE: a backup into an empty database, checked before it is called done."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.backup import BackupError, restore_backup


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Restaura una copia de «manage.py backup» en una base de datos vacía, la migra si es de una "
            "versión anterior y comprueba el libro mayor y las filas de cada tabla contra su descripción."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="ARCHIVO", help=gettext_lazy("La copia (.sqlite3 o .dump)."))
        parser.add_argument(
            "--checkpoint",
            metavar="ARCHIVO",
            help=gettext_lazy("Comprobar además este punto de control firmado (manage.py checkpoint)."),
        )

    def handle(self, *args, file, checkpoint=None, **options):
        def run(*arguments, **keywords):
            keywords.setdefault("stdout", self.stdout)
            keywords.setdefault("stderr", self.stderr)
            return call_command(*arguments, **keywords)

        try:
            restored = restore_backup(path=Path(file), checkpoint=checkpoint, run_command=run)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if restored.migrated:
            self.stdout.write(_("La copia era de una versión anterior: se aplicaron las migraciones."))
        self.stdout.write(restored.verified)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restauración terminada: el libro mayor llega al asiento %(number)s y cada tabla tiene "
                    "las filas que dice la copia."
                )
                % {"number": restored.last_number}
            )
        )
