"""Every append-only table outside the journal is chained row by row: any tampering is caught.

Generated from the models (``toolkit.row_chain.chained_models``): for every chained table and
every kind of tampering — a field updated, a row deleted in the middle or at the end, a forged
row appended with a correctly recomputed hash but no head update, the head lowered, the head
deleted — ``verify_ledger`` exits 1 naming the table and the row. The rows come from the
demonstration cooperative (its services), plus what the demo leaves out, written through the
services or as the page does; a new append-only model the seed does not fill fails
``test_every_chained_table_is_seeded`` until it is seeded here.

The data is built once per module inside a transaction that is rolled back at the end; each
test runs in a savepoint of it, with the table's triggers out of the way as an attacker would
have them (SQLite's DROP TRIGGER and PostgreSQL's ALTER TABLE are transactional).
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from tests.ledger.attacker import behind_the_back_of
from toolkit.models import ChainHead
from toolkit.row_chain import CHAIN_FIELDS, canonical_row, chained_models, hashed_fields, row_hash

MODELS = chained_models()
KINDS = ["update", "delete_middle", "delete_last", "forged_append", "head_lowered", "head_deleted"]


# --- The seed ---------------------------------------------------------------------------


def _user(username: str, role: str):
    user = get_user_model().objects.create_user(username=username, password="clave-de-prueba-123")
    user.groups.add(Group.objects.get(name=role))
    return user


def _seed() -> None:
    from assemblies import services as assemblies
    from assemblies.demo import convene_upcoming, hold_assembly
    from assemblies.models import RollEntry
    from config.demo import generate_seasons
    from coop.demo import generate_demo
    from sales.models import FairtradeTerms, FairtradeTermsCheck, SalesContract, TermsComponent
    from sales.selectors import contracts_to_review
    from sales.services import amend_contract
    from tests.assemblies.factories import make_rules

    admin = _user("admin_cadena", "administrador")
    board = _user("consejo", "consejo_administracion")
    _user("tesorero", "tesorero")
    generate_demo(members=30, seed=4)
    generate_seasons(seed=4, deliveries=200, approve_plan=hold_assembly)
    convene_upcoming(user=None)

    # The terms table checked three times, as the sales page records it.
    for days in (60, 30, 0):
        FairtradeTermsCheck.objects.create(
            checked_on=timezone.localdate() - timedelta(days=days), checked_by=admin, note=f"revisión {days}"
        )

    # Back-dated terms rows, entered one after another: the contracts signed after them get
    # amended each time (versions 2, 3 and 4).
    first = SalesContract.objects.filter(premium_terms__isnull=False).order_by("signed_on").first()
    for extra in range(3):
        components = {
            TermsComponent.MINIMUM: Decimal("2500"),
            TermsComponent.ORGANIC_DIFFERENTIAL: Decimal("300"),
            TermsComponent.PREMIUM: Decimal(260 + 10 * extra),
        }
        for kind, amount in components.items():
            FairtradeTerms.objects.create(
                kind=kind,
                # Each one later than the one before, none after the first contract was signed.
                valid_from=first.signed_on - timedelta(days=3 - extra),
                origin="*",
                amount=amount,
                source=f"Fairtrade International, corrección {extra + 1}",
            )
        for review in contracts_to_review()[:2]:
            rows, today = review.would.rows, timezone.localdate()
            amend_contract(contract=review.contract, terms_rows=rows, on=today, user=admin)

    # Two contracts signed at a price to be fixed, then fixed against ICE.
    from sales.services import fix_contract_price, record_contract

    for n in (1, 2):
        today = timezone.localdate()
        sale = record_contract(
            number=f"PTBF-{n}",
            buyer="Cacao Export SAC",
            signed_on=today,
            terms="ft",
            tonnes="0.5",
            contract_price=None,
            price_to_be_fixed=True,
            forward=True,
            shipment_from=today + timedelta(days=30),
            shipment_to=today + timedelta(days=60),
            user=admin,
        )
        fix_contract_price(
            contract=sale, market_price=Decimal("3100"), ice_reference="ICE NY cacao", on=today, user=admin
        )

    # An open electronic vote at an assembly held now: three members vote.
    from assemblies.models import RuleSet

    if not RuleSet.objects.exists():
        make_rules()
    now = timezone.now()
    assembly = assemblies.convene_assembly(
        kind="ordinary",
        mode="in_person",
        place="Local comunal de Chazuta",
        first_call_at=now - timedelta(hours=2),
        second_call_at=now - timedelta(hours=1),
        agenda="1. Plan de capacitación",
        cutoff_date=timezone.localdate() - timedelta(days=30),
        convened_on=timezone.localdate() - timedelta(days=20),
        user=board,
    )
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("position"))
    for roll_entry in entries:
        assemblies.check_in(assembly=assembly, entry=roll_entry, user=board)
    assemblies.open_session(assembly=assembly, call="first", user=board)
    motion = assemblies.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Aprobar el plan de capacitación",
        majority="simple",
        method="electronic",
        secret=False,
        user=board,
    )
    motion = assemblies.open_motion(motion=motion, user=board)
    yes = motion.options.get(kind="yes")
    for voter in entries[:3]:
        assemblies.cast_ballot(motion=motion, voter=voter, cast_by=voter, option=yes, user=board)

    # An institution reads the register through the API: consent given and withdrawn, calls logged
    # with the members whose personal data they returned.
    from api import services as api
    from api.models import ConsentAction, ConsentHow, InstitutionKind, Scope
    from coop.models import Member

    client = api.create_client(
        name="Cacao Export SAC", kind=InstitutionKind.BUYER, scopes=[Scope.REGISTER], user=admin
    )
    issued = api.issue_key(client=client, expires_on=timezone.localdate() + timedelta(days=90), user=admin)
    members = list(Member.objects.order_by("code")[:3])
    for member in members:
        api.record_consent(
            member=member,
            kind=InstitutionKind.BUYER,
            action=ConsentAction.GIVEN,
            effective_on=timezone.localdate() - timedelta(days=10),
            how=ConsentHow.SIGNED_FORM,
            user=admin,
        )
    api.record_consent(
        member=members[0],
        kind=InstitutionKind.BUYER,
        action=ConsentAction.WITHDRAWN,
        effective_on=timezone.localdate(),
        how=ConsentHow.SIGNED_FORM,
        user=admin,
    )
    for page in (1, 2, 3):
        api.log_call(
            client=client,
            key=issued.key,
            method="GET",
            path="/api/v1/members",
            query=f"page={page}",
            status=200,
            rows=2,
            duration_ms=12,
            personal_member_ids=[m.pk for m in members[1:]],
        )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            _seed()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- The attacker -----------------------------------------------------------------------


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def db_pk(row):
    return row._meta.pk.get_db_prep_value(row.pk, connection)


def rows_of(model) -> list:
    return list(model._base_manager.order_by("chain_number"))


def _changed(field, value, attempt: int = 0):
    """A different value of the same type, unlikely to meet a unique constraint."""
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.DecimalField):
        return (value or Decimal(0)) + 1
    if isinstance(field, models.IntegerField):
        return (value or 0) + 1_000_003 + attempt
    if isinstance(field, models.DateTimeField):
        return value + timedelta(seconds=1 + attempt)
    if isinstance(field, models.DateField):
        return value + timedelta(days=3650 + attempt)
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.CharField | models.TextField):
        suffix = f"Z{attempt}"
        text = value or ""
        if field.max_length and len(text) + len(suffix) > field.max_length:
            text = text[: field.max_length - len(suffix)]
        return text + suffix
    return None


def _plain(field) -> bool:
    return not field.is_relation and not field.primary_key and not field.choices


def update_field(model, row) -> None:
    """Change one hashed field of ``row``: a plain field if the model has one, else a foreign key."""
    table = model._meta.db_table
    fields = [
        f for f in hashed_fields(model) if _plain(f) and _changed(f, getattr(row, f.attname)) is not None
    ]
    if fields:
        field = fields[0]
        value = _changed(field, getattr(row, field.attname))
    else:
        field = next(f for f in hashed_fields(model) if f.is_relation)
        target = field.related_model._base_manager.exclude(pk=getattr(row, field.attname))
        value = target.values_list("pk", flat=True).first()
    behind_the_back_of(
        table,
        (
            f"UPDATE {q(table)} SET {q(field.column)} = %s WHERE {q(model._meta.pk.column)} = %s",  # noqa: S608
            [field.get_db_prep_save(value, connection), db_pk(row)],
        ),
    )


def _unique_sets(model) -> list[list]:
    sets = [[f] for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets = [s for s in sets if s[0].name not in CHAIN_FIELDS]
    for constraint in model._meta.total_unique_constraints:
        sets.append([model._meta.get_field(name) for name in constraint.fields])
    for together in model._meta.unique_together:
        sets.append([model._meta.get_field(name) for name in together])
    return sets


def forge_row(model, last) -> None:
    """Append a copy of the last row, made unique where it must be, numbered after it and hashed
    as Minka would hash it; the head is left alone (the attacker cannot or forgets to move it)."""
    table = model._meta.db_table
    for attempt in range(300):
        values = {f.attname: getattr(last, f.attname) for f in model._meta.concrete_fields}
        pk = model._meta.pk
        with connection.cursor() as cursor:
            if isinstance(pk, models.UUIDField):
                values[pk.attname] = uuid.uuid4()
            else:
                cursor.execute(f"SELECT MAX({q(pk.column)}) FROM {q(table)}")  # noqa: S608
                values[pk.attname] = cursor.fetchone()[0] + 1000
        for fields in _unique_sets(model):
            plain = [f for f in fields if _plain(f) and _changed(f, values[f.attname]) is not None]
            if plain:
                values[plain[0].attname] = _changed(plain[0], values[plain[0].attname], attempt)
                continue
            relation = [f for f in fields if f.is_relation][-1]
            if relation.null:
                values[relation.attname] = None
                continue
            targets = relation.related_model._base_manager.order_by("-pk")
            candidates = list(targets.values_list("pk", flat=True))
            values[relation.attname] = candidates[attempt % len(candidates)]
        values["chain_number"] = last.chain_number + 1
        values["chain_hash"] = row_hash(
            table=table,
            number=last.chain_number + 1,
            previous_hash=last.chain_hash,
            row=canonical_row(hashed_fields(model), [values[f.attname] for f in hashed_fields(model)]),
        )
        columns = list(model._meta.concrete_fields)
        sql = (
            f"INSERT INTO {q(table)} ({', '.join(q(f.column) for f in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        params = [f.get_db_prep_save(values[f.attname], connection) for f in columns]
        try:
            with transaction.atomic():
                behind_the_back_of(table, (sql, params))
            return
        except IntegrityError:
            continue
    raise AssertionError(f"{table}: could not forge a row that the constraints accept")


def tamper(model, kind: str) -> int:
    """Tamper with ``model``'s table; return the row number verify_ledger must name."""
    table = model._meta.db_table
    rows = rows_of(model)
    last = rows[-1]
    middle = rows[len(rows) // 2 - 1] if len(rows) >= 3 else rows[0]
    head = ChainHead.objects.get(table=table)
    delete = f"DELETE FROM {q(table)} WHERE {q(model._meta.pk.column)} = %s"  # noqa: S608
    if kind == "update":
        update_field(model, middle)
        return middle.chain_number
    if kind == "delete_middle":
        behind_the_back_of(table, (delete, [db_pk(middle)]))
        return middle.chain_number
    if kind == "delete_last":
        behind_the_back_of(table, (delete, [db_pk(last)]))
        return last.chain_number
    if kind == "forged_append":
        forge_row(model, last)
        return last.chain_number + 1
    if kind == "head_lowered":
        # A careful attacker lowers the head to the row before, with that row's hash.
        ChainHead.objects.filter(pk=head.pk).update(
            last_number=rows[-2].chain_number, last_hash=rows[-2].chain_hash
        )
        return last.chain_number
    if kind == "head_deleted":
        ChainHead.objects.filter(pk=head.pk).delete()
        return last.chain_number
    raise AssertionError(kind)


# --- The tests --------------------------------------------------------------------------


def test_the_chained_tables_are_found():
    labels = {model._meta.label for model in MODELS}
    assert {"fund.SpendingApproval", "assemblies.TallyCount", "ledger.MemberMovement"} <= labels
    assert not {"ledger.JournalEntry", "ledger.JournalLine"} & labels  # the journal's own chain


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_chained_table_is_seeded_and_verifies(seeded, model):
    rows = rows_of(model)
    assert len(rows) >= 2, f"{model._meta.label}: seed at least two rows in _seed() of this file"
    assert [row.chain_number for row in rows] == list(range(1, len(rows) + 1))
    head = ChainHead.objects.get(table=model._meta.db_table)
    assert (head.last_number, head.last_hash) == (rows[-1].chain_number, rows[-1].chain_hash)
    call_command("verify_ledger")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_tampering_is_caught(seeded, model, kind):
    try:
        row = tamper(model, kind)
        with pytest.raises(CommandError) as caught:
            call_command("verify_ledger")
    finally:
        # Rows deleted may leave others pointing at nothing: the test's savepoint is rolled back
        # without Django's foreign-key check at teardown.
        transaction.set_rollback(True)
    message = str(caught.value)
    assert message.startswith(f"Tabla {model._meta.db_table} ("), message
    assert f", fila {row}: " in message, message
