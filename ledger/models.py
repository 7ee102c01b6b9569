"""The journal: accounts, entries and their signed lines.

Amounts are integers in minor units (céntimos, cents): debit positive, credit
negative, so an entry balances when its lines sum to zero per currency.
Entries and lines are append-only; a mistake is corrected by a reversing
entry. ``ledger.services.post_entry`` is the only writer.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.append_only import AppendOnlyError, AppendOnlyModel  # noqa: F401  (ledger's users)
from coop.models import Certification

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
        "coop.Member", verbose_name=_("socio"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="accounts",
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("cuenta")
        verbose_name_plural = _("cuentas")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="ledger_account_kind"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="ledger_account_currency"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class EntryCounter(models.Model):
    """The single row holding the last entry number, locked while posting so numbers stay gapless."""

    last_number = models.PositiveBigIntegerField(default=0)
    # The last entry's hash, kept here so posting needs no extra read to chain the next one.
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("contador de asientos")

    def __str__(self):
        return f"Último asiento: {self.last_number}"


class JournalEntry(AppendOnlyModel):
    append_only_message = JOURNAL_MESSAGE

    number = models.PositiveBigIntegerField(_("número"), unique=True)
    date = models.DateField(_("fecha"))
    description = models.TextField(_("descripción"))
    source_key = models.CharField(_("documento de origen"), max_length=120, unique=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("revierte"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="reversed_by",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrado por"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    posted_at = models.DateTimeField(_("registrado"), auto_now_add=True)
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
        return f"Asiento {self.number}"


class JournalLine(AppendOnlyModel):
    append_only_message = JOURNAL_MESSAGE

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

    member = models.ForeignKey("coop.Member", on_delete=models.PROTECT, related_name="movements",
                               verbose_name=_("socio"))
    kind = models.CharField(_("tipo"), max_length=12, choices=MovementKind.choices)
    method = models.CharField(_("medio de pago"), max_length=6, choices=PaymentMethod.choices, blank=True)
    date = models.DateField(_("fecha"))
    amount_minor = models.BigIntegerField(_("importe (céntimos)"))
    document = models.CharField(_("documento"), max_length=60,
                                help_text=_("Número de voucher, operación bancaria o acuerdo firmado."))
    note = models.CharField(_("detalle"), max_length=200, blank=True)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="movement")
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("registrado por"))
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
                condition=Q(kind__in=[MovementKind.ADVANCE, MovementKind.PAYMENT],
                            method__in=PaymentMethod.values)
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


# --- Fairtrade terms and exchange rates --------------------------------------------


class OrganicRule(models.TextChoices):
    ORGANIC_MINIMUM = "minimum", _("Precio mínimo orgánico")
    DIFFERENTIAL = "differential", _("Diferencial orgánico sobre el precio")


class FairtradeTerms(models.Model):
    """One dated row of Fairtrade's minimum price and premium for cocoa beans (USD per tonne, FOB).

    Rows are data, never code: administrators add the next review's row with its source.
    Origin "*" applies to every origin without a row of its own.
    """

    ALL_ORIGINS = "*"

    valid_from = models.DateField(_("vigente desde"))
    origin = models.CharField(_("origen"), max_length=2, default=ALL_ORIGINS,
                              help_text=_("Código de país ISO (PE) o * para todos los orígenes."))
    minimum_price = models.DecimalField(_("precio mínimo"), max_digits=10, decimal_places=2)
    organic_rule = models.CharField(_("regla orgánica"), max_length=12, choices=OrganicRule.choices)
    organic_minimum_price = models.DecimalField(_("precio mínimo orgánico"), max_digits=10, decimal_places=2,
                                                null=True, blank=True)
    organic_differential = models.DecimalField(_("diferencial orgánico"), max_digits=10, decimal_places=2,
                                               null=True, blank=True)
    premium = models.DecimalField(_("prima de Comercio Justo"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("moneda"), max_length=3, choices=Currency.choices, default=Currency.USD)
    unit = models.CharField(_("unidad"), max_length=12, default="t", editable=False)
    source = models.CharField(_("fuente"), max_length=300,
                              help_text=_("Documento oficial de Fairtrade International de esta fila."))
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("condiciones de Comercio Justo")
        verbose_name_plural = _("condiciones de Comercio Justo")
        ordering = ["-valid_from", "origin"]
        constraints = [
            models.UniqueConstraint(fields=["origin", "valid_from"], name="fairtrade_terms_one_per_day"),
            models.CheckConstraint(condition=Q(minimum_price__gt=0) & Q(premium__gt=0),
                                   name="fairtrade_terms_positive"),
            models.CheckConstraint(
                condition=Q(organic_rule="minimum", organic_minimum_price__isnull=False)
                | Q(organic_rule="differential", organic_differential__isnull=False),
                name="fairtrade_terms_organic_rule_has_its_figure",
            ),
        ]

    def __str__(self):
        return f"Comercio Justo {self.origin} desde {self.valid_from:%d/%m/%Y}"


class ExchangeRate(models.Model):
    """Soles per US dollar on a day (e.g. SBS's published rates); USD receipts are booked at ``buy``."""

    date = models.DateField(_("fecha"), unique=True)
    buy = models.DecimalField(_("compra (S/ por US$)"), max_digits=8, decimal_places=4)
    sell = models.DecimalField(_("venta (S/ por US$)"), max_digits=8, decimal_places=4)
    source = models.CharField(_("fuente"), max_length=120, default="SBS")

    class Meta:
        verbose_name = _("tipo de cambio")
        verbose_name_plural = _("tipos de cambio")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=Q(buy__gt=0) & Q(sell__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y}: compra {self.buy}, venta {self.sell}"


# --- Sales ---------------------------------------------------------------------------


class SalesContract(models.Model):
    """A sale of cocoa beans to a buyer, priced on its terms; written by ledger.sales only.

    Quantities are kilograms (tonnes × 1000), prices USD per tonne, amounts US cents.
    """

    number = models.CharField(_("número de contrato"), max_length=40, unique=True)
    buyer = models.CharField(_("comprador"), max_length=200)
    signed_on = models.DateField(_("fecha del contrato"))
    season = models.ForeignKey("coop.Season", on_delete=models.PROTECT, related_name="contracts",
                               verbose_name=_("campaña (periodo del balance de masas)"))
    origin = models.CharField(_("origen"), max_length=2, default="PE")
    # Sold under the same four claims a delivery or a lot can carry.
    terms = models.CharField(_("condiciones"), max_length=6, choices=Certification.choices)
    quantity_kg = models.PositiveBigIntegerField(_("cantidad (kg)"))
    contract_price = models.DecimalField(_("precio del contrato (US$/t)"), max_digits=10, decimal_places=2,
                                         help_text=_("Precio de mercado o precio fijo pactado, FOB."))
    lots = models.ManyToManyField("coop.Lot", blank=True, related_name="contracts", verbose_name=_("lotes"))
    fairtrade_terms = models.ForeignKey(FairtradeTerms, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="contracts", verbose_name=_("condiciones aplicadas"))
    price_per_tonne = models.DecimalField(_("precio a pagar (US$/t)"), max_digits=10, decimal_places=2)
    value_cents = models.BigIntegerField(_("valor del contrato (centavos US$)"))
    premium_cents = models.BigIntegerField(_("prima (centavos US$)"), default=0)
    invoice_number = models.CharField(_("factura"), max_length=40, null=True, blank=True, unique=True)
    invoiced_on = models.DateField(_("facturado el"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("registrado por"))
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("contrato de venta")
        verbose_name_plural = _("contratos de venta")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gt=0), name="contract_quantity_positive"),
            models.CheckConstraint(condition=Q(contract_price__gt=0), name="contract_price_positive"),
            models.CheckConstraint(condition=Q(premium_cents__gte=0), name="contract_premium_not_negative"),
        ]

    def __str__(self):
        return f"{self.number} · {self.buyer}"


