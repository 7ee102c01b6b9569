"""A hash chain per append-only table: rows nobody can change, remove or slip in unseen.

Every concrete ``AppendOnlyModel`` whose rows the journal's own chain does not cover
(``chained_by_journal = False``, the default) is chained row by row:

- each row keeps ``chain_number`` (1, 2, 3… in the order rows were added) and ``chain_hash``,
  the SHA-256 of the previous row's hash and the row's canonical content (``row_hash``): every
  concrete field but the two chain fields, foreign keys as the pk they hold, the row's own pk
  included, decimals as normalised strings, moments in UTC to the millisecond, empty values
  (None, "") left out so a field added later with an empty default keeps old rows valid;
- ``ChainHead`` (``toolkit/models.py``, one row per table) keeps the last number and hash, so
  rows deleted at the end, a forged row appended with a correct hash, or a lowered head are
  seen (as the journal's counter does for entries).

The chaining happens in one place, ``AppendOnlyQuerySet._insert`` (``toolkit.append_only``),
which both ``save()`` and ``bulk_create()`` go through: inside one transaction it locks the
table's head row (``select_for_update``; SQLite's IMMEDIATE transactions serialise writers),
gives the rows their pk when the database would (so the pk is hashed), runs every field's
``pre_save`` once (``auto_now_add`` moments are hashed as written), numbers and hashes the
rows, inserts them with those exact values and moves the head. A new append-only model is
chained without a line of code; its migration adds the two fields.

``verify_chains`` walks every chain; ``ledger.verification.verify_ledger`` runs it after the
journal, in the same snapshot, and the checkpoint records every head.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps as global_apps
from django.db import connections, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

GENESIS_HASH = "0" * 64
CHAIN_FIELDS = ("chain_number", "chain_hash")
CHUNK_SIZE = 2000


# --- Which models -------------------------------------------------------------------


def is_chained(model) -> bool:
    from toolkit.append_only import AppendOnlyModel

    return (
        issubclass(model, AppendOnlyModel)
        and model._meta.managed
        and not model._meta.proxy
        and not model._meta.abstract
        and not getattr(model, "chained_by_journal", False)
    )


def chained_models(apps=global_apps) -> list:
    """Every model this module chains, in the order of INSTALLED_APPS (so a report is stable)."""
    return [model for model in apps.get_models() if is_chained(model)]


def hashed_fields(model) -> list:
    """The fields a row's hash covers: every concrete field but the chain's own, by column name."""
    return sorted(
        (f for f in model._meta.concrete_fields if f.name not in CHAIN_FIELDS and not f.generated),
        key=lambda f: f.attname,
    )


# --- The hash -------------------------------------------------------------------------


def canonical_value(model_field, value):
    """One stable form of a value, the same whether it comes from Python before the insert or
    from either database after it."""
    if value is None:
        return None
    if model_field.is_relation:
        model_field = model_field.target_field
    value = model_field.to_python(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        places = getattr(model_field, "decimal_places", None)
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, timedelta):
        return str(value // timedelta(milliseconds=1))
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return bytes(value).hex()
    # JSON and anything else json can write; dict keys are sorted when dumped.
    return value


def canonical_row(fields: list, values) -> dict:
    """``values`` in the order of ``fields``; empty values are left out."""
    row = {}
    for model_field, value in zip(fields, values, strict=True):
        canonical = canonical_value(model_field, value)
        if canonical is None or canonical == "":
            continue
        row[model_field.attname] = canonical
    return row


def row_hash(*, table: str, number: int, previous_hash: str, row: dict) -> str:
    content = json.dumps(
        {"table": table, "number": number, "row": row},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{previous_hash}\n{content}".encode()).hexdigest()


# --- Writing ----------------------------------------------------------------------------


def _head_model():
    return global_apps.get_model("toolkit", "ChainHead")


def lock_head(model, using: str):
    """The table's head row, locked until the transaction ends (created at the first row)."""
    head, _created = (
        _head_model()
        .objects.using(using)
        .select_for_update()
        .get_or_create(table=model._meta.db_table, defaults={"last_number": 0, "last_hash": ""})
    )
    return head


