"""Trade: Fairtrade terms, exchange rates, sales contracts and the buyers' payments."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coop.models import Certification
from ledger.models import Currency, JournalEntry
from toolkit.append_only import AppendOnlyModel

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
    origin = models.CharField(
        _("origen"),
        max_length=2,
        default=ALL_ORIGINS,
        help_text=_("Código de país ISO (PE) o * para todos los orígenes."),
    )
    minimum_price = models.DecimalField(_("precio mínimo"), max_digits=10, decimal_places=2)
    organic_rule = models.CharField(_("regla orgánica"), max_length=12, choices=OrganicRule.choices)
    organic_minimum_price = models.DecimalField(
        _("precio mínimo orgánico"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    organic_differential = models.DecimalField(
        _("diferencial orgánico"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    premium = models.DecimalField(_("prima de Comercio Justo"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("moneda"), max_length=3, choices=Currency.choices, default=Currency.USD)
    unit = models.CharField(_("unidad"), max_length=12, default="t", editable=False)
    source = models.CharField(
        _("fuente"), max_length=300, help_text=_("Documento oficial de Fairtrade International de esta fila.")
    )
    date_to_confirm = models.BooleanField(
        _("fecha por confirmar"),
        default=False,
        help_text=_(
            "La fecha de vigencia aún no figura en la tabla oficial de Fairtrade: "
            "confírmela al revisar la tabla."
        ),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrado por"),
        help_text=_("Vacío en las filas publicadas que Minka trae de fábrica."),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        db_table = "ledger_fairtradeterms"  # the table keeps the name it had in ledger
        verbose_name = _("condiciones de Comercio Justo")
        verbose_name_plural = _("condiciones de Comercio Justo")
        ordering = ["-valid_from", "origin"]
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "valid_from"],
                name="fairtrade_terms_one_per_day",
                violation_error_message=_(
                    "Ya hay una fila para ese origen con esa fecha de vigencia: las filas no se corrigen, "
                    "registre la nueva revisión con su propia fecha."
                ),
            ),
            models.CheckConstraint(
                condition=Q(minimum_price__gt=0) & Q(premium__gt=0),
                name="fairtrade_terms_positive",
                violation_error_message=_("El precio mínimo y la prima deben ser mayores que cero."),
            ),
            models.CheckConstraint(
                condition=Q(organic_rule="minimum", organic_minimum_price__isnull=False)
                | Q(organic_rule="differential", organic_differential__isnull=False),
                name="fairtrade_terms_organic_rule_has_its_figure",
                violation_error_message=_(
                    "La regla orgánica necesita su cifra: "
                    "el precio mínimo orgánico o el diferencial orgánico."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(organic_minimum_price__isnull=True) | Q(organic_minimum_price__gt=0))
                & (Q(organic_differential__isnull=True) | Q(organic_differential__gt=0)),
                name="fairtrade_terms_organic_figures_positive",
                violation_error_message=_("Las cifras orgánicas deben ser mayores que cero."),
            ),
            models.CheckConstraint(
                condition=Q(currency="USD"),
                name="fairtrade_terms_in_dollars",
                violation_error_message=_(
                    "Fairtrade publica los términos del cacao en US$ por tonelada, "
                    "y así se valorizan los contratos."
                ),
            ),
        ]

    def __str__(self):
        return gettext("Comercio Justo %(origin)s desde %(date)s") % {
            "origin": self.origin,
            "date": self.valid_from.strftime("%d/%m/%Y"),
        }


class FairtradeTermsCheck(AppendOnlyModel):
    """An administrator compared Minka's terms table with Fairtrade's published one on this day.

    Fairtrade reviews cocoa prices every few years, each component on its own date: a table nobody
    has checked for six months is shown as a warning on every sales page (sales.selectors)."""

    checked_on = models.DateField(_("revisada el"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("revisada por")
    )
    note = models.CharField(_("nota"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    append_only_message = _("Una revisión de la tabla de Comercio Justo no se modifica ni se borra.")

    class Meta:
        verbose_name = _("revisión de la tabla de Comercio Justo")
        verbose_name_plural = _("revisiones de la tabla de Comercio Justo")
        ordering = ["-checked_on", "-id"]

    def __str__(self):
        return gettext("Tabla de Comercio Justo revisada el %(date)s") % {
            "date": self.checked_on.strftime("%d/%m/%Y")
        }


class ExchangeRate(models.Model):
    """Soles per US dollar on a day (e.g. SBS's published rates); USD receipts are booked at ``buy``."""

    date = models.DateField(_("fecha"), unique=True)
    buy = models.DecimalField(_("compra (S/ por US$)"), max_digits=8, decimal_places=4)
    sell = models.DecimalField(_("venta (S/ por US$)"), max_digits=8, decimal_places=4)
    source = models.CharField(_("fuente"), max_length=120, default="SBS")

    class Meta:
        db_table = "ledger_exchangerate"  # the table keeps the name it had in ledger
        verbose_name = _("tipo de cambio")
        verbose_name_plural = _("tipos de cambio")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=Q(buy__gt=0) & Q(sell__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self):
        return gettext("%(date)s: compra %(buy)s, venta %(sell)s") % {
            "date": self.date.strftime("%d/%m/%Y"),
            "buy": self.buy,
            "sell": self.sell,
        }


# --- Sales ---------------------------------------------------------------------------


class SalesContract(models.Model):
    """A sale of cocoa beans to a buyer, priced on its terms; written by sales.services only.

    Quantities are kilograms (tonnes × 1000), prices USD per tonne, amounts US cents.
    """

    number = models.CharField(_("número de contrato"), max_length=40, unique=True)
    buyer = models.CharField(_("comprador"), max_length=200)
    signed_on = models.DateField(_("fecha del contrato"))
    season = models.ForeignKey(
        "coop.Season",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("campaña (periodo del balance de masas)"),
    )
    origin = models.CharField(_("origen"), max_length=2, default="PE")
    # Sold under the same four claims a delivery or a lot can carry.
    terms = models.CharField(_("condiciones"), max_length=6, choices=Certification.choices)
    quantity_kg = models.PositiveBigIntegerField(_("cantidad (kg)"))
    contract_price = models.DecimalField(
        _("precio del contrato (US$/t)"),
        max_digits=10,
        decimal_places=2,
        help_text=_("Precio de mercado o precio fijo pactado, FOB."),
    )
    lots = models.ManyToManyField("acopio.Lot", blank=True, related_name="contracts", verbose_name=_("lotes"))
    fairtrade_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("condiciones aplicadas"),
    )
    price_per_tonne = models.DecimalField(_("precio a pagar (US$/t)"), max_digits=10, decimal_places=2)
    value_cents = models.BigIntegerField(_("valor del contrato (centavos US$)"))
    premium_cents = models.BigIntegerField(_("prima (centavos US$)"), default=0)
    # A forward contract is signed before the cocoa is bought: no lots at signature, a shipment period,
    # and the mass balance is enforced when the lots are attached at shipment (sales.services.ship_contract).
    forward = models.BooleanField(_("contrato a futuro"), default=False)
    shipment_from = models.DateField(_("embarque desde"), null=True, blank=True)
    shipment_to = models.DateField(_("embarque hasta"), null=True, blank=True)
    shipped_on = models.DateField(_("embarcado el"), null=True, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("embarque registrado por"),
    )
    invoice_number = models.CharField(_("factura"), max_length=40, null=True, blank=True, unique=True)
    invoiced_on = models.DateField(_("facturado el"), null=True, blank=True)
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
        db_table = "ledger_salescontract"  # the table keeps the name it had in ledger
        verbose_name = _("contrato de venta")
        verbose_name_plural = _("contratos de venta")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_kg__gt=0), name="contract_quantity_positive"),
            models.CheckConstraint(condition=Q(contract_price__gt=0), name="contract_price_positive"),
            models.CheckConstraint(condition=Q(premium_cents__gte=0), name="contract_premium_not_negative"),
            models.CheckConstraint(
                condition=Q(forward=True) | Q(shipment_from__isnull=True, shipment_to__isnull=True),
                name="contract_shipment_period_only_forward",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.buyer}"

    # --- the version in force: the original row, or its latest amendment (never an edit) ---

    @property
    def current_amendment(self) -> "ContractAmendment | None":
        amendments = list(self.amendments.all())  # uses a prefetch when there is one
        return max(amendments, key=lambda a: a.version) if amendments else None

    @property
    def version(self) -> int:
        latest = self.current_amendment
        return latest.version if latest else 1

    @property
    def current_terms_id(self) -> int | None:
        latest = self.current_amendment
        return latest.fairtrade_terms_id if latest else self.fairtrade_terms_id

    @property
    def current_terms(self) -> "FairtradeTerms | None":
        latest = self.current_amendment
        return latest.fairtrade_terms if latest else self.fairtrade_terms

    @property
    def current_price_per_tonne(self):
        latest = self.current_amendment
        return latest.price_per_tonne if latest else self.price_per_tonne

    @property
    def current_value_cents(self) -> int:
        latest = self.current_amendment
        return latest.value_cents if latest else self.value_cents

    @property
    def current_premium_cents(self) -> int:
        latest = self.current_amendment
        return latest.premium_cents if latest else self.premium_cents

    @property
    def current_total_cents(self) -> int:
        return self.current_value_cents + self.current_premium_cents

    @property
    def awaiting_shipment(self) -> bool:
        """A forward contract whose lots are not attached yet: «por embarcar»."""
        return self.forward and self.shipped_on is None


