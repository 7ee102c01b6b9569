"""What the season-workbook export commands share: the season by its code (naming the known ones when
it does not exist), the file written, the size reported. Each command gives its help, its workbook
and its confirmation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from coop.models import Season


class SeasonWorkbookCommand(BaseCommand):
    def workbook(self, season: Season) -> bytes:
        raise NotImplementedError

    def done(self, *, season: str, output: Path, size: str) -> str:
        raise NotImplementedError

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
        content = self.workbook(found)
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("No se pudo escribir %(output)s: %(reason)s.") % {"output": output, "reason": exc.strerror}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(self.done(season=found.name, output=output, size=f"{len(content):,}"))
        )
