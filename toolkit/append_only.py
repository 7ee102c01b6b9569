"""Records that are written once and never changed or deleted: history is corrected by new records.

The model refuses here; database triggers refuse raw SQL too: toolkit.append_only_triggers
puts them on every subclass's table after each migrate (the journal's come from ledger's
migrations, ledger.triggers).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

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


class AppendOnlyModel(models.Model):
    # What a refused change says; a model may name its own way of correcting.
    append_only_message = APPEND_ONLY_MESSAGE
    # True when the app's own migrations install the table's triggers (the journal's).
    append_only_triggers_installed_by_migrations = False

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.append_only_message)
