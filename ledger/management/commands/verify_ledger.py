from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ledger.verification import verify_ledger


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _("Recalcula la numeración, la cadena de hashes y el cuadre de cada asiento del libro mayor.")

    def handle(self, *args, **options):
        check = verify_ledger()
        if not check.ok:
            # Each problem is a clause; together they make one sentence «Asiento 3: a; b.».
            raise CommandError(
                _("Asiento %(number)s: %(problems)s.")
                % {"number": check.broken_number, "problems": "; ".join(check.problems)}
            )
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