# Contracts that count as sold in the mass balance: every contract but a forward one not yet shipped.
COMMITTED = Q(forward=False) | Q(shipped_on__isnull=False)


class ContractAmendment(AppendOnlyModel):
    """A new version of a contract, priced on a terms row entered after it was signed (a back-dated
    review). The contract row is never edited: the version in force is the latest amendment. When the
    contract was already invoiced, the difference is posted to the buyer and the premium as its own
    entry; before the invoice, the invoice posts the version in force."""

    contract = models.ForeignKey(
        SalesContract, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("contrato")
    )
    version = models.PositiveIntegerField(_("versión"))
    fairtrade_terms = models.ForeignKey(
        FairtradeTerms,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("condiciones aplicadas"),
    )
    amended_on = models.DateField(_("fecha de la enmienda"))
    previous_price_per_tonne = models.DecimalField(
        _("precio anterior (US$/t)"), max_digits=10, decimal_places=2
    )
    price_per_tonne = models.DecimalField(_("precio a pagar (US$/t)"), max_digits=10, decimal_places=2)
    previous_value_cents = models.BigIntegerField(_("valor anterior (centavos US$)"))
    value_cents = models.BigIntegerField(_("valor del contrato (centavos US$)"))
    previous_premium_cents = models.BigIntegerField(_("prima anterior (centavos US$)"))
    premium_cents = models.BigIntegerField(_("prima (centavos US$)"))
    entry = models.OneToOneField(
        JournalEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract_amendment",
        verbose_name=_("asiento de la diferencia"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrado por")
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    append_only_message = _("Una enmienda de contrato no se modifica ni se borra: registre una nueva.")

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("enmienda de contrato")
        verbose_name_plural = _("enmiendas de contratos")
        ordering = ["contract", "version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="contract_amendment_version_once"),
            models.UniqueConstraint(
                fields=["contract", "fairtrade_terms"],
                name="contract_amendment_once_per_terms",
                violation_error_message=_("El contrato ya tiene una enmienda por esa revisión."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=2), name="contract_amendment_version_after_first"
            ),
            models.CheckConstraint(condition=Q(premium_cents__gte=0), name="contract_amendment_premium_ok"),
        ]

    def __str__(self):
        return gettext("%(contract)s, versión %(version)s") % {
            "contract": self.contract.number,
            "version": self.version,
        }

    @property
    def value_difference_cents(self) -> int:
        return self.value_cents - self.previous_value_cents

    @property
    def premium_difference_cents(self) -> int:
        return self.premium_cents - self.previous_premium_cents

    @property
    def total_difference_cents(self) -> int:
        return self.value_difference_cents + self.premium_difference_cents


class ContractPayment(AppendOnlyModel):
    """Money received from a buyer for a contract, with the day's rate; written by sales.services only."""

    contract = models.ForeignKey(
        SalesContract, on_delete=models.PROTECT, related_name="payments", verbose_name=_("contrato")
    )
    date = models.DateField(_("fecha"))
    reference = models.CharField(_("referencia del pago"), max_length=60, unique=True)
    amount_cents = models.BigIntegerField(_("monto (centavos US$)"))
    premium_cents = models.BigIntegerField(_("parte de prima (centavos US$)"))
    rate = models.DecimalField(_("tipo de cambio (compra)"), max_digits=8, decimal_places=4)
    amount_pen_minor = models.BigIntegerField(_("monto en soles (céntimos)"))
    premium_pen_minor = models.BigIntegerField(_("prima en soles (céntimos)"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="contract_payment")
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
        db_table = "ledger_contractpayment"  # the table keeps the name it had in ledger
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
