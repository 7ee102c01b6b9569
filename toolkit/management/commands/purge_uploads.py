from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from toolkit.uploads import purge_uploads, upload_dir, upload_max_age


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _(
            "Borra los archivos de importación revisados y nunca confirmados que esperan desde hace más "
            "de MINKA_UPLOAD_MAX_AGE_HOURS horas (24)."
        )

    def handle(self, *args, **options):
        deleted = purge_uploads()
        hours = int(upload_max_age().total_seconds() // 3600)
        self.stdout.write(
            ngettext(
                "%(count)s archivo de importación de hace más de %(hours)s horas borrado de %(folder)s.",
                "%(count)s archivos de importación de hace más de %(hours)s horas borrados de %(folder)s.",
                deleted,
            )
            % {"count": deleted, "hours": hours, "folder": upload_dir()}
        )
