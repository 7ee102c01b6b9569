"""What /salud/ reports: the database answers, background tasks are being run, the data folder has room.

For a monitor or the reverse proxy, without signing in; nothing in it is secret (no paths, names,
versions or settings). Healthy is HTTP 200, anything wrong 503, each check saying why in Spanish.

A task waiting a long time is not a fault by itself (a print run queues thousands); it is when no
worker has started or finished any task in that time either: then `db_worker` is not running.
"""

import shutil

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult


def database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return {"ok": False, "message": _("La base de datos no responde.")}
    return {"ok": True}


def task_check(now=None) -> dict:
    now = now or timezone.now()
    limit = settings.MINKA_HEALTH_TASK_WAIT_MINUTES * 60
    try:
        waiting = DBTaskResult.objects.ready().aggregate(count=Count("id"), oldest=Min("enqueued_at"))
        activity = DBTaskResult.objects.aggregate(started=Max("started_at"), finished=Max("finished_at"))
    except DatabaseError:
        return {"ok": False, "message": _("No se pudo leer la cola de tareas.")}
    oldest = waiting["oldest"]
    last = max((moment for moment in activity.values() if moment is not None), default=None)
    report = {
        "waiting": waiting["count"],
        "oldest_waiting_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "last_activity_seconds": round((now - last).total_seconds()) if last else None,
    }
    stalled = (
        oldest is not None
        and report["oldest_waiting_seconds"] > limit
        and (last is None or report["last_activity_seconds"] > limit)
    )
    if stalled:
        return {
            "ok": False,
            **report,
            "message": _(
                "Hay tareas esperando desde hace %(minutes)s minutos y ningún proceso de tareas "
                "(db_worker) trabajó en ese tiempo."
            )
            % {"minutes": report["oldest_waiting_seconds"] // 60},
        }
    return {"ok": True, **report}


def disk_check() -> dict:
    minimum = settings.MINKA_HEALTH_MIN_FREE_MB
    try:
        usage = shutil.disk_usage(settings.VAR_DIR)
    except OSError:
        return {"ok": False, "message": _("No se pudo leer el espacio libre de la carpeta de datos.")}
    free_mb = usage.free // (1024 * 1024)
    report = {"free_mb": free_mb, "free_percent": round(100 * usage.free / usage.total, 1)}
    if free_mb < minimum:
        return {
            "ok": False,
            **report,
            "message": _("Quedan %(free)s MB libres en la carpeta de datos; el mínimo es %(minimum)s MB.")
            % {"free": free_mb, "minimum": minimum},
        }
    return {"ok": True, **report}


def health_report() -> dict:
    database = database_check()
    tasks = task_check() if database["ok"] else {"ok": False, "message": _("La base de datos no responde.")}
    disk = disk_check()
    healthy = database["ok"] and tasks["ok"] and disk["ok"]
    return {"status": "ok" if healthy else "fallo", "database": database, "tasks": tasks, "disk": disk}
