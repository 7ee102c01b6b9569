"""python manage.py generate_demo --members 20000 --seed 1"""

from django.core.management.base import BaseCommand, CommandError

from coop.demo import generate_demo


class Command(BaseCommand):
    help = "Carga una cooperativa de demostración en Chazuta (socios, parcelas y geolocalización)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=360, help="Número de socios (360 por defecto).")
        parser.add_argument("--seed", type=int, default=1,
                            help="Semilla: la misma semilla da los mismos datos.")

    def handle(self, *args, members, seed, **options):
        if members < 1:
            raise CommandError("El número de socios debe ser al menos 1.")
        summary = generate_demo(members=members, seed=seed)
        if summary.created:
            self.stdout.write(self.style.SUCCESS("Cooperativa de demostración cargada."))
        else:
            self.stdout.write("Los datos de demostración ya estaban cargados: no se agregó nada.")
        for line in summary.lines():
            self.stdout.write(f"  {line}")