def allocate_pks(model, using: str, count: int) -> list:
    """The next ``count`` values of the table's auto-increment key, taken before the insert so
    the key can be hashed. Called with the head locked (on SQLite, inside the writer's lock)."""
    connection = connections[using]
    table = model._meta.db_table
    column = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608 - model names
        last = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            if found and found[0]:
                last = max(last, found[0])
        return list(range(last + 1, last + 1 + count))


def chain_and_insert(queryset, insert, objs, fields, **kwargs):
    """Number and hash ``objs`` and insert them (``insert`` is QuerySet._insert), in one
    transaction with the table's head locked; move the head."""
    model = queryset.model
    using = kwargs.pop("using", None) or queryset.db
    if kwargs.get("on_conflict") is not None:
        # A row skipped or rewritten by the database would leave a number with no row.
        raise ValueError(f"{model._meta.label}: a chained append-only table takes no ignore/update conflicts")
    # savepoint=False: inside the caller's transaction the row is written by that transaction
    # itself, not by a subtransaction of its own (on PostgreSQL a savepoint has its own xid).
    with transaction.atomic(using=using, savepoint=False):
        head = lock_head(model, using)
        pk_field = model._meta.pk
        missing = [obj for obj in objs if getattr(obj, pk_field.attname) is None]
        if missing:
            for obj, pk in zip(missing, allocate_pks(model, using, len(missing)), strict=True):
                setattr(obj, pk_field.attname, pk)
        fields = list(fields)
        if pk_field not in fields:
            fields.insert(0, pk_field)
        table = model._meta.db_table
        hashed = hashed_fields(model)
        number, previous = head.last_number, head.last_hash or GENESIS_HASH
        for obj in objs:
            # Each field's pre_save once (auto_now_add sets its moment here); the insert below
            # is raw, so it writes exactly these values.
            for model_field in fields:
                setattr(obj, model_field.attname, model_field.pre_save(obj, add=True))
            number += 1
            row = canonical_row(hashed, [getattr(obj, f.attname) for f in hashed])
            obj.chain_number = number
            obj.chain_hash = previous = row_hash(table=table, number=number, previous_hash=previous, row=row)
        result = insert(objs, fields, raw=True, using=using, **kwargs)
        type(head).objects.using(using).filter(pk=head.pk).update(last_number=number, last_hash=previous)
    return result


# --- Chaining rows that existed before (data migrations) --------------------------------


def chain_existing_rows(apps, schema_editor, labels: list[str]) -> None:
    """Chain the rows already in these tables, in pk order, and write their heads.

    For the migration that adds the chain fields to a model (``apps`` are the historical
    models). The append-only triggers are dropped from those tables for the UPDATE; the
    post_migrate receiver puts them back when the migration run ends.
    """
    from toolkit.append_only_triggers import drop_statements

    connection = schema_editor.connection
    quote = connection.ops.quote_name
    head_model = apps.get_model("toolkit", "ChainHead")
    for label in labels:
        model = apps.get_model(label)
        table = model._meta.db_table
        hashed = hashed_fields(model)
        pk_column = model._meta.pk.column
        with connection.cursor() as cursor:
            for statement in drop_statements(connection.vendor, [table]):
                cursor.execute(statement)
        number, previous = 0, GENESIS_HASH
        rows = model._base_manager.using(schema_editor.connection.alias).order_by("pk")
        updates = []
        for values in rows.values_list("pk", *[f.attname for f in hashed]).iterator(chunk_size=CHUNK_SIZE):
            number += 1
            previous = row_hash(
                table=table, number=number, previous_hash=previous, row=canonical_row(hashed, values[1:])
            )
            updates.append((number, previous, model._meta.pk.get_db_prep_value(values[0], connection)))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(table)} SET {quote('chain_number')} = %s, {quote('chain_hash')} = %s "  # noqa: S608
                f"WHERE {quote(pk_column)} = %s",
                updates,
            )
        head_model.objects.using(connection.alias).update_or_create(
            table=table, defaults={"last_number": number, "last_hash": previous if number else ""}
        )


