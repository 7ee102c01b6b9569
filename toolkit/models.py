from django.db import models
from django.utils.translation import gettext_lazy as _

from toolkit.append_only import AppendOnlyModel


class ChainHead(models.Model):
    """The last row of one append-only table's hash chain: its number and hash (toolkit.row_chain).

    Locked while rows are added, so numbers follow each other; verify_ledger requires it to
    match the table's last row, so rows deleted at the end or slipped in after it are seen.
    """

    table = models.CharField(_("tabla"), max_length=100, unique=True)
    last_number = models.PositiveBigIntegerField(_("última fila"), default=0)
    last_hash = models.CharField(_("hash de la última fila"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("cabecera de cadena")
        verbose_name_plural = _("cabeceras de cadena")
        ordering = ["table"]

    def __str__(self):
        return f"{self.table}: {self.last_number}"


class RowSeal(AppendOnlyModel):
    """The digest of a row of a table whose rows change status (a contract, a published motion):
    written in the same transaction as each change Minka makes, chained like every append-only
    row (toolkit.row_chain), so verify_ledger sees a row changed, deleted or slipped in behind
    Minka's back (toolkit.seals)."""

    table = models.CharField(_("tabla"), max_length=100)
    row = models.CharField(_("fila"), max_length=64)
    digest = models.CharField(_("huella"), max_length=64)
    sealed_at = models.DateTimeField(_("sellada el"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("sello de fila")
        verbose_name_plural = _("sellos de filas")
        indexes = [models.Index(fields=["table", "row"])]

    def __str__(self):
        return f"{self.table} {self.row}"
