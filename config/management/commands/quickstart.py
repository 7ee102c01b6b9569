"""python manage.py quickstart: a working Minka with demo data in one command.

Prepares the database and static files, loads the demonstration cooperative
and one login per role, prints the logins and starts the development server.
Running it again changes nothing: the demo is loaded once and the passwords,
generated the first time, are kept in the var directory and shown again.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from acopio.demo import acopio_loaded
from assemblies.demo import convene_upcoming, hold_assembly
from config.demo import generate_seasons
from coop.demo import demo_loaded, generate_demo
from toolkit.roles import (
    ADMINISTRATOR,
    BOARD,
    CERTIFIER,
    CLERK,
    OVERSIGHT,
    ROLE_LABELS,
    TREASURER,
    ensure_role_groups,
)

LOGINS_FILE = "demo_logins.txt"
ADDRESS = "127.0.0.1:8000"
DEMO_LOGINS = (
    ("admin", ADMINISTRATOR),
    ("acopiador", CLERK),
    ("consejo", BOARD),
    ("tesorero", TREASURER),
    ("vigilancia", OVERSIGHT),
    ("certificador", CERTIFIER),
)
EXISTING_LOGIN_NOTE = gettext_lazy("(ya existía; contraseña sin cambios)")


class Command(BaseCommand):
    @property
    def help(self):
        # Read when the parser is built (argparse needs a plain str, not a lazy one).
        return _("Prepara Minka con datos de demostración y usuarios por rol, y abre el servidor local.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help=gettext_lazy("No iniciar el servidor al terminar.")
        )
        parser.add_argument(
            "--members",
            type=int,
            default=360,
            help=gettext_lazy("Socios de la cooperativa de demostración (360 por defecto)."),
        )

    def handle(self, *args, no_serve, members, **options):
        if settings.MINKA_ENV == "production":
            raise CommandError(
                _(
                    "quickstart es solo para probar Minka: crea usuarios de demostración y datos ficticios. "
                    "No se ejecuta con MINKA_ENV=production."
                )
            )
        self.stdout.write(_("Preparando la base de datos…"))
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Logins first: the demo's premium spending is signed by the board and treasurer logins.
        logins = self._ensure_logins()
        self._load_demo(members)
        self._print_logins(logins)
        if no_serve:
            # Nothing is serving: say how to start it rather than where it is.
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Datos listos. Para abrir Minka: python manage.py runserver %(address)s "
                        "y vaya a %(url)s"
                    )
                    % {"address": ADDRESS, "url": f"http://{ADDRESS}/"}
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Minka está listo en %(url)s") % {"url": f"http://{ADDRESS}/"})
            )
            # A task worker beside the server prints statements in the background; it stops with the server.
            worker_command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
            worker = subprocess.Popen(worker_command, cwd=settings.BASE_DIR)
            try:
                call_command("runserver", ADDRESS, use_reloader=False)
            finally:
                worker.terminate()

    def _load_demo(self, members: int) -> None:
        if demo_loaded():
            self.stdout.write(_("La cooperativa de demostración ya estaba cargada."))
        else:
            self.stdout.write(
                ngettext(
                    "Cargando la cooperativa de demostración (%(count)s socio)…",
                    "Cargando la cooperativa de demostración (%(count)s socios)…",
                    members,
                )
                % {"count": members}
            )
            for line in generate_demo(members=members).lines():
                self.stdout.write(f"  {line}")
        if not acopio_loaded():
            self.stdout.write(
                _("Cargando tres campañas de acopio, ventas, pagos, asambleas y el fondo de la prima…")
            )
            for line in generate_seasons(approve_plan=hold_assembly).lines():
                self.stdout.write(f"  {line}")
            if convene_upcoming(user=None):
                convened = _(
                    "Una asamblea extraordinaria convocada para hoy, para probar la mesa de registro."
                )
                self.stdout.write(f"  {convened}")

    def _ensure_logins(self) -> list[tuple[str, str, str]]:
        """Create the missing role logins; return (username, role, password) rows.

        New passwords are saved before the users are created, so a failed run
        never leaves a login whose password nobody knows.
        """
        path = Path(settings.VAR_DIR) / LOGINS_FILE
        saved = read_logins(path)
        existing = set(
            get_user_model()
            .objects.filter(username__in=[u for u, _role in DEMO_LOGINS])
            .values_list("username", flat=True)
        )
        known = dict(saved)
        for username, _role in DEMO_LOGINS:
            if username not in existing:
                known.setdefault(username, secrets.token_urlsafe(9))
        if known != saved:
            write_logins(path, known)
        with transaction.atomic():
            ensure_role_groups()
            for username, role in DEMO_LOGINS:
                if username not in existing:
                    create_login(username, role, known[username])
        return [(username, role, known.get(username, EXISTING_LOGIN_NOTE)) for username, role in DEMO_LOGINS]

    def _print_logins(self, rows) -> None:
        self.stdout.write("")
        # Column headings of the table of logins, padded to line up with its rows (outside the
        # f-string: makemessages does not look inside one).
        user_heading, role_heading, password_heading = _("Usuario"), _("Rol"), _("Contraseña")
        self.stdout.write(f"{user_heading:<14}{role_heading:<28}{password_heading}")
        for username, role, password in rows:
            self.stdout.write(f"{username:<14}{str(ROLE_LABELS[role]):<28}{password}")
        self.stdout.write("")
        self.stdout.write(
            _("Contraseñas guardadas en %(path)s") % {"path": Path(settings.VAR_DIR) / LOGINS_FILE}
        )


def create_login(username: str, role: str, password: str) -> None:
    user = get_user_model().objects.create_user(
        username=username, password=password, is_staff=role == ADMINISTRATOR
    )
    user.groups.add(Group.objects.get(name=role))


def read_logins(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    rows = (
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {row[0]: row[-1] for row in rows if len(row) >= 2}


def write_logins(path: Path, logins: dict[str, str]) -> None:
    """Write the passwords readable by the owner only: they open the demo site."""
    lines = ["# Usuarios de demostración de Minka (creados por quickstart). Solo para pruebas."]
    lines += [f"{username}\t{password}" for username, password in logins.items()]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    path.chmod(0o600)  # the file may predate this run with wider permissions
