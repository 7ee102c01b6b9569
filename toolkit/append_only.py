"""Records that are written once and never changed or deleted: history is corrected by new records.

The model refuses here; database triggers refuse raw SQL too: toolkit.append_only_triggers
puts them on every subclass's table after each migrate (the journal's come from ledger's
migrations, ledger.triggers).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from toolkit import row_chain

APPEND_ONLY_MESSAGE = _("Este registro no admite cambios ni borrados: corrija con un registro nuevo.")


class AppendOnlyError(Exception):
    """Someone tried to change or delete a record that is append-only."""

    def __init__(self, message=APPEND_ONLY_MESSAGE):
        super().__init__(str(message))


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk inserts are allowed; bulk changes and deletes are not."""

    def _refuse(self):
        raise AppendOnlyError(self.model.append_only_message)

    def update(self, **kwargs):
        self._refuse()

    def delete(self):
        self._refuse()

    # Refused up front: Django's own bulk_update would fail inside its atomic block
    # and leave the caller's transaction unusable.
    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse()

    # Every insert, save() and bulk_create() alike, comes through here: rows of a chained table
    # get their number and hash in the same transaction as the insert (toolkit.row_chain).
    def _insert(self, objs, fields, returning_fields=None, raw=False, using=None, **kwargs):
        if raw or not row_chain.is_chained(self.model):
            # raw: loaddata and the like write rows with the chain fields they already carry.
            return super()._insert(
                objs, fields, returning_fields=returning_fields, raw=raw, using=using, **kwargs
            )
        return row_chain.chain_and_insert(
            self, super()._insert, objs, fields, returning_fields=returning_fields, using=using, **kwargs
        )


class AppendOnlyModel(models.Model):
    # What a refused change says; a model may name its own way of correcting.
    append_only_message = APPEND_ONLY_MESSAGE
    # True when the app's own migrations install the table's triggers (the journal's).
    append_only_triggers_installed_by_migrations = False
    # True when the journal's hash chain covers the rows (entries and lines); such a model drops
    # the two fields below (``chain_number = None``). Every other append-only model is chained
    # row by row (toolkit.row_chain).
    chained_by_journal = False

    # The row's place in its table's hash chain and its hash; set on insert, never by hand.
    chain_number = models.PositiveBigIntegerField(
        _("n.º en la cadena"), null=True, unique=True, editable=False
    )
    chain_hash = models.CharField(
        _("hash en la cadena"), max_length=64, blank=True, default="", editable=False
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.append_only_message)

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        # save() inserts through the plain base manager; this table's QuerySet chains the row.
        return AppendOnlyQuerySet(model=type(self), using=using)._insert(
            [self], fields=fields, returning_fields=returning_fields, using=using, raw=raw
        )
