import pytest
from django.core.exceptions import ValidationError

from ledger.hashing import GENESIS_HASH
from ledger.models import EntryCounter, JournalEntry, JournalLine
from ledger.selectors import account_balance, balances_by_currency
from ledger.services import post_entry, reverse_entry
from ledger.verification import verify_ledger

from .conftest import DAY


def ledger_size():
    return JournalEntry.objects.count(), JournalLine.objects.count()


def test_a_balanced_entry_is_posted_with_number_lines_and_chained_hash(post, accounts, make_user):
    clerk = make_user("administrador")
    first = post("delivery:CHZ-A-000001", 12_345, user=clerk)
    second = post("delivery:CHZ-A-000002", 500)

    assert (first.number, second.number) == (1, 2)
    assert first.posted_by == clerk
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash != second.hash
    assert sorted(first.lines.values_list("account__code", "amount", "currency")) == [
        ("1011-CAJ", 12_345, "PEN"),
        ("2101-CHZ-00001", -12_345, "PEN"),
    ]
    assert account_balance(accounts["cash"]) == 12_845
    assert account_balance(accounts["member"]) == -12_845
    assert account_balance(accounts["bank"]) == 0
    assert balances_by_currency() == {"PEN": 0}
    assert balances_by_currency(accounts=[accounts["cash"]]) == {"PEN": 12_845}


def test_an_entry_reads_back_exactly_as_it_was_posted(post, accounts, make_user):
    # Written by hand (ledger.sql): every field must come back as the ORM would have stored it.
    entry = post("delivery:CHZ-A-000001", user=make_user("administrador"))
    stored = JournalEntry.objects.get(pk=entry.pk)
    fields = [field.attname for field in JournalEntry._meta.concrete_fields]
    assert {name: getattr(stored, name) for name in fields} == {name: getattr(entry, name) for name in fields}
    assert stored.posted_at is not None
    assert sorted(stored.lines.values_list("account_id", "amount", "currency", "memo")) == sorted(
        [(accounts["cash"].pk, 12_345, "PEN", ""), (accounts["member"].pk, -12_345, "PEN", "")]
    )


def test_an_entry_in_two_currencies_balances_each_one(post, accounts):
    post(
        "contract:CV-2026-001",
        lines=[
            (accounts["cash"], 1_000),
            (accounts["member"], -1_000),
            (accounts["bank"], 250_00),
            (accounts["sales"], -250_00),
        ],
    )
    assert balances_by_currency() == {"PEN": 0, "USD": 0}
    both = [accounts["bank"], accounts["cash"]]
    assert balances_by_currency(accounts=both) == {"PEN": 1_000, "USD": 25_000}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            lambda a: [(a["cash"], 100), (a["member"], -99)],
            r"en PEN no suman cero \(diferencia de 1 céntimos\)",
        ),
        (lambda a: [(a["cash"], 100), (a["sales"], -100)], "en PEN no suman cero"),
        (lambda a: [(a["cash"], 100)], "al menos dos líneas"),
        (lambda a: [(a["cash"], 0), (a["member"], 0)], "Línea 1: el monto no puede ser cero"),
        (lambda a: [(a["cash"], 1.5), (a["member"], -1.5)], "debe ser un entero en céntimos"),
        (lambda a: [(a["cash"], 10**16), (a["member"], -(10**16))], "excede el máximo"),
    ],
    ids=["unbalanced", "currency-mismatch", "one-line", "zero", "float", "huge"],
)
def test_a_wrong_entry_is_refused_and_nothing_is_written(post, accounts, lines, message):
    post("delivery:CHZ-A-000001")
    with pytest.raises(ValidationError, match=message):
        post("delivery:CHZ-A-000002", lines=lines(accounts))
    assert ledger_size() == (1, 2)
    assert post("delivery:CHZ-A-000003").number == 2, "a refusal must not use up a number"


