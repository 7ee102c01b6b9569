"""Every append-only table refuses raw UPDATE and DELETE (and TRUNCATE on PostgreSQL) in the database.

Generated from the models: a new AppendOnlyModel is covered without being listed here, and
fails these tests until its table has triggers (toolkit.append_only_triggers).

Each row is written with minimal values made from the field types and foreign keys pointing
at nothing: both databases check foreign keys at commit (Django declares them DEFERRABLE
INITIALLY DEFERRED), and every test rolls its row back before that.
"""

import datetime
import decimal

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from toolkit.append_only_triggers import append_only_models, ensure_append_only_triggers

REFUSED = r"solo se agregan filas|no admite cambios ni borrados"
MODELS = append_only_models()


class _RolledBack(Exception):
    pass


def _value(field: models.Field):
    if field.has_default():
        return field.get_default()
    if field.choices:
        return field.choices[0][0]
    if field.is_relation:
        return 1_000_000  # dangling on purpose; never committed
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date(2026, 1, 15)
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("2")
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return 2  # positive, and a second version where a first is implied
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(field, (models.CharField, models.TextField)):
        return "x" * min(field.max_length or 8, 8)
    raise AssertionError(
        f"{field.model._meta.label}.{field.name}: no sample value for {type(field).__name__}"
    )


def _write_row(model):
    """INSERT one row as the model's own bulk insert does (the triggers allow INSERT)."""
    values = {
        field.attname: _value(field)
        for field in model._meta.concrete_fields
        if not field.primary_key and not getattr(field, "auto_now_add", False)
    }
    (row,) = model.objects.bulk_create([model(**values)])
    return row


def _attempt(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _ids(model):
    return model._meta.label


@pytest.mark.django_db
def test_every_append_only_model_is_found():
    # Guards the generated tests below against finding nothing.
    labels = {model._meta.label for model in MODELS}
    assert {"ledger.JournalEntry", "fund.DistributionShare", "assemblies.BallotCast"} <= labels
    assert len(labels) >= 16


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=_ids)
def test_the_database_refuses_raw_update_and_delete(model):
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    column = next(f for f in model._meta.concrete_fields if not f.primary_key)
    try:
        with transaction.atomic():
            row = _write_row(model)
            count = model.objects.filter(pk=row.pk).count()
            assert count == 1
            quoted = connection.ops.quote_name(column.column)
            key = model._meta.pk.get_db_prep_value(row.pk, connection)
            with pytest.raises(DatabaseError, match=REFUSED):
                _attempt(f"UPDATE {table} SET {quoted} = {quoted} WHERE {pk} = %s", [key])  # noqa: S608
            with pytest.raises(DatabaseError, match=REFUSED):
                _attempt(f"DELETE FROM {table} WHERE {pk} = %s", [key])  # noqa: S608
            with pytest.raises(DatabaseError, match=REFUSED):
                _attempt(f"DELETE FROM {table}")  # noqa: S608
            assert model.objects.filter(pk=row.pk).count() == 1
            raise _RolledBack
    except _RolledBack:
        pass
    assert not model.objects.exists()


@pytest.mark.postgres_only  # SQLite has no TRUNCATE: Django's flush deletes rows there, refused above
@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=_ids)
def test_postgresql_refuses_truncate(model):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
            [table, f"{table}_no_truncate"],
        )
        assert cursor.fetchall() == [("O",)]  # exists and fires (O: origin, the default)
    # CASCADE: tables that point at this one would refuse a plain TRUNCATE before any trigger.
    with pytest.raises(DatabaseError, match=r"TRUNCATE en (tabla )?\w+: .*(" + REFUSED + ")"):
        _attempt(f"TRUNCATE {connection.ops.quote_name(table)} CASCADE")


@pytest.mark.django_db
def test_installing_again_changes_nothing():
    # Idempotent: migrate and flush run it each time.
    first = ensure_append_only_triggers()
    assert ensure_append_only_triggers() == first
    assert "ledger_distributionshare" in first and "ledger_journalentry" not in first
