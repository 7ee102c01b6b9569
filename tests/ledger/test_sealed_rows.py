"""Rows that change status are tamper-evident too: sealed rows, presences and secret-vote counters.

Generated from the sealed models (``toolkit.seals.sealed_models``): for every sealed table and every
kind of tampering — a sealed field updated, a row deleted, a forged row slipped in without a seal —
``verify_ledger`` exits 1 naming the table and the row. Presences (the state the chained attendance
events leave) and the counters of a secret electronic vote (which must add up to the chained casts and,
once closed, to the chained anonymous ballots) are checked the same way.

The data is the row-chain test's demonstration cooperative, plus a secret electronic vote closed, a
second one open, an attendance undone and two issued documents; built once per module inside a
transaction rolled back at the end; each test runs in a savepoint of it.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, models, transaction

from tests.ledger.test_row_chains import _changed, _plain, _seed, _unique_sets, db_pk, q
from toolkit.models import RowSeal
from toolkit.seals import SEALED, sealed_models

SEALED_MODELS = sealed_models()
KINDS = ["update", "delete", "forged_append"]


def _seed_more() -> None:
    from django.contrib.auth import get_user_model

    from assemblies import services as assemblies
    from assemblies.models import Assembly, Motion, MotionStatus, RollEntry
    from certification.models import DocumentKind, IssuedDocument

    board = get_user_model().objects.get(username="consejo")
    open_motion = Motion.objects.filter(status=MotionStatus.OPEN).get()
    assembly = Assembly.objects.get(pk=open_motion.assembly_id)
    assemblies.close_voting(motion=open_motion, user=board, confirm=True)
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("position"))
    # A member who left: their attendance undone (an event with no presence).
    assemblies.undo_attendance(assembly=assembly, entry=entries[-1], reason="se retiró", user=board)
    for closed in (True, False):
        motion = assemblies.draft_motion(
            assembly=assembly,
            kind="resolution",
            title="Voto secreto " + ("cerrado" if closed else "abierto"),
            majority="simple",
            method="electronic",
            secret=True,
            user=board,
        )
        motion = assemblies.open_motion(motion=motion, user=board)
        options = list(motion.options.order_by("position"))
        for n, voter in enumerate(entries[:3]):
            assemblies.cast_ballot(
                motion=motion, voter=voter, cast_by=voter, option=options[n % 2], user=board
            )
        if closed:
            assemblies.close_voting(motion=motion, user=board, confirm=True)
    for n in (1, 2):
        IssuedDocument.objects.create(
            number=f"EC-{n:07d}",
            kind=DocumentKind.MEMBER_STATEMENT,
            title=f"Estado de cuenta {n}",
            summary=[["Saldo", f"S/ {n}00.00"]],
            content_hash=f"{n}" * 64,
            file_sha256=f"{n + 2}" * 64,
            minka_version="test",
        )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            _seed()
            _seed_more()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def run(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def caught() -> str:
    try:
        with pytest.raises(CommandError) as error:
            call_command("verify_ledger")
    finally:
        # Rows deleted may leave others pointing at nothing: the savepoint is rolled back
        # without Django's foreign-key check at teardown.
        transaction.set_rollback(True)
    return str(error.value)


# --- Sealed tables -------------------------------------------------------------------------


def sealed_rows(model) -> list:
    rows = {int(pk) if not isinstance(model._meta.pk, models.UUIDField) else pk for pk in _sealed_keys(model)}
    return list(model._base_manager.filter(pk__in=rows).order_by("pk"))


def _sealed_keys(model) -> set:
    return set(RowSeal.objects.filter(table=model._meta.db_table).values_list("row", flat=True))


def _sealed_plain_field(model, row):
    sealed = SEALED[model._meta.label]
    return next(
        f
        for f in sealed.model_fields()
        if _plain(f)
        and not isinstance(f, models.JSONField)
        and _changed(f, getattr(row, f.attname)) is not None
    )


def forge(model, like) -> int:
    """A copy of ``like`` under a new key, made unique where it must be, with no seal."""
    table = model._meta.db_table
    pk = model._meta.pk
    for attempt in range(50):
        values = {f.attname: getattr(like, f.attname) for f in model._meta.concrete_fields}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({q(pk.column)}) FROM {q(table)}")  # noqa: S608 - model names
            values[pk.attname] = cursor.fetchone()[0] + 1000
        for fields in _unique_sets(model):
            plain = [f for f in fields if _plain(f) and _changed(f, values[f.attname]) is not None]
            if plain and isinstance(plain[0], models.SmallIntegerField | models.PositiveSmallIntegerField):
                values[plain[0].attname] += 100 + attempt  # a motion's number: within a small integer
            elif plain:
                values[plain[0].attname] = _changed(plain[0], values[plain[0].attname], attempt)
            elif fields[-1].null:
                values[fields[-1].attname] = None
            else:  # a one-to-one: another row it may point at, with none pointing at it yet
                relation = fields[-1]
                taken = model._base_manager.values_list(relation.attname, flat=True)
                free = relation.related_model._base_manager.exclude(pk__in=taken).order_by("pk")
                values[relation.attname] = free.values_list("pk", flat=True)[attempt]
        columns = list(model._meta.concrete_fields)
        sql = (
            f"INSERT INTO {q(table)} ({', '.join(q(f.column) for f in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        try:
            with transaction.atomic():
                run(sql, [f.get_db_prep_save(values[f.attname], connection) for f in columns])
            return values[pk.attname]
        except IntegrityError:
            continue
    raise AssertionError(f"{table}: could not forge a row")


def test_the_sealed_tables_are_found():
    labels = {model._meta.label for model in SEALED_MODELS}
    assert labels == {
        "assemblies.Motion",
        "assemblies.KeptMinutes",
        "sales.SalesContract",
        "certification.IssuedDocument",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", SEALED_MODELS, ids=lambda model: model._meta.label)
def test_every_sealed_table_is_seeded_and_verifies(seeded, model):
    assert len(sealed_rows(model)) >= 2, f"{model._meta.label}: seed at least two sealed rows"
    call_command("verify_ledger")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("model", SEALED_MODELS, ids=lambda model: model._meta.label)
def test_tampering_with_a_sealed_row_is_caught(seeded, model, kind):
    table = model._meta.db_table
    rows = sealed_rows(model)
    row = rows[len(rows) // 2]
    if kind == "update":
        field = _sealed_plain_field(model, row)
        value = _changed(field, getattr(row, field.attname))
        run(
            f"UPDATE {q(table)} SET {q(field.column)} = %s WHERE {q(model._meta.pk.column)} = %s",  # noqa: S608
            [field.get_db_prep_save(value, connection), db_pk(row)],
        )
        named = row.pk
    elif kind == "delete":
        run(f"DELETE FROM {q(table)} WHERE {q(model._meta.pk.column)} = %s", [db_pk(row)])  # noqa: S608
        named = row.pk
    else:
        named = forge(model, rows[-1])
    message = caught()
    assert message.startswith(f"Tabla {table} ("), message
    assert f", fila {named}: " in message, message


@pytest.mark.django_db
def test_a_published_vote_count_changed_is_caught(seeded):
    """The issue's «published tally behind the application»: one option's published votes raised."""
    from assemblies.models import Motion, MotionOption, MotionStatus

    motion = Motion.objects.filter(status=MotionStatus.PUBLISHED).order_by("pk").first()
    option = MotionOption.objects.filter(motion=motion).order_by("position").first()
    run("UPDATE assemblies_motionoption SET votes = %s WHERE id = %s", [(option.votes or 0) + 5, option.pk])
    message = caught()
    assert message.startswith("Tabla assemblies_motion ("), message
    assert f", fila {motion.pk}: " in message, message


@pytest.mark.django_db
def test_a_published_motion_turned_back_to_counting_is_caught(seeded):
    from assemblies.models import Motion, MotionStatus

    motion = Motion.objects.filter(status=MotionStatus.PUBLISHED).order_by("pk").last()
    run(
        "UPDATE assemblies_motion SET status = 'counting', approved = NOT approved WHERE id = %s", [motion.pk]
    )
    assert f"Tabla assemblies_motion (mociones), fila {motion.pk}: " in caught()


@pytest.mark.django_db
def test_a_deleted_seal_is_caught_by_the_seals_chain(seeded):
    seal = RowSeal.objects.filter(table="ledger_salescontract").order_by("chain_number").first()
    from tests.ledger.attacker import behind_the_back_of

    behind_the_back_of("toolkit_rowseal", ("DELETE FROM toolkit_rowseal WHERE id = %s", [seal.pk]))
    message = caught()
    assert message.startswith("Tabla toolkit_rowseal ("), message
    assert f", fila {seal.chain_number}: " in message, message


@pytest.mark.django_db
def test_a_change_through_minka_is_sealed_again(seeded):
    from sales.models import SalesContract

    contract = SalesContract.objects.filter(shipped_on__isnull=True).order_by("pk").first()
    before = RowSeal.objects.filter(table="ledger_salescontract", row=str(contract.pk)).count()
    contract.buyer = "Otro comprador SAC"
    contract.save()
    assert RowSeal.objects.filter(table="ledger_salescontract", row=str(contract.pk)).count() == before + 1
    call_command("verify_ledger")


# --- Presences -------------------------------------------------------------------------------


def _presences():
    from assemblies.models import Presence

    return list(Presence.objects.order_by("pk"))


@pytest.mark.django_db
def test_presence_changed_is_caught(seeded):
    presence = _presences()[1]
    run("UPDATE assemblies_presence SET kind = 'virtual' WHERE id = %s", [presence.pk])
    message = caught()
    assert message.startswith("Tabla assemblies_presence ("), message
    assert f", fila {presence.pk}: " in message, message


@pytest.mark.django_db
def test_presence_deleted_is_caught(seeded):
    presence = _presences()[2]
    run("DELETE FROM assemblies_presence WHERE id = %s", [presence.pk])
    message = caught()
    assert message.startswith("Tabla assemblies_presence ("), message
    assert f"suceso de asistencia n.º {presence.event_id} (fue borrada)" in message, message


@pytest.mark.django_db
def test_presence_slipped_in_is_caught(seeded):
    """A member whose attendance was undone put back in the room, on the event that was undone."""
    from assemblies.models import AttendanceEvent, AttendanceKind

    undo = AttendanceEvent.objects.filter(kind=AttendanceKind.UNDONE).order_by("pk").last()
    undone = AttendanceEvent.objects.get(pk=undo.undoes_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM assemblies_presence")
        pk = cursor.fetchone()[0] + 1000
    run(
        "INSERT INTO assemblies_presence (id, assembly_id, entry_id, kind, holder_id, event_id) "
        "VALUES (%s, %s, %s, 'present', NULL, %s)",
        [pk, undone.assembly_id, undone.entry_id, undone.pk],
    )
    message = caught()
    assert f"Tabla assemblies_presence (presencias en la asamblea), fila {pk}: " in message, message


# --- Secret-vote counters -------------------------------------------------------------------------


def _counters(status):
    from assemblies.models import BallotCounter

    return list(BallotCounter.objects.filter(motion__status=status).order_by("pk"))


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["open", "counting"])
def test_a_counter_raised_is_caught(seeded, status):
    counter = _counters(status)[1]
    run("UPDATE assemblies_ballotcounter SET count = count + 1 WHERE id = %s", [counter.pk])
    message = caught()
    assert message.startswith("Tabla assemblies_ballotcounter ("), message
    assert ", fila " in message, message


@pytest.mark.django_db
def test_a_vote_moved_between_counters_of_a_closed_vote_is_caught(seeded):
    first, second = _counters("counting")[:2]
    run("UPDATE assemblies_ballotcounter SET count = count - 1 WHERE id = %s", [first.pk])
    run("UPDATE assemblies_ballotcounter SET count = count + 1 WHERE id = %s", [second.pk])
    assert f"Tabla assemblies_ballotcounter (contadores del voto secreto), fila {first.pk}: " in caught()


@pytest.mark.django_db
def test_a_counter_deleted_is_caught(seeded):
    counters = _counters("open")
    run("DELETE FROM assemblies_ballotcounter WHERE id = %s", [counters[-1].pk])
    message = caught()
    assert f"Tabla assemblies_ballotcounter (contadores del voto secreto), fila {counters[0].pk}: " in message


@pytest.mark.django_db
def test_a_counter_slipped_in_is_caught(seeded):
    from assemblies.models import Motion, MotionOption

    motion = Motion.objects.filter(secret=False, method="electronic").order_by("pk").last()
    option = MotionOption.objects.filter(motion=motion).order_by("position").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM assemblies_ballotcounter")
        pk = cursor.fetchone()[0] + 1000
    run(
        "INSERT INTO assemblies_ballotcounter (id, motion_id, option_id, count) VALUES (%s, %s, %s, 0)",
        [pk, motion.pk, option.pk],
    )
    assert f"Tabla assemblies_ballotcounter (contadores del voto secreto), fila {pk}: " in caught()
