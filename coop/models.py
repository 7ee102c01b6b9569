"""The member and plot register (padrón de socios y parcelas).

Areas are hectares with four decimals (one square metre): the register is
typed by hand from surveys, and four decimals keep a georeferenced area exact.
Money and weights, which must sum exactly, are integers in other apps.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from toolkit.background import BackgroundProgress
from toolkit.text import check_visible_text, normalize_text

dni_validator = RegexValidator(r"^\d{8}$", _("El DNI debe tener exactamente 8 dígitos."))
MEMBER_CODE_MAX = 20
# Letters without accents, digits and hyphens: the code is part of URLs, file names and printed papers.
MEMBER_CODE_PATTERN = r"^[A-Za-z0-9-]{1,20}\Z"
MEMBER_CODE_RULE = _(
    "El código de socio lleva solo letras sin tilde, números y guiones, hasta 20 caracteres "
    "(por ejemplo CHZ-00001)."
)
member_code_validator = RegexValidator(MEMBER_CODE_PATTERN, MEMBER_CODE_RULE, code="member_code")


def member_search_text(*, code: str, dni: str, name: str) -> str:
    return f"{normalize_text(code)} {dni} {normalize_text(name)}"


# A plot's text cut short by the register import or the member page: the message names the field by
# its key, with the length typed and the limit (Django's max_length check, Minka's words).
TEXT_TOO_LONG = {"max_length": _("El texto tiene %(show_value)s caracteres; el máximo es %(limit_value)s.")}


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Activo")
    SUSPENDED = "suspended", _("Suspendido")
    WITHDRAWN = "withdrawn", _("Retirado")
    DECEASED = "deceased", _("Fallecido")


class Sex(models.TextChoices):
    FEMALE = "F", _("Femenino")
    MALE = "M", _("Masculino")


class OrganicStage(models.TextChoices):
    NONE = "none", _("Convencional")
    TRANSITION_1 = "t1", _("Transición año 1")
    TRANSITION_2 = "t2", _("Transición año 2")
    TRANSITION_3 = "t3", _("Transición año 3")
    ORGANIC = "organic", _("Orgánico")


class CertificationFilter(models.TextChoices):
    FAIRTRADE = "fairtrade", _("Comercio Justo")
    ORGANIC = "organic", _("Orgánico")
    TRANSITION = "transition", _("En transición orgánica")
    NONE = "none", _("Sin certificación")


class Certification(models.TextChoices):
    """What a delivery's cocoa may be sold as; decided by the plot, never typed by the clerk."""

    FAIRTRADE_ORGANIC = "ft_org", _("Comercio Justo + Orgánico")
    FAIRTRADE = "ft", _("Comercio Justo")
    ORGANIC = "org", _("Orgánico")
    CONVENTIONAL = "conv", _("Convencional")

    @classmethod
    def from_flags(cls, *, fairtrade: bool, organic: bool) -> "Certification":
        if fairtrade and organic:
            return cls.FAIRTRADE_ORGANIC
        if fairtrade:
            return cls.FAIRTRADE
        return cls.ORGANIC if organic else cls.CONVENTIONAL

    @property
    def is_fairtrade(self) -> bool:
        return self in (Certification.FAIRTRADE, Certification.FAIRTRADE_ORGANIC)

    @property
    def is_organic(self) -> bool:
        return self in (Certification.ORGANIC, Certification.FAIRTRADE_ORGANIC)

    def accepts(self, claim: str) -> bool:
        """Whether cocoa claiming ``claim`` may be sold under this claim (as less, never as more)."""
        sold_as = Certification(self)
        held = Certification(claim)
        return (not sold_as.is_fairtrade or held.is_fairtrade) and (not sold_as.is_organic or held.is_organic)


class MemberQuerySet(models.QuerySet):
    def search(self, query: str):
        """Every word must match the code, the DNI or the name, accents ignored."""
        qs = self
        for word in normalize_text(query).split():
            qs = qs.filter(search_text__contains=word)
        return qs

    def with_certification(self, certification: str):
        plots = Plot.objects.filter(member=OuterRef("pk"))
        if certification == CertificationFilter.FAIRTRADE:
            return self.filter(Exists(plots.filter(fairtrade_certified=True)))
        if certification == CertificationFilter.ORGANIC:
            return self.filter(Exists(plots.filter(organic_stage=OrganicStage.ORGANIC)))
        if certification == CertificationFilter.TRANSITION:
            return self.filter(
                Exists(
                    plots.filter(
                        organic_stage__in=[
                            OrganicStage.TRANSITION_1,
                            OrganicStage.TRANSITION_2,
                            OrganicStage.TRANSITION_3,
                        ]
                    )
                )
            )
        if certification == CertificationFilter.NONE:
            return self.exclude(
                Exists(plots.filter(Q(fairtrade_certified=True) | ~Q(organic_stage=OrganicStage.NONE)))
            )
        return self

    def communities(self) -> list[str]:
        return list(
            self.exclude(community="").order_by("community").values_list("community", flat=True).distinct()
        )