class ContractPayment(AppendOnlyModel):
    """Money received from a buyer for a contract, with the day's rate; written by ledger.sales only."""

    contract = models.ForeignKey(SalesContract, on_delete=models.PROTECT, related_name="payments",
                                 verbose_name=_("contrato"))
    date = models.DateField(_("fecha"))
    reference = models.CharField(_("referencia del pago"), max_length=60, unique=True)
    amount_cents = models.BigIntegerField(_("monto (centavos US$)"))
    premium_cents = models.BigIntegerField(_("parte de prima (centavos US$)"))
    rate = models.DecimalField(_("tipo de cambio (compra)"), max_digits=8, decimal_places=4)
    amount_pen_minor = models.BigIntegerField(_("monto en soles (céntimos)"))
    premium_pen_minor = models.BigIntegerField(_("prima en soles (céntimos)"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="contract_payment")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("registrado por"))
    entered_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("cobro de contrato")
        verbose_name_plural = _("cobros de contratos")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="contract_payment_positive"),
            models.CheckConstraint(
                condition=Q(premium_cents__gte=0) & Q(premium_cents__lte=F("amount_cents")),
                name="contract_payment_premium_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.contract.number})"


# --- The premium fund ----------------------------------------------------------------


class PremiumCategory(models.TextChoices):
    """The categories of Fairtrade premium reporting (Development Plan)."""

    MEMBER_SERVICES = "services", _(
        "Servicios a los socios (capacitación, insumos, crédito, asistencia técnica)")
    ORGANISATION = "organisation", _("Inversión en la organización (infraestructura, equipos, personal)")
    COMMUNITY = "community", _("Comunidad (educación, salud, caminos)")
    CASH_TO_MEMBERS = "cash", _("Pagos en efectivo a los socios")


class PremiumConversion(AppendOnlyModel):
    """Premium dollars sold for soles: the fund's dollars become soles it can spend in Peru."""

    date = models.DateField(_("fecha"))
    document = models.CharField(_("operación de cambio"), max_length=60, unique=True)
    usd_cents = models.BigIntegerField(_("dólares vendidos (centavos)"))
    rate = models.DecimalField(_("tipo de cambio"), max_digits=8, decimal_places=4)
    pen_minor = models.BigIntegerField(_("soles recibidos (céntimos)"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="premium_conversion")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("registrado por"))
    entered_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("cambio de la prima a soles")
        verbose_name_plural = _("cambios de la prima a soles")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(usd_cents__gt=0) & Q(pen_minor__gt=0) & Q(rate__gt=0),
                                   name="premium_conversion_positive"),
        ]

    def __str__(self):
        return self.document


