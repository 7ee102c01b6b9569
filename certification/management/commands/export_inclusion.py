"""python manage.py export_inclusion --season 2025 -o inclusion_2025.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certification.inclusion import season_period
from certification.inclusion_export import inclusion_workbook
from coop.models import Season


class Command(BaseCommand):
    @property
    def help(self):  # argparse wants text, not a lazy translation: translated when asked for
        return _(
            "Exporta la participación por sexo y edad de una campaña (socios, tierra, entregas, prima en "
            "efectivo y asistencia a asambleas), con la campaña anterior, en un libro xlsx."
        )

    def add_arguments(self, parser):
        parser.add_argument("--season", required=True, help=_("Código de la campaña, por ejemplo 2025."))
        parser.add_argument("-o", "--output", type=Path, required=True, help=_("Archivo .xlsx a escribir."))

    def handle(self, *args, season: str, output: Path, **options):
        code = season.strip()
        found = Season.objects.filter(code=code).first()
        if found is None:
            known = ", ".join(Season.objects.order_by("starts_on").values_list("code", flat=True))
            if known:
                raise CommandError(
                    _("No existe la campaña «%(season)s». Campañas registradas: %(seasons)s.")
                    % {"season": code, "seasons": known}
                )
            raise CommandError(
                _("No existe la campaña «%(season)s». No hay campañas registradas.") % {"season": code}
            )
        content = inclusion_workbook(season_period(found))
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("No se pudo escribir %(output)s: %(reason)s.") % {"output": output, "reason": exc.strerror}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Participación por sexo y edad (%(season)s) exportada a %(output)s (%(size)s bytes).")
                % {"season": found.name, "output": output, "size": f"{len(content):,}"}
            )
        )
