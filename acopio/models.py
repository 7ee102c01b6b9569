"""Collection (acopio): centres and their receipt series, the dated price list, deliveries and lots.

Weights are integer grams and amounts integer céntimos, so sums are exact on every database.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coop.models import Certification, Member, Plot, Season
from toolkit.text import check_visible_text
from toolkit.verification import printed, short_code

ORIGIN_TOO_LONG = {"max_length": _("El origen o parcela tiene como máximo 200 caracteres.")}


class CollectionCentre(models.Model):
    """A centro de acopio and its receipt series (e.g. C01 → C01-000123)."""

    code = models.CharField(_("código"), max_length=12, unique=True)
    name = models.CharField(_("nombre"), max_length=120)
    community = models.CharField(_("comunidad / caserío"), max_length=100, blank=True)
    receipt_series = models.CharField(
        _("serie de recibos"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,4}$", _("De 2 a 4 letras mayúsculas o dígitos."))],
    )
    # Taken under a row lock by acopio.services; a rolled-back delivery never uses a number.
    last_receipt_number = models.PositiveIntegerField(_("último recibo emitido"), default=0, editable=False)
    active = models.BooleanField(_("activo"), default=True)

    class Meta:
        db_table = "coop_collectioncentre"  # the table keeps the name it had in coop
        verbose_name = _("centro de acopio")
        verbose_name_plural = _("centros de acopio")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CocoaForm(models.TextChoices):
    WET = "wet", _("En baba")
    DRY = "dry", _("Seco")


class Grade(models.TextChoices):
    GRADE_1 = "g1", _("Grado I")
    GRADE_2 = "g2", _("Grado II")
    SUBSTANDARD = "sub", _("Fuera de estándar")
    UNGRADED = "ng", _("Sin clasificar (baba)")


class PriceRowQuerySet(models.QuerySet):
    def in_force(self, *, on: date, form: str, grade: str, certification: str) -> "PriceRow | None":
        return (
            self.filter(valid_from__lte=on, form=form, grade=grade, certification=certification)
            .order_by("-valid_from")
            .first()
        )


class PriceRow(models.Model):
    """One line of the dated price list: soles per kg for a form, grade and certification.

    A row that priced a delivery is never changed; a new row with a later date replaces it.
    """

    valid_from = models.DateField(_("vigente desde"))
    form = models.CharField(_("forma"), max_length=3, choices=CocoaForm.choices)
    grade = models.CharField(_("grado"), max_length=3, choices=Grade.choices)
    certification = models.CharField(_("certificación"), max_length=6, choices=Certification.choices)
    price_per_kg = models.DecimalField(
        _("precio por kg (S/)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("nota"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    objects = PriceRowQuerySet.as_manager()

    class Meta:
        db_table = "coop_pricerow"  # the table keeps the name it had in coop
        verbose_name = _("precio")
        verbose_name_plural = _("lista de precios")
        ordering = ["-valid_from", "form", "grade", "certification"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "grade", "certification", "valid_from"], name="price_row_one_per_day"
            ),
            models.CheckConstraint(condition=Q(price_per_kg__gt=0), name="price_row_positive"),
        ]

    def __str__(self):
        return gettext("%(form)s %(grade)s %(certification)s: S/ %(price)s desde %(date)s") % {
            "form": self.get_form_display(),
            "grade": self.get_grade_display(),
            "certification": self.get_certification_display(),
            "price": self.price_per_kg,
            "date": self.valid_from.strftime("%d/%m/%Y"),
        }

    def save(self, *args, **kwargs):
        from django.core.exceptions import ValidationError

        if self.is_used:
            raise ValidationError(
                _("Este precio ya se usó en entregas: registre un precio nuevo con otra fecha.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from django.core.exceptions import ValidationError

        if self.is_used:
            raise ValidationError(_("Este precio ya se usó en entregas y no se puede borrar."))
        return super().delete(*args, **kwargs)

    @property
    def is_used(self) -> bool:
        return self.pk is not None and self.deliveries.exists()


class Supplier(models.Model):
    """A non-member the cooperative buys cocoa from: a person (DNI) or an organisation (RUC).

    Written by acopio.services.create_supplier, with its own payable account in the ledger: what
    the cooperative owes the supplier never touches a member's account.
    """

    document = models.CharField(
        _("DNI o RUC"),
        max_length=11,
        unique=True,
        help_text=_("DNI de 8 dígitos para una persona, RUC de 11 dígitos para una organización."),
    )
    name = models.CharField(
        _("nombre o razón social"),
        max_length=200,
        validators=[check_visible_text],
        error_messages={"max_length": _("El nombre o la razón social tiene como máximo 200 caracteres.")},
    )
    origin = models.CharField(
        _("origen o parcela"),
        max_length=200,
        blank=True,
        validators=[check_visible_text],
        error_messages=ORIGIN_TOO_LONG,
        help_text=_("Lugar de producción o parcela, si se conoce."),
    )
    account = models.OneToOneField(
        "ledger.Account",
        on_delete=models.PROTECT,
        related_name="supplier",
        verbose_name=_("cuenta por pagar"),
        editable=False,
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
        verbose_name = _("proveedor no socio")
        verbose_name_plural = _("proveedores no socios")
        ordering = ["name", "document"]
        constraints = [
            models.CheckConstraint(
                condition=Q(document__regex=r"^([0-9]{8}|[0-9]{11})$"), name="supplier_dni_or_ruc"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.document_label} {self.document})"

    @property
    def document_label(self) -> str:
        return "RUC" if len(self.document) == 11 else "DNI"

    @property
    def is_organisation(self) -> bool:
        return len(self.document) == 11


class DeliveryStatus(models.TextChoices):
    VALID = "valid", _("Vigente")
    VOID = "void", _("Anulada")


class DeliveryQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(status=DeliveryStatus.VALID)

    def flagged(self):
        return self.filter(yield_flag=True)


class Delivery(models.Model):
    """A delivery at a collection centre and its receipt. Written only by acopio.services.

    Never edited: a wrong delivery is voided (it keeps its number) and reissued.
    """

    receipt_series = models.CharField(_("serie"), max_length=4)
    receipt_number = models.PositiveIntegerField(_("número"))
    centre = models.ForeignKey(
        CollectionCentre,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("centro de acopio"),
    )
    season = models.ForeignKey(
        Season, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("campaña")
    )
    # Exactly one of member and supplier (constraint delivery_member_or_supplier): a purchase from a
    # non-member is a delivery with a supplier, conventional, without plot, never yield-flagged.
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("socio"),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("proveedor no socio"),
    )
    origin = models.CharField(
        _("origen o parcela"), max_length=200, blank=True, error_messages=ORIGIN_TOO_LONG
    )
    plot = models.ForeignKey(
        Plot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("parcela"),
    )
    date = models.DateField(_("fecha"))
    form = models.CharField(_("forma"), max_length=3, choices=CocoaForm.choices)
    grade = models.CharField(_("grado"), max_length=3, choices=Grade.choices)
    gross_g = models.PositiveIntegerField(_("peso bruto (g)"))
    tare_g = models.PositiveIntegerField(_("tara (g)"))
    net_g = models.PositiveIntegerField(_("peso neto (g)"))
    dry_g = models.PositiveIntegerField(_("equivalente seco (g)"))
    moisture_pct = models.DecimalField(_("humedad (%)"), max_digits=4, decimal_places=1)
    certification = models.CharField(_("certificación"), max_length=6, choices=Certification.choices)
    # Empty only for a purchase from a non-member at a price typed by the clerk.
    price_row = models.ForeignKey(
        PriceRow,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("precio aplicado"),
    )
    price_per_kg = models.DecimalField(_("precio por kg (S/)"), max_digits=8, decimal_places=2)
    amount_minor = models.BigIntegerField(_("importe (céntimos)"))
    yield_flag = models.BooleanField(_("sobre el rendimiento posible"), default=False)

    status = models.CharField(
        _("estado"), max_length=5, choices=DeliveryStatus.choices, default=DeliveryStatus.VALID
    )
    void_reason = models.CharField(_("motivo de anulación"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("anulada el"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("anulada por"),
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("reemplaza a"),
    )
    lot = models.ForeignKey(
        "Lot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("lote"),
    )

    # A scale or another system's row id: importing the same file again changes nothing.
    external_ref = models.CharField(
        _("referencia externa"), max_length=60, null=True, blank=True, unique=True
    )
    # One per rendered form, so a double click or a resent form records one delivery.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Printed in the receipt's QR code; whoever holds the receipt can check it.
    verification_key = models.CharField(max_length=32, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    recorded_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        db_table = "coop_delivery"  # the table keeps the name it had in coop
        verbose_name = _("entrega")
        verbose_name_plural = _("entregas")
        ordering = ["-date", "-receipt_series", "-receipt_number"]
        indexes = [
            # Member and season, in date order: a member's statement reads its deliveries without a sort.
            models.Index(fields=["member", "season", "date"], name="delivery_member_season_date"),
            models.Index(fields=["season", "date"], name="delivery_season_date"),
            models.Index(fields=["centre", "date"], name="delivery_centre_date"),
            models.Index(fields=["yield_flag", "season"], name="delivery_flag_season"),
            # The delivery list's default order, so a page of 500,000 deliveries needs no sort.
            models.Index(fields=["-date", "-receipt_series", "-receipt_number"], name="delivery_list_order"),
            # Voids are a handful among hundreds of thousands: a partial index finds them, and the
            # planner never mistakes it for a filter on valid deliveries (almost every row).
            models.Index(fields=["-date"], condition=Q(status="void"), name="delivery_void_date"),
            # The lot list adds up its page's lots from this index alone (never from the table).
            models.Index(fields=["lot", "dry_g"], condition=Q(lot__isnull=False), name="delivery_lot_dry"),
            # The mass balance adds up each season's valid dry weight by certification from this
            # index alone (status too, or SQLite reads the table to check it). Partial, so a query
            # that names a member still prefers the member's index.
            models.Index(
                fields=["season", "certification", "dry_g", "status"],
                condition=Q(status="valid"),
                name="delivery_valid_season_claim",
            ),
            # The inclusion page adds up each member's valid dry weight and pay in a season from this
            # index alone, already in member order (no sort, no read of the 500,000 rows). Not
            # partial: the ORM sends the status as a parameter, and SQLite uses a partial index only
            # for a literal.
            models.Index(
                fields=["season", "status", "member", "dry_g", "amount_minor"],
                name="delivery_season_member_sums",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_series", "receipt_number"], name="delivery_receipt_unique"
            ),
            models.CheckConstraint(
                condition=Q(net_g=F("gross_g") - F("tare_g")), name="delivery_net_is_gross_minus_tare"
            ),
            models.CheckConstraint(condition=Q(net_g__gt=0), name="delivery_net_positive"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="delivery_amount_positive"),
            models.CheckConstraint(
                condition=Q(moisture_pct__gte=0) & Q(moisture_pct__lt=100), name="delivery_moisture_range"
            ),
            models.CheckConstraint(
                condition=Q(certification__in=Certification.values), name="delivery_certification_known"
            ),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.VALID) | ~Q(void_reason=""), name="delivery_void_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False, supplier__isnull=True)
                | Q(member__isnull=True, supplier__isnull=False),
                name="delivery_member_or_supplier",
            ),
            # Cocoa from a non-member is never certified input and never yield-controlled.
            models.CheckConstraint(
                condition=Q(supplier__isnull=True)
                | Q(certification=Certification.CONVENTIONAL, plot__isnull=True, yield_flag=False),
                name="delivery_supplier_conventional",
            ),
            models.CheckConstraint(
                condition=Q(price_row__isnull=False) | Q(supplier__isnull=False),
                name="delivery_member_price_from_list",
            ),
        ]

    def __str__(self):
        return self.receipt_code

    def get_absolute_url(self):
        return reverse("acopio:delivery_detail", args=[self.receipt_code])

    @property
    def receipt_code(self) -> str:
        return f"{self.receipt_series}-{self.receipt_number:06d}"

    @property
    def paper_code(self) -> str:
        """Printed beside the receipt number: with both, /verificar/ finds the receipt without the QR."""
        return printed(short_code("receipt", self.verification_key))

    @property
    def is_void(self) -> bool:
        return self.status == DeliveryStatus.VOID

    @property
    def is_non_member(self) -> bool:
        return self.supplier_id is not None

    @property
    def source_key(self) -> str:
        """The ledger's key for this delivery's purchase entry."""
        return f"delivery:{self.receipt_code}"


class Lot(models.Model):
    """Deliveries gathered to be sold together, with the claim the lot is sold under.

    Built by acopio.services (build_lot, build_lot_by_rule); a delivery belongs to one lot at most.
    """

    code = models.CharField(_("código"), max_length=20, unique=True)
    season = models.ForeignKey(
        Season, on_delete=models.PROTECT, related_name="lots", verbose_name=_("campaña")
    )
    claim = models.CharField(
        _("certificación del lote"),
        max_length=6,
        choices=Certification.choices,
        error_messages={
            "invalid_choice": _("Elija la certificación del lote."),
            "blank": _("Elija la certificación del lote."),
        },
    )
    for_eu = models.BooleanField(
        _("para la Unión Europea (EUDR)"),
        default=False,
        help_text=_("Solo entregas de parcelas con geolocalización válida."),
    )
    note = models.CharField(_("nota"), max_length=200, blank=True)
    # Set by acopio.services when the lot is built: such a lot is never sold as Fairtrade or organic.
    has_non_member = models.BooleanField(_("con cacao de no socios"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("armado por"),
    )
    created_at = models.DateTimeField(_("armado"), auto_now_add=True)
    # When the row last changed: the API's updated_since reads it.
    updated_at = models.DateTimeField(_("modificado"), auto_now=True, db_default=Now())

    class Meta:
        db_table = "coop_lot"  # the table keeps the name it had in coop
        verbose_name = _("lote")
        verbose_name_plural = _("lotes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(claim__in=Certification.values), name="lot_claim_known"),
            models.CheckConstraint(
                condition=Q(has_non_member=False) | Q(claim=Certification.CONVENTIONAL),
                name="lot_non_member_conventional",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def dry_g(self) -> int:
        return int(self.deliveries.aggregate(total=models.Sum("dry_g"))["total"] or 0)
