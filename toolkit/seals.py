"""Seals: tamper evidence for rows that change status and so cannot be append-only.

A sales contract is shipped and invoiced, a motion is published, an issued document or kept
minutes are written once but by code that is not append-only. Each such model is registered
here (``register_sealed``, from the owning app's ``ready``) with the fields that money or a
decision depends on. Every time Minka writes such a row, the row's digest — the SHA-256 of
those fields in the row chains' canonical form (``toolkit.row_chain.canonical_row``), plus
whatever related rows the registration names (a motion's option votes) — is written to
``RowSeal``, an append-only, chained table, in the same transaction.

``check_sealed`` (run by verify_ledger through each app's record check) then names the first
row that no longer matches its last seal (changed behind Minka's back), that has a seal but is
gone (deleted), or that should have one and has none (slipped in). The seals themselves cannot
be changed, deleted or appended to unseen: they are a row chain.

Rows are sealed after ``save()`` (post_save) and after a many-to-many change (m2m_changed),
so services need no code of their own; code that writes a sealed field with ``QuerySet.update``
must call ``seal_rows`` in the same transaction.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save
from django.utils.translation import gettext as _

from toolkit.row_chain import CHUNK_SIZE, canonical_row


@dataclass(frozen=True)
class Sealed:
    model: type
    fields: tuple[str, ...]
    # pks -> {pk: JSON-able facts of related rows}; e.g. a motion's options and their votes.
    related: Callable[[list], dict] | None = None
    # The rows that must have a seal (a motion once published or withdrawn); None: every row.
    required: Q | None = None
    # Seal a saved row only when this says so (a motion only once final); None: always.
    when: Callable[[object], bool] | None = None

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def model_fields(self, model=None) -> list:
        model = model or self.model
        names = set(self.fields)
        every = names == {ALL}
        return sorted(
            (
                f
                for f in model._meta.concrete_fields
                if (every and f.name not in BOOKKEEPING) or f.name in names or f.attname in names
            ),
            key=lambda f: f.attname,
        )


SEALED: dict[str, Sealed] = {}
ALL = "__all__"  # fields=(ALL,): every concrete field of the row
# Left out of ALL: when a row last changed is bookkeeping for the API's sync, not a fact money or a
# decision depends on (and a column added later would otherwise break every seal written before it).
BOOKKEEPING = frozenset({"updated_at"})


def register_sealed(model, *, fields, related=None, required=None, when=None, m2m=()) -> Sealed:
    """Seal ``model``'s rows on every save (and every change of the ``m2m`` fields named)."""
    sealed = Sealed(model, tuple(fields), related, required, when)
    SEALED[model._meta.label] = sealed
    post_save.connect(_saved, sender=model, dispatch_uid=f"minka_seal_{model._meta.label}")
    for name in m2m:
        through = model._meta.get_field(name).remote_field.through
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"minka_seal_{model._meta.label}_{name}"
        )
    return sealed


def sealed_models() -> list:
    return [sealed.model for sealed in SEALED.values()]