class Member(models.Model):
    code = models.CharField(
        _("código"),
        max_length=MEMBER_CODE_MAX,
        unique=True,
        validators=[check_visible_text, member_code_validator],
    )
    dni = models.CharField(_("DNI"), max_length=8, unique=True, validators=[dni_validator])
    name = models.CharField(_("nombres y apellidos"), max_length=200, validators=[check_visible_text])
    sex = models.CharField(_("sexo"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("fecha de nacimiento"), null=True, blank=True)
    # The Alliance sheet gives an age, not a birth date: keep it with its date.
    declared_age = models.PositiveSmallIntegerField(_("edad declarada"), null=True, blank=True)
    declared_age_on = models.DateField(_("edad declarada el"), null=True, blank=True)
    department = models.CharField(_("departamento"), max_length=60, blank=True)
    province = models.CharField(_("provincia"), max_length=60, blank=True)
    district = models.CharField(_("distrito"), max_length=60, blank=True)
    community = models.CharField(_("comunidad / caserío"), max_length=100, blank=True, db_index=True)
    join_date = models.DateField(_("fecha de ingreso"), null=True, blank=True)
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    address = models.CharField(_("dirección"), max_length=200, blank=True)
    # Current status, kept equal to the latest MemberStatusChange by
    # coop.services.change_member_status, so lists can filter on it.
    status = models.CharField(
        _("estado"),
        max_length=12,
        choices=MemberStatus.choices,
        default=MemberStatus.ACTIVE,
        db_index=True,
    )
    search_text = models.CharField(max_length=320, editable=False, db_index=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificado"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"])
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("socio")
        verbose_name_plural = _("socios")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(dni__regex=r"^[0-9]{8}$"), name="member_dni_8_digits"),
            models.CheckConstraint(condition=~Q(name=""), name="member_name_required"),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def save(self, *args, **kwargs):
        self.check_code_change()
        # A derived column, so search stays one indexed LIKE on both databases.
        self.search_text = member_search_text(code=self.code, dni=self.dni, name=self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("coop:member_detail", args=[self.code])

    def code_in_use(self) -> bool:
        """Whether a paper or a record outside the register names this member: a delivery and its
        receipt, a ledger account or movement, an assembly roll entry, a premium share. Found from the
        relations themselves, so the register needs to know none of the apps above it."""
        if self.pk is None:
            return False
        return any(
            relation.related_model.objects.filter(**{relation.field.name: self.pk}).exists()
            for relation in self._meta.related_objects
            if relation.related_model._meta.app_label != self._meta.app_label
            and relation.one_to_many
            and not relation.related_model._meta.abstract
        )

    def check_code_change(self) -> None:
        """Refuse a new code for a member already named by a receipt, the ledger or an assembly roll."""
        if self.pk is None:
            return
        stored = type(self).objects.filter(pk=self.pk).values_list("code", flat=True).first()
        if stored is not None and stored != self.code and self.code_in_use():
            raise ValidationError(
                {
                    "code": _(
                        "El código %(code)s ya figura en recibos, en la contabilidad o en el padrón de "
                        "una asamblea: no se puede cambiar."
                    )
                    % {"code": stored}
                }
            )

    def clean(self):
        super().clean()
        self.check_code_change()

    @property
    def age(self) -> int | None:
        today = date.today()
        if self.birth_date:
            born = self.birth_date
            return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if self.declared_age is not None and self.declared_age_on:
            return self.declared_age + (today - self.declared_age_on).days // 365
        return self.declared_age


class MemberStatusChange(models.Model):
    """One step of a member's status history; never edited, a new row corrects."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("socio")
    )
    status = models.CharField(
        _("estado"),
        max_length=12,
        choices=MemberStatus.choices,
        error_messages={"invalid_choice": _("Estado desconocido.")},
    )
    effective_date = models.DateField(_("fecha"))
    note = models.CharField(_("motivo"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    recorded_at = models.DateTimeField(_("registrado el"), auto_now_add=True)

    class Meta:
        verbose_name = _("cambio de estado")
        verbose_name_plural = _("historial de estados")
        ordering = ["effective_date", "id"]

    def __str__(self):
        return f"{self.member.code}: {self.get_status_display()} ({self.effective_date})"


def area_field(label):
    return models.DecimalField(
        label,
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


class PlotQuerySet(models.QuerySet):
    def fairtrade(self):
        return self.filter(fairtrade_certified=True)


class Plot(models.Model):
    """A parcela as recorded in the Peru Cocoa Alliance traceability sheet."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="plots", verbose_name=_("socio")
    )
    code = models.CharField(
        _("código de parcela"),
        max_length=30,
        unique=True,
        validators=[check_visible_text],
        error_messages=TEXT_TOO_LONG,
    )
    name = models.CharField(
        _("nombre del predio"),
        max_length=120,
        blank=True,
        validators=[check_visible_text],
        error_messages=TEXT_TOO_LONG,
    )
    department = models.CharField(_("departamento"), max_length=60, blank=True, error_messages=TEXT_TOO_LONG)
    province = models.CharField(_("provincia"), max_length=60, blank=True, error_messages=TEXT_TOO_LONG)
    district = models.CharField(_("distrito"), max_length=60, blank=True, error_messages=TEXT_TOO_LONG)
    community = models.CharField(
        _("comunidad / caserío"), max_length=100, blank=True, error_messages=TEXT_TOO_LONG
    )

    temporary_shade_ha = area_field(_("sombra temporal (ha)"))
    cocoa_installed_ha = area_field(_("cacao instalado (ha)"))
    installed_on = models.DateField(_("mes-año de instalación"), null=True, blank=True)
    cocoa_grafted_ha = area_field(_("cacao injertado (ha)"))
    forest_ha = area_field(_("forestales (ha)"))
    georeferenced_ha = area_field(_("georeferenciación (ha)"))
    total_area_ha = area_field(_("área del predio (ha)"))
    cocoa_producing_ha = area_field(_("cacao en producción (ha)"))
    has_title = models.BooleanField(_("título de propiedad"), null=True, blank=True)

    fairtrade_certified = models.BooleanField(_("Comercio Justo"), default=False)
    fairtrade_since = models.DateField(_("Comercio Justo desde"), null=True, blank=True)
    organic_stage = models.CharField(
        _("estado orgánico"), max_length=10, choices=OrganicStage.choices, default=OrganicStage.NONE
    )
    organic_conversion_start = models.DateField(_("inicio de conversión"), null=True, blank=True)
    organic_certified_on = models.DateField(_("orgánico desde"), null=True, blank=True)

    # GeoJSON geometry (WGS84, [longitud, latitud]) exactly as surveyed; checked
    # by coop.geometry before it is stored.
    geometry = models.TextField(_("geolocalización (GeoJSON)"), blank=True)
    geometry_kind = models.CharField(_("tipo de geometría"), max_length=12, blank=True)
    centroid_lat = models.DecimalField(
        _("latitud del centro"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    centroid_lon = models.DecimalField(
        _("longitud del centro"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificado"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcela")
        verbose_name_plural = _("parcelas")
        ordering = ["code"]
        indexes = [
            # The inclusion page adds up each member's plots, areas and titles from this index alone.
            models.Index(fields=["member", "total_area_ha", "has_title"], name="plot_member_area_title"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_area_ha__gte=0) | Q(total_area_ha__isnull=True),
                name="plot_total_area_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cocoa_installed_ha__gte=0) | Q(cocoa_installed_ha__isnull=True),
                name="plot_installed_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cocoa_producing_ha__gte=0) | Q(cocoa_producing_ha__isnull=True),
                name="plot_producing_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.member.name})"

    def clean(self):
        """Row rules shared by the admin form and the import (which calls it too)."""

        from coop.geometry import GeometryError, check_geometry, parse_geojson

        errors = {}
        if (
            self.total_area_ha is not None
            and self.cocoa_installed_ha is not None
            and self.cocoa_installed_ha > self.total_area_ha
        ):
            errors["cocoa_installed_ha"] = _("El cacao instalado no puede ser mayor que el área del predio.")
        if self.geometry:
            try:
                checked = check_geometry(parse_geojson(self.geometry), area_ha=self.total_area_ha)
            except GeometryError as exc:
                errors["geometry"] = str(exc)
            else:
                self.geometry = checked.geojson
                self.geometry_kind = checked.kind
                self.centroid_lat, self.centroid_lon = checked.centroid_lat, checked.centroid_lon
        else:
            self.geometry_kind = ""
            self.centroid_lat = self.centroid_lon = None
        if errors:
            raise ValidationError(errors)

    @property
    def organic_claimable(self) -> bool:
        return self.organic_stage == OrganicStage.ORGANIC

    def fairtrade_on(self, day: date) -> bool:
        return self.fairtrade_certified and (self.fairtrade_since is None or self.fairtrade_since <= day)

    def organic_on(self, day: date) -> bool:
        # In conversion is not organic: only a certified plot's cocoa may be sold as organic.
        return self.organic_stage == OrganicStage.ORGANIC and (
            self.organic_certified_on is None or self.organic_certified_on <= day
        )

    def claim_on(self, day: date) -> str:
        """The certification this plot's cocoa may claim when delivered on ``day``."""
        return Certification.from_flags(fairtrade=self.fairtrade_on(day), organic=self.organic_on(day))

    @property
    def certification_label(self) -> str:
        labels = []
        if self.fairtrade_certified:
            labels.append(str(_("Comercio Justo")))
        if self.organic_stage != OrganicStage.NONE:
            labels.append(self.get_organic_stage_display())
        return " + ".join(labels) or str(_("Convencional"))


# --- Collection (acopio): seasons, centres, price lists, deliveries -------------
# Weights are integer grams so season totals sum exactly on both databases.
# Amounts are integer céntimos, computed by acopio.pricing and posted by acopio.services.


class Season(models.Model):
    """A cocoa season (campaña): the wet-to-dry factor and the yield ceiling it uses."""

    code = models.CharField(_("código"), max_length=12, unique=True)
    name = models.CharField(_("nombre"), max_length=60)
    starts_on = models.DateField(_("inicio"))
    ends_on = models.DateField(_("fin"))
    wet_to_dry_factor = models.DecimalField(
        _("factor baba a seco"),
        max_digits=4,
        decimal_places=3,
        help_text=_("Kilos de cacao seco por kilo de cacao en baba; suele estar entre 0,35 y 0,40."),
    )
    max_yield_kg_per_ha = models.PositiveIntegerField(
        _("rendimiento máximo (kg seco/ha)"),
        help_text=_("Por encima de esto las entregas de un socio se marcan para el control interno."),
    )

    # When the row last changed: the API's updated_since reads it.
    updated_at = models.DateTimeField(_("modificado"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("campaña")
        verbose_name_plural = _("campañas")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="season_ends_after_start"),
            models.CheckConstraint(
                condition=Q(wet_to_dry_factor__gt=0) & Q(wet_to_dry_factor__lte=1),
                name="season_factor_between_0_and_1",
            ),
            models.CheckConstraint(condition=Q(max_yield_kg_per_ha__gt=0), name="season_max_yield_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on:
            overlapping = Season.objects.filter(starts_on__lte=self.ends_on, ends_on__gte=self.starts_on)
            if self.pk:
                overlapping = overlapping.exclude(pk=self.pk)
            if other := overlapping.first():
                raise ValidationError(
                    _("Las fechas se cruzan con la campaña %(name)s.") % {"name": other.name}
                )

    @classmethod
    def on(cls, day: date) -> "Season | None":
        return cls.objects.filter(starts_on__lte=day, ends_on__gte=day).first()

    @classmethod
    def picked(cls, value) -> "Season | None":
        """The season a form's select names by id, or None for a blank or unknown choice."""
        return cls.objects.filter(pk=value).first() if str(value or "").isdigit() else None

    @classmethod
    def chosen(cls, code: str | None) -> tuple[list["Season"], "Season | None"]:
        """Every season, newest first, and the one a page's ?campana= names (the newest if none)."""
        seasons = list(cls.objects.all())
        return seasons, next((s for s in seasons if s.code == code), seasons[0] if seasons else None)


# --- Exports of the register, written in the background ----------------------


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("En cola")
    RUNNING = "running", _("Preparando")
    DONE = "done", _("Listo")
    FAILED = "failed", _("Falló")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (xlsx)")
    CSV = "csv", _("Texto separado por comas (csv)")


class RegisterExportQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])


class RegisterExport(BackgroundProgress, models.Model):
    """The register written as the traceability sheet by a db_worker: 20,000 members take longer than
    a page may. Who asked, how far it got, and the file it left (coop.exports)."""

    format = models.CharField(_("formato"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(
        _("estado"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("socios"), default=0)
    done = models.PositiveIntegerField(_("socios escritos"), default=0)
    filename = models.CharField(_("archivo"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("pedido por")
    )
    requested_at = models.DateTimeField(_("pedido"), auto_now_add=True)
    progress_at = models.DateTimeField(_("último avance"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminó"), null=True, blank=True)

    objects = RegisterExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("exportación del padrón")
        verbose_name_plural = _("exportaciones del padrón")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.get_format_display()} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(self.done * 100 // self.total, 100)
