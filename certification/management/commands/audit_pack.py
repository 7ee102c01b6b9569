"""python manage.py audit_pack --season 2025 -o paquete_auditoria_2025.zip"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certification.audit_pack import SeasonNotFound, find_season, pack_filename, write_audit_pack
from toolkit.files import written_whole


class Command(BaseCommand):
    @property
    def help(self):  # argparse wants text, not a lazy translation: translated when asked for
        return _(
            "Genera el paquete de auditoría de una campaña (ZIP): padrón, entregas, compras por socio, "
            "ventas, balance de masas, fondo de prima, autorizaciones, actas y gastos, con su manifiesto."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--season", required=True, help=_("Código de la campaña, o el año en que empieza (p. ej. 2025).")
        )
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            default=None,
            help=_("Archivo ZIP a escribir (por defecto paquete_auditoria_<campaña>.zip)."),
        )

    def handle(self, *args, season: str, output: Path | None, **options):
        try:
            found = find_season(season)
        except SeasonNotFound as exc:
            raise CommandError(str(exc)) from None
        output = output or Path(pack_filename(found))
        if output.is_dir():
            output = output / pack_filename(found)
        if not output.parent.is_dir():
            raise CommandError(_("No existe la carpeta %(folder)s.") % {"folder": output.parent})
        # Written beside the target and renamed at the end: a failed run leaves no half-written ZIP.
        with written_whole(output) as out:
            manifest = write_audit_pack(found, out)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Paquete de auditoría de la %(season)s: %(output)s (%(size)s bytes, "
                    "%(files)d archivos más manifest.csv y manifest.json)."
                )
                % {
                    "season": found.name,
                    "output": output,
                    "size": f"{output.stat().st_size:,}",
                    "files": len(manifest.files),
                }
            )
        )
        for f in manifest.files:
            if f.rows is None:
                self.stdout.write(
                    "  " + _("%(name)s: %(size)s bytes") % {"name": f.name, "size": f"{f.size:,}"}
                )
            else:
                self.stdout.write(
                    "  "
                    + ngettext(
                        "%(name)s: %(size)s bytes (%(rows)s fila)",
                        "%(name)s: %(size)s bytes (%(rows)s filas)",
                        f.rows,
                    )
                    % {"name": f.name, "size": f"{f.size:,}", "rows": f"{f.rows:,}"}
                )