# --- Verifying --------------------------------------------------------------------------


@dataclass
class ChainProblem:
    table: str
    verbose_name: str
    number: int
    problems: list[str]


@dataclass
class ChainsCheck:
    rows: int = 0
    # table -> (last number, last hash): what a checkpoint records.
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    problem: ChainProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chains(*, using: str = "default", apps=global_apps) -> ChainsCheck:
    """Walk every chained table in order; stop at the first broken row. Run it inside one
    snapshot (``ledger.verification`` does)."""
    check = ChainsCheck()
    heads = {
        head["table"]: head
        for head in _head_model().objects.using(using).values("table", "last_number", "last_hash")
    }
    for model in chained_models(apps):
        problem = _verify_table(model, heads.get(model._meta.db_table), check, using)
        if problem is not None:
            check.problem = problem
            return check
    return check


def _verify_table(model, head: dict | None, check: ChainsCheck, using: str) -> ChainProblem | None:
    table = model._meta.db_table

    def broken(number: int, *problems: str) -> ChainProblem:
        return ChainProblem(table, str(model._meta.verbose_name_plural), number, list(problems))

    hashed = hashed_fields(model)
    rows = (
        model._base_manager.using(using)
        .order_by(F("chain_number").asc(nulls_last=True), "pk")
        .values_list("pk", "chain_number", "chain_hash", *[f.attname for f in hashed])
        .iterator(chunk_size=CHUNK_SIZE)
    )
    previous, last = GENESIS_HASH, 0
    for expected, (pk, number, stored, *values) in enumerate(rows, start=1):
        if number is None:
            return broken(
                expected,
                _("la fila con clave %(pk)s no tiene número en la cadena (se agregó por fuera de Minka)")
                % {"pk": pk},
            )
        if number != expected:
            return broken(
                expected,
                _("falta en la cadena: la siguiente es la fila %(next)s (se borró)") % {"next": number},
            )
        recomputed = row_hash(
            table=table, number=number, previous_hash=previous, row=canonical_row(hashed, values)
        )
        if recomputed != stored:
            return broken(number, _("su contenido no coincide con su hash (fue alterada)"))
        previous, last = stored, number
        check.rows += 1
    head_number = head["last_number"] if head else 0
    if head is None and last:
        return broken(
            last, _("falta la cabecera de la tabla, que guarda su última fila y su hash (fue borrada)")
        )
    if head_number > last:
        return broken(
            last + 1,
            ngettext(
                "falta, aunque la cabecera registra %(head)s fila (se borraron filas del final)",
                "falta, aunque la cabecera registra %(head)s filas (se borraron filas del final)",
                head_number,
            )
            % {"head": head_number},
        )
    if head_number < last:
        return broken(
            head_number + 1,
            _(
                "no debería existir: la cabecera registra hasta la fila %(head)s "
                "(se agregó una fila por fuera de Minka o se retrocedió la cabecera)"
            )
            % {"head": head_number},
        )
    if last and head["last_hash"] != previous:
        return broken(
            last, _("su hash no coincide con el que guardó la cabecera al agregarla (fue alterada)")
        )
    check.heads[table] = (last, previous if last else "")
    return None


def problem_message(problem: ChainProblem) -> str:
    return _("Tabla %(table)s (%(name)s), fila %(number)s: %(problems)s.") % {
        "table": problem.table,
        "name": problem.verbose_name,
        "number": problem.number,
        "problems": "; ".join(problem.problems),
    }


def stored_hash(model, number: int, *, using: str = "default") -> str | None:
    return (
        model._base_manager.using(using)
        .filter(chain_number=number)
        .values_list("chain_hash", flat=True)
        .first()
    )
