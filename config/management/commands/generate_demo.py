"""python manage.py generate_demo --members 20000 --deliveries 500000 --seed 1"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.demo import generate_seasons
from coop.demo import generate_demo


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _(
            "Carga una cooperativa de demostración en Chazuta: socios, parcelas y geolocalización, "
            "y tres campañas de acopio con recibos, anulaciones, pagos, ventas y gastos de la prima."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, default=360, help=gettext_lazy("Número de socios (360 por defecto).")
        )
        parser.add_argument(
            "--deliveries",
            type=int,
            default=None,
            help=gettext_lazy("Entregas en las tres campañas (por defecto unas 8 por socio y campaña)."),
        )
        parser.add_argument(
            "--no-payments",
            action="store_true",
            help=gettext_lazy("Sin adelantos ni pagos (para cargas grandes de prueba)."),
        )
        parser.add_argument(
            "--seed", type=int, default=1, help=gettext_lazy("Semilla: la misma semilla da los mismos datos.")
        )

    def handle(self, *args, members, deliveries, no_payments, seed, **options):
        if members < 1:
            raise CommandError(_("El número de socios debe ser al menos 1."))
        if deliveries is not None and deliveries < 0:
            raise CommandError(_("El número de entregas no puede ser negativo."))
        summary = generate_demo(members=members, seed=seed)
        if summary.created:
            self.stdout.write(self.style.SUCCESS(_("Cooperativa de demostración cargada.")))
        else:
            self.stdout.write(_("Los datos de demostración ya estaban cargados: no se agregó nada."))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        if deliveries == 0:
            return
        acopio = generate_seasons(deliveries=deliveries, seed=seed, payments=not no_payments)
        self.stdout.write(
            _("Acopio de demostración cargado.") if acopio.created else _("El acopio ya estaba cargado.")
        )
        for line in acopio.lines():
            self.stdout.write(f"  {line}")
