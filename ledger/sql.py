"""Hand-written statements for the one-by-one posting path (the clerk's page), built from the models.

Django spends about 0.2 ms building each ORM statement on PostgreSQL (0.1 ms on SQLite),
more than a simple statement takes to run; a delivery runs about ten. These helpers
write the SQL Model.save and QuerySet would, from the model's own fields, adapt values
with ``get_db_prep_save`` and convert results with the ORM's own converters, so what is
stored and read back is the same. Only plain inserts and primary-key reads are done
here: anything with logic stays in the ORM. Statements and converters are built once
per model and database.
"""

from functools import cache

from django.db import connections, router
from django.db.models import Model

from toolkit.row_chain import is_chained


def _refuse_chained(model) -> None:
    # These inserts skip QuerySet._insert, where a chained append-only row gets its number and hash.
    if is_chained(model):
        raise ValueError(f"{model._meta.label} is chained row by row: insert it through the ORM")


def connection_for(model: type[Model]):
    return connections[router.db_for_write(model)]


def columns(connection, fields, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + connection.ops.quote_name(field.column) for field in fields)


def from_row(model: type[Model], values, connection, fields=None) -> Model:
    """A model instance from raw SQL values (in ``fields`` order, all concrete fields by default),
    converted as the ORM converts them: SQLite returns decimals as floats, dates as text, booleans
    as 0/1. Fields left out are deferred, as with ``only()``."""
    fields = tuple(fields or model._meta.concrete_fields)
    names, converters = _converters(model, fields, connection.alias)
    converted = []
    for value, (column, convert_all) in zip(values, converters, strict=True):
        for convert in convert_all:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


@cache
def _converters(model, fields, alias):
    # The same converters, in the same order, as the SQL compiler applies to a column.
    connection = connections[alias]
    found = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        backend, own = connection.ops.get_db_converters(column), column.get_db_converters(connection)
        found.append((column, backend + own))
    return [field.attname for field in fields], found


def insert(instance: Model, *, unless_taken: str | None = None) -> bool:
    """INSERT ``instance`` as Model.save does for a new row and set its primary key.

    ``unless_taken`` names a unique field: when another row already holds the value, nothing
    is written and False is returned (``ON CONFLICT (field) DO NOTHING``, SQLite 3.35+ and
    PostgreSQL). Unlike a failing insert, this leaves a PostgreSQL transaction usable without
    a savepoint; a clash on any other constraint still raises.
    """
    model = type(instance)
    _refuse_chained(model)
    connection = connection_for(model)
    fields, sql = _insert_sql(model, connection.alias, unless_taken)
    # pre_save fills auto_now_add dates; get_db_prep_save adapts each value for this database.
    values = [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding, instance._state.db = False, connection.alias
    return True


@cache
def _insert_sql(model, alias, unless_taken):
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    conflict = ""
    if unless_taken:
        conflict = f" ON CONFLICT ({quote(model._meta.get_field(unless_taken).column)}) DO NOTHING"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns(connection, fields)}) "  # noqa: S608 - model names
        f"VALUES ({', '.join(['%s'] * len(fields))}){conflict} RETURNING {quote(model._meta.pk.column)}"
    )
    return fields, sql


def insert_many(instances: list[Model]) -> None:
    """INSERT several new rows of one model in one statement (their primary keys are not read back)."""
    model = type(instances[0])
    _refuse_chained(model)
    connection = connection_for(model)
    fields = _insert_sql(model, connection.alias, None)[0]
    row = f"({', '.join(['%s'] * len(fields))})"
    values = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection)
        for instance in instances
        for field in fields
    ]
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 - model names
        f"({columns(connection, fields)}) VALUES {', '.join([row] * len(instances))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def get_for_update(model: type[Model], pk) -> Model | None:
    """The row with primary key ``pk``, locked until the transaction ends (select_for_update().get())."""
    connection = connection_for(model)
    with connection.cursor() as cursor:
        cursor.execute(_get_for_update_sql(model, connection.alias), [pk])
        row = cursor.fetchone()
    return None if row is None else from_row(model, row, connection)


@cache
def _get_for_update_sql(model, alias):
    connection = connections[alias]
    quote = connection.ops.quote_name
    # SQLite has no row locks: its write transaction (IMMEDIATE) already holds the whole database.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"SELECT {columns(connection, model._meta.concrete_fields)} "  # noqa: S608 - model names
        f"FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s{lock}"
    )
