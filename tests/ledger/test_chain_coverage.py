"""Which append-only records a hash chain protects, and which of their fields it covers.

The journal's entries and lines are covered by the journal's chain (ledger.hashing); every
other append-only model by its own row chain (toolkit.row_chain), found from the models, so a
new one is covered without being listed. Adding a field to a journal table makes these fail
until someone decides whether the chain must cover it (see docs/dev/design.md, «The ledger»).
"""

from django.apps import apps

from ledger.models import JournalEntry, JournalLine
from toolkit.append_only import AppendOnlyModel
from toolkit.row_chain import CHAIN_FIELDS, chained_models, hashed_fields

CHAINED = {"ledger.JournalEntry", "ledger.JournalLine"}
# Append-only, but covered by no chain: verify_ledger would not see them changed. Keep it empty.
NOT_YET_CHAINED = set()

# Hash version 2 covers these (ledger.hashing.entry_hash); the rest is the row's identity
# (id, the line's entry) or the hash itself.
ENTRY_HASHED = {
    "number",
    "date",
    "description",
    "source_key",
    "reverses",
    "posted_by",
    "posted_at",
    "previous_hash",
}
ENTRY_STRUCTURE = {"id", "hash"}
LINE_HASHED = {"account", "amount", "currency", "memo"}
LINE_STRUCTURE = {"id", "entry"}


def test_every_append_only_model_is_chained():
    found = {model._meta.label for model in apps.get_models() if issubclass(model, AppendOnlyModel)}
    row_chained = {model._meta.label for model in chained_models()}
    assert not CHAINED & row_chained
    assert found == CHAINED | row_chained | NOT_YET_CHAINED
    assert NOT_YET_CHAINED == set()


def test_a_row_chain_covers_every_field_of_its_row():
    for model in chained_models():
        concrete = {field.name for field in model._meta.concrete_fields}
        assert set(CHAIN_FIELDS) <= concrete, model._meta.label
        hashed = {field.name for field in hashed_fields(model)}
        assert hashed == concrete - set(CHAIN_FIELDS), model._meta.label


def test_every_journal_field_is_hashed_or_structural():
    assert {field.name for field in JournalEntry._meta.concrete_fields} == ENTRY_HASHED | ENTRY_STRUCTURE
    assert {field.name for field in JournalLine._meta.concrete_fields} == LINE_HASHED | LINE_STRUCTURE
