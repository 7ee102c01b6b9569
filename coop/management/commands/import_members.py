from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, npgettext

from coop.services import import_register
from toolkit.commands import fail_on_errors


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _("Importa la hoja de trazabilidad (Alianza Cacao Perú), xlsx o csv: todo o nada.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("Revisar el archivo sin guardar nada.")
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(_("No existe el archivo %(file)s.") % {"file": file})
        report = import_register(source=file.read_bytes(), filename=file.name, dry_run=dry_run, user=None)
        for problem in report.warnings:
            self.stderr.write(_("Advertencia: %(problem)s") % {"problem": problem})
        fail_on_errors(self, report, file.name)
        self.stdout.write(self.style.SUCCESS(summary(report, file.name, dry_run=dry_run)))
        if report.nothing_changes:
            self.stdout.write(_("Nada cambia: el padrón ya tiene todos los datos del archivo."))
        for change in report.changes:
            self.stdout.write(str(change))


def summary(report, filename: str, *, dry_run: bool) -> str:
    """«Importado: padron.xlsx, 12 filas. Socios: 3 nuevos, … Parcelas: 5 nuevas, …»"""
    # Each count is a phrase with its own plural; the sentence around them is one message.
    phrases = {
        "file": filename,
        "rows": ngettext("%(count)s fila", "%(count)s filas", report.rows) % {"count": report.rows},
    }
    # Literal calls, one per phrase, so makemessages finds every message.
    counted = {
        "new_members": (
            npgettext("socios", "%(count)s nuevo", "%(count)s nuevos", report.members_created),
            report.members_created,
        ),
        "updated_members": (
            npgettext("socios", "%(count)s actualizado", "%(count)s actualizados", report.members_updated),
            report.members_updated,
        ),
        "unchanged_members": (
            npgettext("socios", "%(count)s sin cambios", "%(count)s sin cambios", report.members_unchanged),
            report.members_unchanged,
        ),
        "new_plots": (
            npgettext("parcelas", "%(count)s nueva", "%(count)s nuevas", report.plots_created),
            report.plots_created,
        ),
        "updated_plots": (
            npgettext("parcelas", "%(count)s actualizada", "%(count)s actualizadas", report.plots_updated),
            report.plots_updated,
        ),
        "unchanged_plots": (
            npgettext("parcelas", "%(count)s sin cambios", "%(count)s sin cambios", report.plots_unchanged),
            report.plots_unchanged,
        ),
    }
    phrases.update({key: text % {"count": count} for key, (text, count) in counted.items()})
    if dry_run:
        text = _(
            "Revisión sin guardar: %(file)s, %(rows)s. "
            "Socios: %(new_members)s, %(updated_members)s, %(unchanged_members)s. "
            "Parcelas: %(new_plots)s, %(updated_plots)s, %(unchanged_plots)s."
        )
    else:
        text = _(
            "Importado: %(file)s, %(rows)s. "
            "Socios: %(new_members)s, %(updated_members)s, %(unchanged_members)s. "
            "Parcelas: %(new_plots)s, %(updated_plots)s, %(unchanged_plots)s."
        )
    return text % phrases