def digest_of(sealed: Sealed, values, related=None, *, fields=None) -> str:
    row = canonical_row(fields or sealed.model_fields(), values)
    content = json.dumps(
        {"table": sealed.table, "row": row, "related": related},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _digests(sealed: Sealed, queryset) -> dict:
    """pk -> digest of the rows of ``queryset`` as the database holds them."""
    fields = sealed.model_fields()
    rows = list(queryset.order_by("pk").values_list("pk", *[f.attname for f in fields]))
    related = sealed.related([row[0] for row in rows]) if sealed.related else {}
    return {row[0]: digest_of(sealed, row[1:], related.get(row[0])) for row in rows}


def _last_seals(table: str, rows=None) -> dict:
    from toolkit.models import RowSeal

    seals = RowSeal.objects.filter(table=table)
    if rows is not None:
        seals = seals.filter(row__in=[str(pk) for pk in rows])
    last = {}
    for row, digest in (
        seals.order_by("chain_number").values_list("row", "digest").iterator(chunk_size=CHUNK_SIZE)
    ):
        last[row] = digest
    return last


def seal_rows(model, pks) -> int:
    """Seal these rows of ``model`` as they are now (those whose last seal differs); returns how many."""
    from toolkit.models import RowSeal

    sealed = SEALED[model._meta.label]
    pks = list(pks)
    if not pks:
        return 0
    with transaction.atomic(savepoint=False):
        digests = _digests(sealed, model._base_manager.filter(pk__in=pks))
        last = _last_seals(sealed.table, digests)
        new = [
            RowSeal(table=sealed.table, row=str(pk), digest=digest)
            for pk, digest in digests.items()
            if last.get(str(pk)) != digest
        ]
        RowSeal.objects.bulk_create(new)
    return len(new)


def _saved(sender, instance, raw=False, **kwargs):
    sealed = SEALED.get(sender._meta.label)
    if sealed is None or (sealed.when is not None and not sealed.when(instance)):
        return
    seal_rows(sender, [instance.pk])


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        owners, owner_model = [instance.pk], type(instance)
    else:  # lot.contracts.add(contract): the contracts changed
        owners, owner_model = list(pk_set or []), model
    if owner_model._meta.label in SEALED and owners:
        sealed = SEALED[owner_model._meta.label]
        if sealed.when is None:
            seal_rows(owner_model, owners)


# --- Rows that existed before their table was sealed (data migrations) ----------------------


def seal_existing_rows(apps, schema_editor, label: str) -> None:
    """For the migration that starts sealing ``label``: seal every row as it stands (historical
    models), then chain the seals. Rows of a model whose ``required`` rows are not all its rows are
    sealed only when required."""
    from toolkit.row_chain import chain_existing_rows

    sealed = SEALED[label]
    model = apps.get_model(label)
    seal_model = apps.get_model("toolkit", "RowSeal")
    alias = schema_editor.connection.alias
    rows = model._base_manager.using(alias)
    if sealed.required is not None:
        rows = rows.filter(sealed.required)
    fields = sealed.model_fields(model)
    names = [f.attname for f in fields]
    seals, batch = [], list(rows.order_by("pk").values_list("pk", *names))
    related = sealed.related([row[0] for row in batch], apps=apps, using=alias) if sealed.related else {}
    for row in batch:
        digest = digest_of(sealed, row[1:], related.get(row[0]), fields=fields)
        seals.append(seal_model(table=sealed.table, row=str(row[0]), digest=digest))
    if seals:
        seal_model.objects.using(alias).bulk_create(seals)
        chain_existing_rows(apps, schema_editor, ["toolkit.RowSeal"])


# --- Checking -------------------------------------------------------------------------------


def _problem(sealed: Sealed, row, text: str) -> str:
    return _("Tabla %(table)s (%(name)s), fila %(number)s: %(problems)s.") % {
        "table": sealed.table,
        "name": str(sealed.model._meta.verbose_name_plural),
        "number": row,
        "problems": text,
    }


def check_sealed(model) -> str | None:
    """The first row of ``model`` that is not as its last seal says, in pk order; or None."""
    sealed = SEALED[model._meta.label]
    last = _last_seals(sealed.table)
    required = None
    if sealed.required is not None:
        required = {
            str(pk) for pk in model._base_manager.filter(sealed.required).values_list("pk", flat=True)
        }
    digests = _digests(sealed, model._base_manager.all())
    problems = []
    for pk, digest in digests.items():
        key = str(pk)
        if key not in last:
            if required is None or key in required:
                problems.append((pk, _("no tiene sello: se agregó o se cerró por fuera de Minka")))
        elif last[key] != digest:
            problems.append(
                (pk, _("no es como la dejó Minka: su contenido no coincide con su sello (fue alterada)"))
            )
    present = {str(pk) for pk in digests}
    for key in last:
        if key not in present:
            problems.append((_pk(model, key), _("tiene sello pero ya no existe (fue borrada)")))
    if not problems:
        return None
    pk, text = min(problems, key=lambda problem: problem[0])
    return _problem(sealed, pk, text)


def _pk(model, key: str):
    return model._meta.pk.to_python(key)


def related_rows(model_label: str, *, key: str, fields: tuple[str, ...], order: str):
    """A ``related`` function: the rows of ``model_label`` whose ``key`` is one of the pks, as lists
    of ``fields`` in ``order``, grouped by that pk (for historical models too)."""

    def related(pks, apps=global_apps, using="default"):
        model = apps.get_model(model_label)
        grouped: dict = {}
        rows = model._base_manager.using(using).filter(**{f"{key}__in": pks}).order_by(key, order)
        for owner, *values in rows.values_list(key, *fields):
            grouped.setdefault(owner, []).append([_plain(value) for value in values])
        return grouped

    return related


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
