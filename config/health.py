"""What /salud/ reports: the database answers, background tasks are being run, the data folder has room.

For a monitor or the reverse proxy, without signing in; nothing in it is secret (no paths, names,
versions or settings). Healthy is HTTP 200, anything wrong 503, each check saying why in Spanish.

A task waiting a long time is not a fault by itself (a print run queues thousands); it is when no
worker has started or finished any task in that time either: then `db_worker` is not running.
With MINKA_TASKS=rq the queue is in Redis: the check reports the tasks waiting, running and failed
(RQ's failed registry: a task that died is reported there and on its run's page) and how many
workers are connected, and fails when Redis does not answer or tasks wait with no worker.
"""

import shutil
from datetime import UTC

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


def rq_task_check(now=None) -> dict:
    import django_rq
    from redis.exceptions import RedisError
    from rq.registry import FailedJobRegistry, StartedJobRegistry
    from rq.worker import Worker

    now = now or timezone.now()
    limit = settings.MINKA_HEALTH_TASK_WAIT_MINUTES * 60
    try:
        queue = django_rq.get_queue("default")
        oldest_ids = queue.get_job_ids(0, 0)
        oldest = queue.fetch_job(oldest_ids[0]) if oldest_ids else None
        report = {
            "backend": "rq",
            "waiting": queue.count,
            "running": StartedJobRegistry(queue=queue).count,
            "failed": FailedJobRegistry(queue=queue).count,
            "workers": Worker.count(queue=queue),
        }
    except RedisError:
        return {"ok": False, "backend": "rq", "message": _("Redis no responde: no se pueden encolar tareas.")}
    enqueued = oldest.enqueued_at if oldest is not None else None
    if enqueued is not None and timezone.is_naive(enqueued):
        enqueued = enqueued.replace(tzinfo=UTC)
    report["oldest_waiting_seconds"] = round((now - enqueued).total_seconds()) if enqueued else None
    if report["workers"] == 0 and enqueued is not None and report["oldest_waiting_seconds"] > limit:
        return {
            "ok": False,
            **report,
            "message": _(
                "Hay tareas esperando desde hace %(minutes)s minutos y ningún proceso de tareas "
                "(rqworker) está conectado a Redis."
            )
            % {"minutes": report["oldest_waiting_seconds"] // 60},
        }
    return {"ok": True, **report}


def task_check(now=None) -> dict:
    if settings.MINKA_TASKS == "rq":
        return rq_task_check(now)
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
