"""python manage.py serve: Minka in production, under gunicorn (behind Caddy or nginx, see deploy/).

Refuses to start unless MINKA_ENV is set explicitly (a server must never run the development
defaults by accident) and, with DEBUG off, unless the static files were collected. Then the process
becomes gunicorn (exec), so systemd's signals reach it directly: SIGTERM stops it gracefully.
"""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_BIND = "127.0.0.1:8000"
# Each worker holds its own Python and, rendering a PDF, up to a few hundred MB: more than this is
# memory a cooperative's server rarely has, and the database would be the limit anyway.
MAX_WORKERS = 8
# Seconds a request may take: a long PDF (the minutes of 4,500 attending) is made in the background,
# but a large import's preview runs in the request.
TIMEOUT = 120


def default_workers() -> int:
    """gunicorn's rule, 2 × cores + 1, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return min(2 * cores + 1, MAX_WORKERS)


def gunicorn_arguments(*, bind: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--chdir={settings.BASE_DIR}",
        f"--bind={bind}",
        f"--workers={workers}",
        f"--timeout={TIMEOUT}",
        "--graceful-timeout=30",
        # A worker is replaced after about a thousand requests, so slow leaks never grow.
        "--max-requests=1000",
        "--max-requests-jitter=100",
        "--access-logfile=-",
        "--error-logfile=-",
    ]


class Command(BaseCommand):
    @property
    def help(self):
        return _("Sirve Minka en producción con gunicorn (detrás de Caddy o nginx).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("MINKA_BIND", DEFAULT_BIND),
            metavar="DIRECCIÓN:PUERTO",
            help=gettext_lazy(
                "Dirección y puerto donde escuchar (127.0.0.1:8000 por defecto, o MINKA_BIND)."
            ),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=gettext_lazy("Procesos de gunicorn (2 × núcleos + 1, como mucho 8, por defecto)."),
        )

    def handle(self, *args, bind, workers, **options):
        if not os.environ.get("MINKA_ENV", "").strip():
            raise CommandError(
                _(
                    "serve no arranca sin MINKA_ENV: póngalo en production en el archivo de entorno "
                    "(/etc/minka/minka.env), o en development para probar en este equipo."
                )
            )
        workers = workers or default_workers()
        if workers < 1:
            raise CommandError(_("--workers debe ser 1 o más."))
        if not settings.DEBUG and not (settings.STATIC_ROOT / "staticfiles.json").exists():
            raise CommandError(
                _(
                    "Faltan los archivos estáticos en %(folder)s: ejecute primero "
                    "python manage.py collectstatic --no-input."
                )
                % {"folder": settings.STATIC_ROOT}
            )
        self.stdout.write(
            _("Minka (%(env)s) con gunicorn en %(bind)s, %(workers)s procesos.")
            % {"env": settings.MINKA_ENV, "bind": bind, "workers": workers}
        )
        self.stdout.flush()
        arguments = gunicorn_arguments(bind=bind, workers=workers)
        os.execv(arguments[0], arguments)  # noqa: S606 (our own interpreter running gunicorn)
