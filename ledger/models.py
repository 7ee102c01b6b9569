"""The journal: accounts, entries and their signed lines.

Amounts are integers in minor units (céntimos, cents): debit positive, credit
negative, so an entry balances when its lines sum to zero per currency.
Entries and lines are append-only; a mistake is corrected by a reversing
entry. ``ledger.services.post_entry`` is the only writer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from toolkit.append_only import AppendOnlyModel

JOURNAL_MESSAGE = _("El libro mayor no admite cambios ni borrados: corrija con un asiento de reversión.")


class Currency(models.TextChoices):
    PEN = "PEN", _("Soles (PEN)")
    USD = "USD", _("Dólares (USD)")


class AccountKind(models.TextChoices):
    # Context: "Activo" and "Ingreso" are also a member's status and join date elsewhere.
    ASSET = "asset", pgettext_lazy("tipo de cuenta", "Activo")
    LIABILITY = "liability", _("Pasivo")
    EQUITY = "equity", _("Patrimonio")
    INCOME = "income", pgettext_lazy("tipo de cuenta", "Ingreso")
    EXPENSE = "expense", _("Gasto")


class Account(models.Model):
    code = models.CharField(_("código"), max_length=32, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=16, choices=AccountKind.choices)
    currency = models.CharField(_("moneda"), max_length=3, choices=Currency.choices)
    member = models.ForeignKey(
        "coop.Member",
        verbose_name=_("socio"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("cuenta")
        verbose_name_plural = _("cuentas")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="ledger_account_kind"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="ledger_account_currency"),
            # A member has one account per currency, found by this key, never by the text of the code.
            models.UniqueConstraint(
                fields=["member", "currency"],
                condition=Q(member__isnull=False),
                name="ledger_account_one_per_member_currency",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class EntryCounter(models.Model):
    """The single row holding the last entry number, locked while posting so numbers stay gapless."""

    last_number = models.PositiveBigIntegerField(default=0)
    # The last entry's hash, kept here so posting needs no extra read to chain the next one.
    last_hash = models.CharField(max_length=64, blank=True)
    # The first entry number hashed with version 2 (ledger.hashing); earlier entries keep version 1.
    hash_v2_from = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = _("contador de asientos")

    def __str__(self):
        return _("Último asiento: %(number)s") % {"number": self.last_number}


class JournalEntry(AppendOnlyModel):
    append_only_message = JOURNAL_MESSAGE
    # The journal's own chain (ledger.hashing) covers these rows.
    chained_by_journal = True
    chain_number = None
    chain_hash = None
    # Migrations 0002 and 0005 install this table's triggers (toolkit.append_only_triggers skips it).
    append_only_triggers_installed_by_migrations = True

    number = models.PositiveBigIntegerField(_("número"), unique=True)
    date = models.DateField(_("fecha"))
    description = models.TextField(_("descripción"))
    source_key = models.CharField(_("documento de origen"), max_length=120, unique=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("revierte"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrado por"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set by the poster before hashing (version 2 covers it), not by the database on insert.
    posted_at = models.DateTimeField(_("registrado"), default=timezone.now, editable=False)
    previous_hash = models.CharField(_("hash anterior"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("asiento")
        verbose_name_plural = _("asientos")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="ledger_entry_number_positive"),
            models.CheckConstraint(condition=~Q(source_key=""), name="ledger_entry_source_key_set"),
        ]

    def __str__(self):
        return _("Asiento %(number)s") % {"number": self.number}


class JournalLine(AppendOnlyModel):
    append_only_message = JOURNAL_MESSAGE
    # The journal's own chain (ledger.hashing) covers these rows.
    chained_by_journal = True
    chain_number = None
    chain_hash = None
    # Migrations 0002 and 0005 install this table's triggers (toolkit.append_only_triggers skips it).
    append_only_triggers_installed_by_migrations = True

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.BigIntegerField(_("monto (céntimos)"), help_text=_("Debe positivo, haber negativo."))
    currency = models.CharField(_("moneda"), max_length=3, choices=Currency.choices)
    memo = models.CharField(_("glosa"), max_length=200, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("línea de asiento")
        verbose_name_plural = _("líneas de asiento")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_line_amount_nonzero"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="ledger_line_currency"),
        ]

    def __str__(self):
        return f"{self.account.code} {self.amount} {self.currency}"


# --- Member accounts --------------------------------------------------------------


class MovementKind(models.TextChoices):
    ADVANCE = "advance", _("Adelanto")
    PAYMENT = "payment", _("Pago")
    INPUT_CREDIT = "input_credit", _("Descuento por crédito de insumos")
    LOAN_INSTALMENT = "loan", _("Descuento por cuota de préstamo")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Efectivo")
    BANK = "bank", _("Transferencia bancaria")
    MOBILE_WALLET = "wallet", _("Billetera móvil")


class MemberMovement(AppendOnlyModel):
    """An advance, payment or agreed deduction on a member's account, with its document.

    Posted by ledger.member_accounts; a mistake is reversed, never edited.
    """

    member = models.ForeignKey(
        "coop.Member", on_delete=models.PROTECT, related_name="movements", verbose_name=_("socio")
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=MovementKind.choices)
    method = models.CharField(_("medio de pago"), max_length=6, choices=PaymentMethod.choices, blank=True)
    date = models.DateField(_("fecha"))
    amount_minor = models.BigIntegerField(_("importe (céntimos)"))
    document = models.CharField(
        _("documento"), max_length=60, help_text=_("Número de voucher, operación bancaria o acuerdo firmado.")
    )
    note = models.CharField(_("detalle"), max_length=200, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="movement")
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    entered_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("movimiento de cuenta de socio")
        verbose_name_plural = _("movimientos de cuentas de socios")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="movement_amount_positive"),
            models.CheckConstraint(condition=~Q(document=""), name="movement_document_required"),
            models.CheckConstraint(condition=Q(kind__in=MovementKind.values), name="movement_kind_known"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[MovementKind.ADVANCE, MovementKind.PAYMENT], method__in=PaymentMethod.values
                )
                | Q(kind__in=[MovementKind.INPUT_CREDIT, MovementKind.LOAN_INSTALMENT], method=""),
                name="movement_method_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document}"

    @property
    def reversal(self) -> "JournalEntry | None":
        """The entry that undid this movement, if it was voided."""
        return getattr(self.entry, "reversed_by", None)

    @property
    def is_reversed(self) -> bool:
        return self.reversal is not None
