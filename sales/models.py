"""Trade: Fairtrade terms, exchange rates, sales contracts and the buyers' payments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Now
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coop.models import Certification
from ledger.models import JournalEntry
from toolkit.append_only import AppendOnlyModel

# --- Fairtrade terms and exchange rates --------------------------------------------


class TermsComponent(models.TextChoices):
    """The parts of Fairtrade's terms for cocoa, each changing on its own date.

    The organic part takes one of two forms: an organic minimum price (2011 table) or a differential
    added to the higher of market and minimum (since 2019); the later row of either form is in force."""

    MINIMUM = "minimum", _("Precio mínimo")
    ORGANIC_MINIMUM = "organic_minimum", _("Precio mínimo orgánico")
    ORGANIC_DIFFERENTIAL = "organic_differential", _("Diferencial orgánico")
    PREMIUM = "premium", _("Prima de Comercio Justo")


ORGANIC_KINDS = (TermsComponent.ORGANIC_MINIMUM, TermsComponent.ORGANIC_DIFFERENTIAL)
# The three parts a contract is priced on: the minimum, the organic part (organic sales only), the premium.
COMPONENT_GROUPS = {
    "minimum": (TermsComponent.MINIMUM,),
    "organic": ORGANIC_KINDS,
    "premium": (TermsComponent.PREMIUM,),
}


class TermsOrigin(models.TextChoices):
    ALL = "*", _("Otros orígenes (Perú entre ellos)")
    PERU = "PE", _("Perú")
    GHANA = "GH", _("Ghana")
    IVORY_COAST = "CI", _("Côte d'Ivoire")


class TermsCurrency(models.TextChoices):
    USD = "USD", _("Dólares (USD)")
    EUR = "EUR", _("Euros (EUR)")


def _component_group():
    """The component a row belongs to, for the one-row-per-day rule: both organic forms are one."""
    return Case(
        When(kind__in=[k.value for k in ORGANIC_KINDS], then=Value("organic")),
        default=F("kind"),
        output_field=models.CharField(),
    )


class FairtradeTerms(models.Model):
    """One component of Fairtrade's terms for cocoa beans (per tonne, FOB) from a date, for an origin.

    Rows are data, never code, and never edited: administrators add each review's rows with their
    source. Origin "*" applies to every origin without a row of its own on that day.
    """

    ALL_ORIGINS = "*"

    kind = models.CharField(_("componente"), max_length=20, choices=TermsComponent.choices)
    valid_from = models.DateField(_("vigente desde"))
    origin = models.CharField(
        _("origen"),
        max_length=2,
        choices=TermsOrigin.choices,
        default=ALL_ORIGINS,
        help_text=_("Perú, Ghana, Côte d'Ivoire, o * para los demás orígenes."),
    )
    currency = models.CharField(
        _("moneda"), max_length=3, choices=TermsCurrency.choices, default=TermsCurrency.USD
    )
    amount = models.DecimalField(_("monto por tonelada"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unidad"), max_length=12, default="t", editable=False)
    source = models.CharField(
        _("fuente (título)"),
        max_length=300,
        help_text=_("Documento oficial de Fairtrade International de esta fila."),
    )
    source_date = models.DateField(_("fecha de la fuente"), null=True, blank=True)
    source_url = models.URLField(_("enlace de la fuente"), max_length=500, blank=True)
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
        verbose_name = _("condición de Comercio Justo")
        verbose_name_plural = _("condiciones de Comercio Justo")
        ordering = ["-valid_from", "origin", "kind"]
        constraints = [
            models.UniqueConstraint(
                _component_group(),
                "origin",
                "currency",
                "valid_from",
                name="fairtrade_terms_one_component_per_day",
                violation_error_message=_(
                    "Ya hay una fila de ese componente para ese origen y moneda con esa fecha de vigencia: "
                    "las filas no se corrigen, registre la nueva revisión con su propia fecha."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="fairtrade_terms_amount_positive",
                violation_error_message=_("El monto debe ser mayor que cero."),
            ),
            models.CheckConstraint(
                condition=Q(currency__in=["USD", "EUR"]),
                name="fairtrade_terms_usd_or_eur",
                violation_error_message=_("Fairtrade publica los términos del cacao en US$ o en euros."),
            ),
        ]

    def __str__(self):
        return gettext("%(component)s %(origin)s desde %(date)s") % {
            "component": self.get_kind_display(),
            "origin": self.origin,
            "date": self.valid_from.strftime("%d/%m/%Y"),
        }

    @property
    def group(self) -> str:
        return next(group for group, kinds in COMPONENT_GROUPS.items() if self.kind in kinds)

    def clean(self):
        """Refuse, naming the field, what the constraints refuse (the admin shows it under the field)."""
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("El monto por tonelada debe ser mayor que cero.")
        if self.currency and self.currency not in TermsCurrency.values:
            errors["currency"] = _("La moneda de los términos de Comercio Justo es US$ o euros.")
        if self.kind in TermsComponent.values and self.valid_from and self.origin:
            same = FairtradeTerms.objects.filter(
                kind__in=COMPONENT_GROUPS[self.group],
                origin=self.origin,
                currency=self.currency,
                valid_from=self.valid_from,
            ).exclude(pk=self.pk)
            if same.exists():
                errors["valid_from"] = _(
                    "Ya hay una fila de %(component)s para el origen %(origin)s en %(currency)s "
                    "vigente desde el %(date)s: las filas no se corrigen, "
                    "registre la nueva revisión con su propia fecha."
                ) % {
                    "component": same.first().get_kind_display(),
                    "origin": self.origin,
                    "currency": self.currency,
                    "date": self.valid_from.strftime("%d/%m/%Y"),
                }
        if errors:
            raise ValidationError(errors)


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
        null=True,
        blank=True,
        help_text=_("Precio de mercado o precio fijo pactado, FOB; vacío mientras el precio está por fijar."),
    )
    # Price to be fixed (PTBF): signed without a price; the market price is fixed later against ICE
    # (a ContractFixing row, never an edit), and only then is the contract priced and invoiced.
    price_to_be_fixed = models.BooleanField(_("precio por fijar"), default=False)
    lots = models.ManyToManyField("acopio.Lot", blank=True, related_name="contracts", verbose_name=_("lotes"))
    # The Fairtrade terms rows the price was worked out from (empty unless sold on Fairtrade terms; the
    # organic row only for an organic sale); an amendment names its own rows, the contract's stay.
    minimum_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("precio mínimo aplicado"),
    )
    organic_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("condición orgánica aplicada"),
    )
    premium_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prima aplicada"),
    )
    price_per_tonne = models.DecimalField(
        _("precio a pagar (US$/t)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    value_cents = models.BigIntegerField(_("valor del contrato (centavos US$)"), null=True, blank=True)
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
    # When the contract last changed (shipped, fixed, invoiced): the API's updated_since reads it.
    updated_at = models.DateTimeField(_("modificado"), auto_now=True, db_default=Now())

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
            models.CheckConstraint(
                condition=Q(
                    price_to_be_fixed=False,
                    contract_price__isnull=False,
                    price_per_tonne__isnull=False,
                    value_cents__isnull=False,
                )
                | Q(
                    price_to_be_fixed=True,
                    contract_price__isnull=True,
                    price_per_tonne__isnull=True,
                    value_cents__isnull=True,
                    premium_cents=0,
                    minimum_terms__isnull=True,
                ),
                name="contract_priced_or_to_be_fixed",
            ),
            models.CheckConstraint(
                condition=Q(
                    minimum_terms__isnull=True, organic_terms__isnull=True, premium_terms__isnull=True
                )
                | Q(minimum_terms__isnull=False, premium_terms__isnull=False),
                name="contract_fairtrade_terms_whole",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.buyer}"

    # --- the version in force: the original row, its price fixing, or its latest amendment (never an edit)

    @property
    def current_amendment(self) -> "ContractAmendment | None":
        amendments = list(self.amendments.all())  # uses a prefetch when there is one
        return max(amendments, key=lambda a: a.version) if amendments else None

    @property
    def price_fixing(self) -> "ContractFixing | None":
        if not self.price_to_be_fixed:
            return None
        try:
            return self.fixing
        except ContractFixing.DoesNotExist:
            return None

    @property
    def price_pending(self) -> bool:
        """A PTBF contract whose price is not fixed yet: «precio por fijar», not invoiced."""
        return self.price_to_be_fixed and self.price_fixing is None

    @property
    def _in_force(self):
        """The latest amendment, else the price fixing, else the contract row itself."""
        return self.current_amendment or self.price_fixing or self

    @property
    def current_market_price(self):
        fixing = self.price_fixing
        return fixing.market_price if fixing else self.contract_price

    @property
    def version(self) -> int:
        latest = self.current_amendment
        return latest.version if latest else 1

    @property
    def on_fairtrade_terms(self) -> bool:
        return self.current_terms_ids[0] is not None

    @property
    def terms_ids(self) -> tuple[int | None, int | None, int | None]:
        """(minimum, organic, premium) rows of the first version."""
        return (self.minimum_terms_id, self.organic_terms_id, self.premium_terms_id)

    @property
    def current_terms_ids(self) -> tuple[int | None, int | None, int | None]:
        """(minimum, organic, premium) rows of the version in force."""
        return self._in_force.terms_ids

    @property
    def current_minimum_terms(self) -> "FairtradeTerms | None":
        return self._in_force.minimum_terms

    @property
    def current_organic_terms(self) -> "FairtradeTerms | None":
        return self._in_force.organic_terms

    @property
    def current_premium_terms(self) -> "FairtradeTerms | None":
        return self._in_force.premium_terms

    @property
    def current_terms_from(self):
        """The latest date of effect among the rows of the version in force (None off Fairtrade terms)."""
        rows = self.current_terms_rows
        return max(row.valid_from for row in rows) if rows else None

    @property
    def current_terms_rows(self) -> list["FairtradeTerms"]:
        """The rows the version in force was priced on, minimum first."""
        rows = (self.current_minimum_terms, self.current_organic_terms, self.current_premium_terms)
        return [row for row in rows if row is not None]

    @property
    def current_price_per_tonne(self):
        return self._in_force.price_per_tonne

    @property
    def current_value_cents(self) -> int | None:
        """None while the price is to be fixed."""
        return self._in_force.value_cents

    @property
    def current_premium_cents(self) -> int:
        return self._in_force.premium_cents

    @property
    def current_total_cents(self) -> int:
        return (self.current_value_cents or 0) + self.current_premium_cents

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
    minimum_terms = models.ForeignKey(
        FairtradeTerms,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("precio mínimo aplicado"),
    )
    organic_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("condición orgánica aplicada"),
    )
    premium_terms = models.ForeignKey(
        FairtradeTerms,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prima aplicada"),
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
    def terms_ids(self) -> tuple[int | None, int | None, int | None]:
        return (self.minimum_terms_id, self.organic_terms_id, self.premium_terms_id)

    @property
    def terms_rows(self) -> list[FairtradeTerms]:
        rows = (self.minimum_terms, self.organic_terms, self.premium_terms)
        return [row for row in rows if row is not None]

    @property
    def value_difference_cents(self) -> int:
        return self.value_cents - self.previous_value_cents

    @property
    def premium_difference_cents(self) -> int:
        return self.premium_cents - self.previous_premium_cents

    @property
    def total_difference_cents(self) -> int:
        return self.value_difference_cents + self.premium_difference_cents


class ContractFixing(AppendOnlyModel):
    """The price of a PTBF contract, fixed against ICE on a day, and the contract priced on it: the
    Fairtrade minimum and premium of the terms in force on the contract's date. Written once by
    sales.services.fix_contract_price; the contract row is never edited."""

    contract = models.OneToOneField(
        SalesContract, on_delete=models.PROTECT, related_name="fixing", verbose_name=_("contrato")
    )
    fixed_on = models.DateField(_("fecha de fijación"))
    ice_reference = models.CharField(
        _("referencia ICE"),
        max_length=120,
        help_text=_("Mercado, mes del contrato de futuros y cotización, p. ej. «ICE NY cacao, marzo 2027»."),
    )
    market_price = models.DecimalField(_("precio fijado (US$/t)"), max_digits=10, decimal_places=2)
    minimum_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("precio mínimo aplicado"),
    )
    organic_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("condición orgánica aplicada"),
    )
    premium_terms = models.ForeignKey(
        FairtradeTerms,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prima aplicada"),
    )
    price_per_tonne = models.DecimalField(_("precio a pagar (US$/t)"), max_digits=10, decimal_places=2)
    value_cents = models.BigIntegerField(_("valor del contrato (centavos US$)"))
    premium_cents = models.BigIntegerField(_("prima (centavos US$)"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrado por")
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    append_only_message = _("La fijación de precio de un contrato no se modifica ni se borra.")

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("fijación de precio")
        verbose_name_plural = _("fijaciones de precio")
        constraints = [
            models.CheckConstraint(condition=Q(market_price__gt=0), name="contract_fixing_price_positive"),
            models.CheckConstraint(condition=Q(premium_cents__gte=0), name="contract_fixing_premium_ok"),
        ]

    def __str__(self):
        return gettext("Precio de %(contract)s fijado el %(date)s") % {
            "contract": self.contract.number,
            "date": self.fixed_on.strftime("%d/%m/%Y"),
        }

    @property
    def terms_ids(self) -> tuple[int | None, int | None, int | None]:
        return (self.minimum_terms_id, self.organic_terms_id, self.premium_terms_id)


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
