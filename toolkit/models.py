from django.db import models
from django.utils.translation import gettext_lazy as _


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
