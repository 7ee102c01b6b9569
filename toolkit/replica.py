"""Read-only report queries on a PostgreSQL read replica, when one is configured.

``DATABASE_REPLICA_URL`` adds a ``replica`` database (config/settings.py). A view wrapped in
``reads_reports`` (the certifier's portal and its reports) sends its reads there; every other read,
every read inside a transaction (a number taken under lock, a row just written) and every write go
to ``default``, the primary. Without a replica ``MINKA_REPORT_DATABASE`` is ``default`` and nothing
changes. A report read on the replica may be a few seconds behind the primary (replication lag).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_reading_reports: ContextVar[bool] = ContextVar("minka_reading_reports", default=False)


@contextmanager
def report_reads():
    """Within this block, reads outside a transaction go to the report database."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reads_reports(view):
    """A view that only reads for a report (writes such as the download log still go to the primary)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with report_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReportReplicaRouter:
    """Reads of a report view to the replica; everything else, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        target = settings.MINKA_REPORT_DATABASE
        if target == DEFAULT_DB_ALIAS or not _reading_reports.get():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # read what this transaction wrote, and under its locks
        return target

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