def test_a_mixed_currency_entry_names_the_unbalanced_currencies(post, accounts):
    with pytest.raises(ValidationError) as refused:
        post("contract:CV-1", lines=[(accounts["cash"], 100), (accounts["sales"], -100)])
    assert refused.value.messages == [
        "Las líneas en PEN no suman cero (diferencia de 100 céntimos).",
        "Las líneas en USD no suman cero (diferencia de -100 céntimos).",
    ]
    assert ledger_size() == (0, 0)


def test_posting_the_same_source_document_twice_is_refused(post):
    post("delivery:CHZ-A-000123")
    with pytest.raises(ValidationError, match="«delivery:CHZ-A-000123» ya fue registrado en el asiento 1"):
        post("delivery:CHZ-A-000123", 999)
    assert ledger_size() == (1, 2)
    # The refusal left the transaction usable (PostgreSQL aborts one after a failed insert)
    # and used up no number.
    assert post("delivery:CHZ-A-000124").number == 2
    assert EntryCounter.objects.get().last_number == 2


def test_a_taken_source_document_is_named_with_the_other_problems(post, accounts):
    post("delivery:CHZ-A-000123")
    with pytest.raises(ValidationError) as refused:
        post("delivery:CHZ-A-000123", lines=[(accounts["cash"], 100), (accounts["member"], -99)])
    assert refused.value.messages == [
        "Las líneas en PEN no suman cero (diferencia de 1 céntimos).",
        "El documento «delivery:CHZ-A-000123» ya fue registrado en el asiento 1.",
    ]
    assert ledger_size() == (1, 2)


def test_accounts_the_caller_has_read_are_not_read_again(post, accounts, django_assert_num_queries):
    post("delivery:CHZ-A-000001")
    # Counter lock, entry, lines, counter update (plus the savepoint the test's transaction adds).
    with django_assert_num_queries(4):
        entry = post("delivery:CHZ-A-000002", 500, accounts_read=True)
    assert sorted(entry.lines.values_list("account__code", "amount", "currency")) == [
        ("1011-CAJ", 500, "PEN"),
        ("2101-CHZ-00001", -500, "PEN"),
    ]
    with pytest.raises(ValidationError, match="no suman cero"):
        post(
            "delivery:CHZ-A-000003",
            lines=[(accounts["cash"], 100), (accounts["sales"], -100)],
            accounts_read=True,
        )
    assert verify_ledger().ok


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"source_key": "  "}, "documento de origen"),
        ({"description": ""}, "descripción"),
    ],
)
def test_an_entry_without_source_or_description_is_refused(accounts, field, message):
    values = {"source_key": "payment:1", "description": "Pago"} | field
    with pytest.raises(ValidationError, match=message):
        post_entry(date=DAY, lines=[(accounts["cash"], 1), (accounts["member"], -1)], **values)
    assert ledger_size() == (0, 0)


def test_a_reversal_mirrors_the_entry_once(post, accounts):
    entry = post("delivery:CHZ-A-000001", 12_345)
    reversal = reverse_entry(entry=entry, date=DAY, reason="Peso mal digitado")

    assert reversal.number == 2
    assert reversal.reverses == entry
    assert reversal.source_key == "reversal:1"
    assert reversal.description == "Reversión del asiento 1: Peso mal digitado"
    assert sorted(reversal.lines.values_list("account__code", "amount")) == [
        ("1011-CAJ", -12_345),
        ("2101-CHZ-00001", 12_345),
    ]
    assert account_balance(accounts["cash"]) == 0

    with pytest.raises(ValidationError, match="El asiento 1 ya fue revertido por el asiento 2"):
        reverse_entry(entry=entry, date=DAY, reason="Otra vez")
    with pytest.raises(ValidationError, match="El asiento 2 es una reversión"):
        reverse_entry(entry=reversal, date=DAY, reason="Deshacer la corrección")
    with pytest.raises(ValidationError, match="motivo"):
        reverse_entry(entry=post("delivery:CHZ-A-000002"), date=DAY, reason=" ")
    assert ledger_size() == (3, 6)


def test_the_counter_follows_the_last_number(post):
    post("a:1")
    post("a:2")
    assert EntryCounter.objects.get().last_number == 2
