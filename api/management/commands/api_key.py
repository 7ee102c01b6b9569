"""manage.py api_key: register institutions and issue, list and revoke their API keys.

    python manage.py api_key client --name "Compradora SAC" --kind buyer --scopes register,trade --user admin
    python manage.py api_key issue --client "Compradora SAC" --expires 2027-12-31 --user admin
    python manage.py api_key list
    python manage.py api_key revoke <prefijo> --user admin

The key is printed once; Minka keeps only its SHA-256.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api import services
from api.models import ApiClient, ApiKey
from toolkit.dates import parse_typed_date
from toolkit.roles import ADMINISTRATOR, has_role


class Command(BaseCommand):
    help = "Instituciones y claves de la API: client, issue, list, revoke."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["client", "issue", "list", "revoke"])
        parser.add_argument("prefix", nargs="?", help="prefijo de la clave (revoke)")
        parser.add_argument("--name")
        parser.add_argument("--kind", help="buyer, certifier o programme")
        parser.add_argument("--scopes", default="", help="register,geolocation,trade,documents,figures")
        parser.add_argument("--contact", default="")
        parser.add_argument("--client", help="nombre de la institución (issue)")
        parser.add_argument("--expires", help="fecha de vencimiento, AAAA-MM-DD o dd/mm/aaaa (issue)")
        parser.add_argument("--user", help="usuario de administración que lo registra")

    def _user(self, username):
        user = get_user_model().objects.filter(username=username or "").first()
        if user is None or not has_role(user, ADMINISTRATOR):
            raise CommandError(_("--user: indique un usuario de administración existente."))
        return user

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as exc:
            for problem in exc.messages:
                self.stderr.write(self.style.ERROR(_("Error: %(problem)s") % {"problem": problem}))
            raise CommandError(_("No se guardó nada.")) from exc

    def _client(self, **options):
        client = services.create_client(
            name=options["name"] or "",
            kind=options["kind"] or "",
            scopes=[s.strip() for s in options["scopes"].split(",") if s.strip()],
            contact=options["contact"],
            user=self._user(options["user"]),
        )
        self.stdout.write(_("Institución %(client)s registrada.") % {"client": client.name})

    def _issue(self, **options):
        client = ApiClient.objects.filter(name__iexact=options["client"] or "").first()
        if client is None:
            raise CommandError(
                _("--client: no existe la institución «%(name)s».") % {"name": options["client"]}
            )
        expires = parse_typed_date(options["expires"])
        if expires is None:
            raise CommandError(_("--expires: escriba la fecha como AAAA-MM-DD o dd/mm/aaaa."))
        issued = services.issue_key(client=client, expires_on=expires, user=self._user(options["user"]))
        self.stdout.write(issued.secret)
        self.stderr.write(
            _("Clave de %(client)s, vence el %(date)s. Cópiela ahora: no se volverá a mostrar.")
            % {"client": client.name, "date": expires.isoformat()}
        )

    def _list(self, **options):
        for key in ApiKey.objects.select_related("client").order_by("client__name", "created_at"):
            state = _("revocada") if key.revoked_at else (_("vigente") if key.usable() else _("vencida"))
            self.stdout.write(f"{key.prefix}\t{key.client.name}\t{key.expires_on.isoformat()}\t{state}")

    def _revoke(self, **options):
        key = ApiKey.objects.filter(prefix=options["prefix"] or "").first()
        if key is None:
            raise CommandError(
                _("No existe una clave con el prefijo «%(prefix)s».") % {"prefix": options["prefix"]}
            )
        services.revoke_key(key=key, user=self._user(options["user"]))
        self.stdout.write(_("Clave %(key)s revocada.") % {"key": key})
