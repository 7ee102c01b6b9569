"""The premium fund: conversions to soles, the Development Plan, spending and its two signatures,
distributions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ledger.models import JournalEntry
from toolkit.append_only import AppendOnlyError, AppendOnlyModel

# --- The premium fund ----------------------------------------------------------------


class PremiumCategory(models.TextChoices):
    """The categories of Fairtrade premium reporting (Development Plan)."""

    MEMBER_SERVICES = (
        "services",
        _("Servicios a los socios (capacitación, insumos, crédito, asistencia técnica)"),
    )
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
        db_table = "ledger_premiumconversion"  # the table keeps the name it had in ledger
        verbose_name = _("cambio de la prima a soles")
        verbose_name_plural = _("cambios de la prima a soles")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usd_cents__gt=0) & Q(pen_minor__gt=0) & Q(rate__gt=0),
                name="premium_conversion_positive",
            ),
        ]

    def __str__(self):
        return self.document


class PremiumAuthorization(AppendOnlyModel):
    """The assembly decision that made budget lines spendable; written by fund.services only.

    The ledger keeps the decision's wording; the assembly that took it keeps
    the link to this row (assemblies depend on the ledger, not the reverse).
    """

    decision = models.CharField(
        _("acuerdo de asamblea"),
        max_length=300,
        help_text=_("Asamblea, fecha y número de acuerdo que aprobó las líneas."),
    )
    decided_on = models.DateField(_("fecha del acuerdo"))
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    authorized_at = models.DateTimeField(_("registrado"), auto_now_add=True)
    # SHA-256 of the lines as the assembly approved them (fund.integrity.lines_digest): this row is
    # chained, so verify_ledger finds an authorized line changed, removed or added behind Minka's back.
    # Empty for authorizations recorded before it existed.
    lines_digest = models.CharField(
        _("huella de las líneas aprobadas"), max_length=64, blank=True, default=""
    )
    # Which facts the digest covers (fund.integrity.DIGEST_VERSIONS): empty for version 1 (season,
    # purpose, category, amount), 2 for the activities of the Development Plan (objective, schedule,
    # responsible person, beneficiaries, indicators and reallocation too). Empty stays out of the
    # row's chain hash, so authorizations recorded before it keep verifying.
    lines_digest_version = models.PositiveSmallIntegerField(_("versión de la huella"), null=True, blank=True)

    class Meta(AppendOnlyModel.Meta):
        db_table = "ledger_premiumauthorization"  # the table keeps the name it had in ledger
        verbose_name = _("autorización de la asamblea")
        verbose_name_plural = _("autorizaciones de la asamblea")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(decision=""), name="premium_authorization_decision_required"),
        ]

    def __str__(self):
        return self.decision


class BudgetLine(models.Model):
    """An activity of the Fairtrade Development Plan, in soles: spendable only once authorized.

    The board drafts activities on the fund page; a budget motion attaches them and its approval
    authorizes exactly those. A draft may be corrected; an authorized one never changes (the
    assembly approved those words and that amount). Moving money between activities is a new
    activity drafted with ``reallocated_from``: once an assembly authorizes it, its amount comes
    out of that activity's budget instead of the fund's unallocated soles.

    Lines recorded before activities existed keep the activity fields empty.
    """

    season = models.ForeignKey(
        "coop.Season", on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("campaña")
    )
    purpose = models.CharField(_("finalidad"), max_length=200)
    category = models.CharField(_("categoría"), max_length=12, choices=PremiumCategory.choices)
    amount_minor = models.BigIntegerField(_("monto (céntimos)"))
    objective = models.TextField(_("objetivo"), blank=True)
    starts_on = models.DateField(_("inicio"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    responsible = models.CharField(_("responsable"), max_length=120, blank=True)
    beneficiaries = models.PositiveIntegerField(_("beneficiarios previstos"), null=True, blank=True)
    beneficiaries_women = models.PositiveIntegerField(_("de ellos, mujeres"), null=True, blank=True)
    beneficiaries_youth = models.PositiveIntegerField(_("de ellos, jóvenes"), null=True, blank=True)
    indicators = models.TextField(_("indicadores"), blank=True)
    reallocated_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reallocations",
        verbose_name=_("reasignado desde"),
    )
    authorization = models.ForeignKey(
        PremiumAuthorization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("autorización"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        db_table = "ledger_budgetline"  # the table keeps the name it had in ledger
        verbose_name = _("línea del plan de desarrollo")
        verbose_name_plural = _("líneas del plan de desarrollo")
        ordering = ["season__starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="budget_line_amount_positive"),
            models.CheckConstraint(condition=~Q(purpose=""), name="budget_line_purpose_required"),
            models.CheckConstraint(
                condition=Q(category__in=PremiumCategory.values), name="budget_line_category_known"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="budget_line_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(beneficiaries__isnull=True)
                | (
                    Q(beneficiaries_women__lte=F("beneficiaries"))
                    & Q(beneficiaries_youth__lte=F("beneficiaries"))
                ),
                name="budget_line_beneficiaries_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.purpose} ({self.get_category_display()})"

    def save(self, *args, **kwargs):
        authorized = BudgetLine.objects.filter(pk=self.pk, authorization__isnull=False)
        if not self._state.adding and authorized.exists():
            raise AppendOnlyError(_("Una línea autorizada por la asamblea no se modifica."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if BudgetLine.objects.filter(pk=self.pk, authorization__isnull=False).exists():
            raise AppendOnlyError(_("Una línea autorizada por la asamblea no se borra."))
        return super().delete(*args, **kwargs)

    @property
    def is_authorized(self) -> bool:
        return self.authorization_id is not None


class ActivityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Sin iniciar")
    IN_PROGRESS = "in_progress", _("En ejecución")
    DONE = "done", _("Terminada")
    CANCELLED = "cancelled", _("Suspendida")


# The age bands progress is reported in, by sex: (field suffix, label). «Joven» is under 30.
AGE_BANDS = (
    ("young", _("menores de 30")),
    ("adult", _("de 30 a 59")),
    ("older", _("60 y más")),
)


class ActivityProgress(AppendOnlyModel):
    """What the board reports of an authorized activity on a date: its status, what was achieved and
    who it reached, by sex and age band. The latest report is the activity's progress; written by
    fund.services only, never changed (a new report supersedes it)."""

    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="progress", verbose_name=_("actividad")
    )
    reported_on = models.DateField(_("fecha del avance"))
    status = models.CharField(_("estado"), max_length=12, choices=ActivityStatus.choices)
    achieved = models.TextField(_("logros"), blank=True)
    women_young = models.PositiveIntegerField(_("mujeres menores de 30"), default=0)
    women_adult = models.PositiveIntegerField(_("mujeres de 30 a 59"), default=0)
    women_older = models.PositiveIntegerField(_("mujeres de 60 y más"), default=0)
    men_young = models.PositiveIntegerField(_("hombres menores de 30"), default=0)
    men_adult = models.PositiveIntegerField(_("hombres de 30 a 59"), default=0)
    men_older = models.PositiveIntegerField(_("hombres de 60 y más"), default=0)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    reported_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("avance de actividad")
        verbose_name_plural = _("avances de actividades")
        ordering = ["line", "-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="activity_progress_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.line_id}: {self.get_status_display()}"

    @property
    def women(self) -> int:
        return self.women_young + self.women_adult + self.women_older

    @property
    def men(self) -> int:
        return self.men_young + self.men_adult + self.men_older

    @property
    def youth(self) -> int:
        return self.women_young + self.men_young

    @property
    def reached(self) -> int:
        return self.women + self.men


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
    """Money out of the premium fund against one authorized line; written by fund.services only.

    Registered with its document, it reserves its amount on the line; it is
    posted to the ledger when the board and the treasurer (two different
    people) have both approved, and never changes after that.
    """

    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="spendings", verbose_name=_("línea del plan")
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=SpendingKind.choices)
    amount_minor = models.BigIntegerField(_("monto (céntimos)"))
    description = models.CharField(_("detalle"), max_length=200)
    # The supplier's invoice (comprobante de pago); a distribution carries its payroll number instead.
    supplier = models.CharField(_("proveedor"), max_length=200, blank=True)
    ruc = models.CharField(_("RUC"), max_length=11, blank=True)
    document = models.CharField(_("número de comprobante"), max_length=40)
    document_date = models.DateField(_("fecha del comprobante"))
    # A distribution splits the season's Fairtrade kilograms.
    season = models.ForeignKey(
        "coop.Season",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("campaña de los kilos"),
    )
    status = models.CharField(
        _("estado"), max_length=8, choices=SpendingStatus.choices, default=SpendingStatus.PENDING
    )
    rejection_reason = models.CharField(_("motivo del rechazo o de la reversión"), max_length=200, blank=True)
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="spending"
    )
    # A posted spending found wrong is corrected by the mirror entry, never edited.
    reversal_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="spending_reversal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        db_table = "ledger_spending"  # the table keeps the name it had in ledger
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
                name="spending_paid_iff_posted",
            ),
            models.CheckConstraint(
                condition=Q(status=SpendingStatus.REVERSED, reversal_entry__isnull=False)
                | (~Q(status=SpendingStatus.REVERSED) & Q(reversal_entry__isnull=True)),
                name="spending_reversed_iff_mirrored",
            ),
            models.UniqueConstraint(
                fields=["ruc", "document"],
                condition=Q(kind=SpendingKind.SUPPLIER) & Q(status__in=COMMITTED_STATUSES),
                name="spending_invoice_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document}"

    def save(self, *args, **kwargs):
        # Pending → paid or rejected; paid → reversed. Nothing else ever changes.
        if not self._state.adding:
            stored = Spending.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            allowed = {
                SpendingStatus.PENDING: {
                    SpendingStatus.PENDING,
                    SpendingStatus.PAID,
                    SpendingStatus.REJECTED,
                },
                SpendingStatus.PAID: {SpendingStatus.REVERSED},
            }.get(stored, set())
            if self.status not in allowed:
                raise AppendOnlyError(_("Un gasto aprobado, rechazado o revertido ya no cambia."))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("fund:spending_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Un gasto del fondo no se borra: recházelo o revierta su asiento."))


class SpendingApproval(AppendOnlyModel):
    """One of the two signatures a spending needs: the board's and the treasurer's, by different people."""

    spending = models.ForeignKey(Spending, on_delete=models.PROTECT, related_name="approvals")
    capacity = models.CharField(_("en calidad de"), max_length=10, choices=ApprovalCapacity.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("aprobado por")
    )
    approved_at = models.DateTimeField(_("aprobado"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        db_table = "ledger_spendingapproval"  # the table keeps the name it had in ledger
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
    member = models.ForeignKey(
        "coop.Member", on_delete=models.PROTECT, related_name="premium_shares", verbose_name=_("socio")
    )
    fairtrade_g = models.BigIntegerField(_("Comercio Justo entregado (g, equivalente seco)"))
    amount_minor = models.BigIntegerField(_("monto (céntimos)"))

    class Meta(AppendOnlyModel.Meta):
        db_table = "ledger_distributionshare"  # the table keeps the name it had in ledger
        verbose_name = _("parte del reparto de prima")
        verbose_name_plural = _("partes del reparto de prima")
        ordering = ["spending", "member__code"]
        constraints = [
            models.UniqueConstraint(fields=["spending", "member"], name="distribution_share_once"),
            models.CheckConstraint(
                condition=Q(amount_minor__gte=0) & Q(fairtrade_g__gt=0), name="distribution_share_positive"
            ),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.amount_minor}"
