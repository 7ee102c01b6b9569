"""python manage.py audit_pack --season 2025 -o paquete_auditoria_2025.zip"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certification.audit_pack import SeasonNotFound, find_season, pack_filename, write_audit_pack
from toolkit.files import written_whole


class Command(BaseCommand):
    help = (
        "Genera el paquete de auditoría de una campaña (ZIP): padrón, entregas, compras por socio, "
        "ventas, balance de masas, fondo de prima, autorizaciones, actas y gastos, con su manifiesto."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--season", required=True, help="Código de la campaña, o el año en que empieza (p. ej. 2025)."
        )
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            default=None,
            help="Archivo ZIP a escribir (por defecto paquete_auditoria_<campaña>.zip).",
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
            raise CommandError(f"No existe la carpeta {output.parent}.")
        # Written beside the target and renamed at the end: a failed run leaves no half-written ZIP.
        with written_whole(output) as out:
            manifest = write_audit_pack(found, out)
        self.stdout.write(
            self.style.SUCCESS(
                f"Paquete de auditoría de la {found.name}: {output} ({output.stat().st_size:,} bytes, "
                f"{len(manifest.files)} archivos más manifest.csv y manifest.json)."
            )
        )
        for f in manifest.files:
            rows = f" ({f.rows:,} fila{'' if f.rows == 1 else 's'})" if f.rows is not None else ""
            self.stdout.write(f"  {f.name}: {f.size:,} bytes{rows}")