class PremiumAuthorization(AppendOnlyModel):
    """The assembly decision that made budget lines spendable; written by ledger.premium_fund only.

    The ledger keeps the decision's wording; the assembly that took it keeps
    the link to this row (assemblies depend on the ledger, not the reverse).
    """

    decision = models.CharField(_("acuerdo de asamblea"), max_length=300,
                                help_text=_("Asamblea, fecha y número de acuerdo que aprobó las líneas."))
    decided_on = models.DateField(_("fecha del acuerdo"))
    authorized_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("registrado por"))
    authorized_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("autorización de la asamblea")
        verbose_name_plural = _("autorizaciones de la asamblea")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(decision=""), name="premium_authorization_decision_required"),
        ]

    def __str__(self):
        return self.decision


class BudgetLine(models.Model):
    """A line of the Fairtrade Development Plan, in soles: spendable only once authorized.

    A draft line may be corrected; an authorized one never changes (the
    assembly approved those words and that amount).
    """

    season = models.ForeignKey("coop.Season", on_delete=models.PROTECT, related_name="budget_lines",
                               verbose_name=_("campaña"))
    purpose = models.CharField(_("finalidad"), max_length=200)
    category = models.CharField(_("categoría"), max_length=12, choices=PremiumCategory.choices)
    amount_minor = models.BigIntegerField(_("monto (céntimos)"))
    authorization = models.ForeignKey(PremiumAuthorization, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="lines", verbose_name=_("autorización"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("registrado por"))
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("línea del plan de desarrollo")
        verbose_name_plural = _("líneas del plan de desarrollo")
        ordering = ["season__starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="budget_line_amount_positive"),
            models.CheckConstraint(condition=~Q(purpose=""), name="budget_line_purpose_required"),
            models.CheckConstraint(condition=Q(category__in=PremiumCategory.values),
                                   name="budget_line_category_known"),
        ]

    def __str__(self):
        return f"{self.purpose} ({self.get_category_display()})"

    def save(self, *args, **kwargs):
        authorized = BudgetLine.objects.filter(pk=self.pk, authorization__isnull=False)
        if not self._state.adding and authorized.exists():
            raise AppendOnlyError("Una línea autorizada por la asamblea no se modifica.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if BudgetLine.objects.filter(pk=self.pk, authorization__isnull=False).exists():
            raise AppendOnlyError("Una línea autorizada por la asamblea no se borra.")
        return super().delete(*args, **kwargs)

    @property
    def is_authorized(self) -> bool:
        return self.authorization_id is not None


class SpendingKind(models.TextChoices):
    SUPPLIER = "supplier", _("Pago a proveedor")
    DISTRIBUTION = "distribution", _("Reparto en efectivo a los socios")


class SpendingStatus(models.TextChoices):
    PENDING = "pending", _("Pendiente de aprobación")
    PAID = "paid", _("Aprobado y contabilizado")
    REJECTED = "rejected", _("Rechazado")
    REVERSED = "reversed", _("Revertido")


# A spending that holds its amount on its line: awaiting approval, or paid.
COMMITTED_STATUSES = [SpendingStatus.PENDING, SpendingStatus.PAID]


class ApprovalCapacity(models.TextChoices):
    BOARD = "board", _("Consejo de administración")
    TREASURER = "treasurer", _("Tesorería")


class Spending(models.Model):
    """Money out of the premium fund against one authorized line; written by ledger.premium_fund only.

    Registered with its document, it reserves its amount on the line; it is
    posted to the ledger when the board and the treasurer (two different
    people) have both approved, and never changes after that.
    """

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spendings",
                             verbose_name=_("línea del plan"))
    kind = models.CharField(_("tipo"), max_length=12, choices=SpendingKind.choices)
    amount_minor = models.BigIntegerField(_("monto (céntimos)"))
    description = models.CharField(_("detalle"), max_length=200)
    # The supplier's invoice (comprobante de pago); a distribution carries its payroll number instead.
    supplier = models.CharField(_("proveedor"), max_length=200, blank=True)
    ruc = models.CharField(_("RUC"), max_length=11, blank=True)
    document = models.CharField(_("número de comprobante"), max_length=40)
    document_date = models.DateField(_("fecha del comprobante"))
    # A distribution splits the season's Fairtrade kilograms.
    season = models.ForeignKey("coop.Season", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("campaña de los kilos"))
    status = models.CharField(_("estado"), max_length=8, choices=SpendingStatus.choices,
                              default=SpendingStatus.PENDING)
    rejection_reason = models.CharField(_("motivo del rechazo o de la reversión"), max_length=200,
                                        blank=True)
    entry = models.OneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="spending")
    # A posted spending found wrong is corrected by the mirror entry, never edited.
    reversal_entry = models.OneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="spending_reversal")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("registrado por"))
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("gasto del fondo de prima")
        verbose_name_plural = _("gastos del fondo de prima")
        ordering = ["-document_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="spending_amount_positive"),
            models.CheckConstraint(condition=~Q(document=""), name="spending_document_required"),
            models.CheckConstraint(
                condition=Q(kind=SpendingKind.DISTRIBUTION, season__isnull=False)
                | (Q(kind=SpendingKind.SUPPLIER) & ~Q(supplier="") & Q(ruc__regex=r"^[0-9]{11}$")),
                name="spending_document_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[SpendingStatus.PAID, SpendingStatus.REVERSED], entry__isnull=False)
                | (Q(status__in=[SpendingStatus.PENDING, SpendingStatus.REJECTED]) & Q(entry__isnull=True)),
                name="spending_paid_iff_posted"),
            models.CheckConstraint(condition=Q(status=SpendingStatus.REVERSED, reversal_entry__isnull=False)
                                   | (~Q(status=SpendingStatus.REVERSED) & Q(reversal_entry__isnull=True)),
                                   name="spending_reversed_iff_mirrored"),
            models.UniqueConstraint(fields=["ruc", "document"], condition=Q(kind=SpendingKind.SUPPLIER)
                                    & Q(status__in=COMMITTED_STATUSES),
                                    name="spending_invoice_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document}"

    def save(self, *args, **kwargs):
        # Pending → paid or rejected; paid → reversed. Nothing else ever changes.
        if not self._state.adding:
            stored = Spending.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            allowed = {SpendingStatus.PENDING: {SpendingStatus.PENDING, SpendingStatus.PAID,
                                                SpendingStatus.REJECTED},
                       SpendingStatus.PAID: {SpendingStatus.REVERSED}}.get(stored, set())
            if self.status not in allowed:
                raise AppendOnlyError("Un gasto aprobado, rechazado o revertido ya no cambia.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("ledger:spending_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Un gasto del fondo no se borra: recházelo o revierta su asiento.")


class SpendingApproval(AppendOnlyModel):
    """One of the two signatures a spending needs: the board's and the treasurer's, by different people."""

    spending = models.ForeignKey(Spending, on_delete=models.PROTECT, related_name="approvals")
    capacity = models.CharField(_("en calidad de"), max_length=10, choices=ApprovalCapacity.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("aprobado por"))
    approved_at = models.DateTimeField(_("aprobado"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("aprobación de gasto")
        verbose_name_plural = _("aprobaciones de gastos")
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["spending", "capacity"], name="approval_once_per_capacity"),
            models.UniqueConstraint(fields=["spending", "user"], name="approval_once_per_person"),
        ]

    def __str__(self):
        return f"{self.get_capacity_display()}: {self.user}"


class DistributionShare(AppendOnlyModel):
    """One member's part of a cash distribution, fixed when the distribution is registered."""

    spending = models.ForeignKey(Spending, on_delete=models.PROTECT, related_name="shares")
    member = models.ForeignKey("coop.Member", on_delete=models.PROTECT, related_name="premium_shares",
                               verbose_name=_("socio"))
    fairtrade_g = models.BigIntegerField(_("Comercio Justo entregado (g, equivalente seco)"))
    amount_minor = models.BigIntegerField(_("monto (céntimos)"))

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("parte del reparto de prima")
        verbose_name_plural = _("partes del reparto de prima")
        ordering = ["spending", "member__code"]
        constraints = [
            models.UniqueConstraint(fields=["spending", "member"], name="distribution_share_once"),
            models.CheckConstraint(condition=Q(amount_minor__gte=0) & Q(fairtrade_g__gt=0),
                                   name="distribution_share_positive"),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.amount_minor}"
