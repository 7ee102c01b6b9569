"""What certification keeps: the documents Minka issued, who downloaded what, and statement printing runs."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toolkit.background import BackgroundProgress
from toolkit.verification import printed, short_code


class DocumentKind(models.TextChoices):
    MEMBER_STATEMENT = "statement", _("Estado de cuenta del socio")
    FUND_REPORT = "fund", _("Informe del fondo de prima")
    SEASON_REPORT = "season", _("Informe de campaña")

    @property
    def prefix(self) -> str:
        return {"statement": "EC", "fund": "FP", "season": "IC"}[self.value]


class DocumentCounter(models.Model):
    """The last number given to each kind of document, taken under a row lock."""

    kind = models.CharField(max_length=12, choices=DocumentKind.choices, unique=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.kind}: {self.last_number}"


class IssuedDocument(models.Model):
    """One PDF Minka made: its number, what it is about, and the hashes the verification page checks.

    ``content_hash`` is the SHA-256 of the document's data (the CSV attached to
    the PDF/A file) and is printed on the document as its verification code;
    ``file_sha256`` is the hash of the PDF file itself, so an uploaded copy can
    be confirmed byte for byte.
    """

    number = models.CharField(_("número"), max_length=20, unique=True)
    kind = models.CharField(_("tipo"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("título"), max_length=250)
    season = models.ForeignKey(
        "coop.Season",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("campaña"),
    )
    member = models.ForeignKey(
        "coop.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("socio"),
    )
    summary = models.JSONField(
        _("cifras"),
        default=list,
        help_text=_("Pares [etiqueta, valor] que la página de verificación muestra."),
    )
    content_hash = models.CharField(_("código de verificación"), max_length=64)
    file_sha256 = models.CharField(_("SHA-256 del archivo"), max_length=64)
    verification_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    minka_version = models.CharField(_("versión de Minka"), max_length=20)
    issued_at = models.DateTimeField(_("emitido"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("emitido por"),
    )

    class Meta:
        verbose_name = _("documento emitido")
        verbose_name_plural = _("documentos emitidos")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.number} {self.title}"

    @staticmethod
    def paper_code_for(key) -> str:
        """Printed beside the document's number: with both, /verificar/ finds it without the QR."""
        return printed(short_code("document", key))

    @property
    def paper_code(self) -> str:
        return self.paper_code_for(self.verification_key)


class DownloadLog(models.Model):
    """Who downloaded what, and when: every download from the certifier's portal."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("usuario")
    )
    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True)
    what = models.CharField(_("descarga"), max_length=200)
    season = models.ForeignKey(
        "coop.Season",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("campaña"),
    )
    document = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="downloads",
        verbose_name=_("documento"),
    )
    filename = models.CharField(_("archivo"), max_length=200)

    class Meta:
        verbose_name = _("descarga")
        verbose_name_plural = _("descargas")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.user} · {self.filename}"


class PrintStatus(models.TextChoices):
    QUEUED = "queued", _("En cola")
    RUNNING = "running", _("Imprimiendo")
    DONE = "done", _("Terminado")
    FAILED = "failed", _("Falló")


class BackgroundRunQuerySet(models.QuerySet):
    def in_progress(self):
        """Queued or running, whether it is moving or stalled."""
        return self.filter(status__in=[PrintStatus.QUEUED, PrintStatus.RUNNING])


class BackgroundRun(BackgroundProgress, models.Model):
    """Work for a season that a db_worker does in the background: who asked, when, and how it ended."""

    season = models.ForeignKey(
        "coop.Season", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaña")
    )
    status = models.CharField(
        _("estado"), max_length=8, choices=PrintStatus.choices, default=PrintStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("pedido por")
    )
    requested_at = models.DateTimeField(_("pedido"), auto_now_add=True)
    progress_at = models.DateTimeField(_("último avance"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminó"), null=True, blank=True)

    objects = BackgroundRunQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.season} · {self.get_status_display()}"


class StatementRun(BackgroundRun):
    """Printing every member's statement of a season in the background: its progress and its files."""

    total = models.PositiveIntegerField(_("estados de cuenta"), default=0)
    done = models.PositiveIntegerField(_("impresos"), default=0)
    combined_file = models.CharField(_("archivo combinado"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("comenzó"), null=True, blank=True)
    # Each resumption queues new tasks under the next attempt; tasks of an earlier one stop.
    attempt = models.PositiveIntegerField(_("intento"), default=1)
    # The print batches: community, part and number of members of each one-PDF-to-print file.
    batches = models.JSONField(_("lotes de impresión"), default=list, blank=True)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("impresión de estados de cuenta")
        verbose_name_plural = _("impresiones de estados de cuenta")

    @property
    def missing(self) -> int:
        return max(self.total - self.done, 0)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


class AuditPackRun(BackgroundRun):
    """A season's audit pack made in the background (half a million deliveries take about a minute)."""

    filename = models.CharField(_("archivo"), max_length=200, blank=True)
    files = models.PositiveIntegerField(_("archivos en el paquete"), default=0)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("paquete de auditoría")
        verbose_name_plural = _("paquetes de auditoría")


# --- Age bands of the inclusion figures ----------------------------------------------------------


class AgeBand(models.Model):
    """One age band of the inclusion page, set once for the cooperative (certification.services
    .set_age_bands writes them all together). The first band is the one the page calls youth."""

    min_age = models.PositiveSmallIntegerField(_("desde (años)"))
    max_age = models.PositiveSmallIntegerField(_("hasta (años)"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("definido por"),
    )
    set_at = models.DateTimeField(_("definido el"), auto_now_add=True)

    class Meta:
        verbose_name = _("tramo de edad")
        verbose_name_plural = _("tramos de edad")
        ordering = ["min_age"]
        constraints = [
            models.UniqueConstraint(fields=["min_age"], name="age_band_min_once"),
            models.CheckConstraint(
                condition=models.Q(max_age__isnull=True) | models.Q(max_age__gte=models.F("min_age")),
                name="age_band_max_not_below_min",
            ),
        ]

    def __str__(self):
        if self.max_age is None:
            return f"{self.min_age}+"
        return f"{self.min_age}–{self.max_age}"
