"""python manage.py quickstart: a working Minka with demo data in one command.

Prepares the database and static files, loads the demonstration cooperative
and one login per role, prints the logins and starts the development server.
Running it again changes nothing: the demo is loaded once and the passwords,
generated the first time, are kept in the var directory and shown again.
"""

import ctypes
import errno
import os
import secrets
import signal
import socket
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
HOST = "127.0.0.1"
DEFAULT_PORT = 8000
ADDRESS = f"{HOST}:{DEFAULT_PORT}"
WORKER_STOP_SECONDS = 10
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
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=gettext_lazy("Puerto del servidor local (8000 por defecto)."),
        )
        parser.add_argument(
            "--members",
            type=int,
            default=360,
            help=gettext_lazy("Socios de la cooperativa de demostración (360 por defecto)."),
        )

    def handle(self, *args, no_serve, members, port, **options):
        if settings.MINKA_ENV == "production":
            raise CommandError(
                _(
                    "quickstart es solo para probar Minka: crea usuarios de demostración y datos ficticios. "
                    "No se ejecuta con MINKA_ENV=production."
                )
            )
        if not 1 <= port <= 65535:
            raise CommandError(_("El puerto %(port)s no existe: elija uno entre 1 y 65535.") % {"port": port})
        address = f"{HOST}:{port}"
        if not no_serve:
            check_port_free(port)  # before the minutes of preparing, not after them
        self.stdout.write(_("Preparando la base de datos…"))
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Logins first: the demo's premium spending is signed by the board and treasurer logins.
        logins = self._ensure_logins()
        self._load_demo(members)
        self._print_logins(logins)
        if not no_serve and not os.environ.get("MINKA_TWO_FACTOR"):
            # The demonstration is for trying Minka in its first minute: nobody has an authenticator set
            # up for these logins. The server it starts (this process) asks no code unless told to.
            settings.MINKA_TWO_FACTOR = False
        self._print_two_factor()
        if no_serve:
            # Nothing is serving: say how to start it rather than where it is.
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Datos listos. Para abrir Minka: python manage.py runserver %(address)s "
                        "y vaya a %(url)s"
                    )
                    % {"address": address, "url": f"http://{address}/"}
                )
            )
            return
        check_port_free(port)  # another program may have taken it meanwhile
        self.stdout.write(
            self.style.SUCCESS(_("Minka está listo en %(url)s") % {"url": f"http://{address}/"})
        )
        # A task worker beside the server prints statements in the background; it stops with the server,
        # however the server stops: Ctrl-C, SIGTERM or an error.
        worker = start_worker()
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            call_command("runserver", address, use_reloader=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
            stop_worker(worker)

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

    def _print_two_factor(self) -> None:
        if settings.MINKA_TWO_FACTOR:
            self.stdout.write(
                _(
                    "Ingreso en dos pasos activo: admin, consejo y tesorero configurarán una aplicación de "
                    "autenticación (Google Authenticator, FreeOTP, Aegis) en su primer ingreso."
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Ingreso en dos pasos desactivado en esta demostración: admin, consejo y tesorero "
                        "ingresan solo con su contraseña. Para probarlo: MINKA_TWO_FACTOR=1 python manage.py "
                        "quickstart"
                    )
                )
            )

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


def check_port_free(port: int) -> None:
    """Refuse, in Spanish, a port another program listens on (as runserver would bind it)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((HOST, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                _(
                    "El puerto %(port)s ya está en uso: otro programa (quizá otro Minka) lo ocupa. "
                    "Ciérrelo o use otro puerto: python manage.py quickstart --port %(other)s"
                )
                % {"port": port, "other": port + 1 if port < 65535 else 8001}
            ) from exc
        raise CommandError(
            _("No se puede usar el puerto %(port)s: %(reason)s") % {"port": port, "reason": exc.strerror}
        ) from exc
    finally:
        probe.close()


def _die_with_parent() -> None:
    """In the worker, before it starts (Linux): end it if quickstart itself is killed outright."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_worker() -> subprocess.Popen:
    """The background task worker, in a process group of its own: Ctrl-C in the terminal reaches
    quickstart only, and stop_worker ends the whole group."""
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
    return subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        process_group=0,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    """Terminate the worker's process group and wait for it; kill it if it does not stop in time."""
    try:
        os.killpg(worker.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.wait()


def _stop_on_sigterm(signum, frame):
    # Leave the server's loop as Ctrl-C does, so the worker is stopped on the way out.
    raise KeyboardInterrupt


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
