from django.core.management.base import BaseCommand, CommandError

from ledger.verification import verify_ledger


class Command(BaseCommand):
    help = "Recalcula la numeración, la cadena de hashes y el cuadre de cada asiento del libro mayor."

    def handle(self, *args, **options):
        check = verify_ledger()
        if not check.ok:
            raise CommandError(f"Asiento {check.broken_number}: {'; '.join(check.problems)}.")
        self.stdout.write(
            self.style.SUCCESS(f"Libro mayor verificado: {check.entries} asientos, cadena íntegra.")
        )
