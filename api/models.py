"""What the institutions' API keeps: its clients and their keys, every call, and the members' consent.

A key's secret is never stored: only its SHA-256 (an HMAC would add nothing, the secret is 32 random
bytes), beside a short prefix to find it by. The call log and the consent records are append-only
(toolkit.append_only): a withdrawal of consent is a later row, so the history stays.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toolkit.append_only import AppendOnlyModel


class InstitutionKind(models.TextChoices):
    BUYER = "buyer", _("Comprador")
    CERTIFIER = "certifier", _("Certificadora")
    PROGRAMME = "programme", _("Programa público")


class Scope(models.TextChoices):
    REGISTER = "register", _("Padrón (socios y campañas)")
    GEOLOCATION = "geolocation", _("Geolocalización de parcelas")
    TRADE = "trade", _("Comercio (entregas, lotes y contratos)")
    DOCUMENTS = "documents", _("Documentos emitidos")
    FIGURES = "figures", _("Cifras agregadas")


class ApiClient(models.Model):
    """An institution that reads the register: a buyer, a certifier or a public programme."""

    name = models.CharField(_("institución"), max_length=200, unique=True)
    kind = models.CharField(_("tipo de institución"), max_length=12, choices=InstitutionKind.choices)
    # Space-separated Scope values.
    scopes = models.CharField(_("alcances"), max_length=120)
    contact = models.CharField(_("contacto"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrado por")
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("institución cliente de la API")
        verbose_name_plural = _("instituciones clientes de la API")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def scope_list(self) -> list[str]:
        return [scope for scope in Scope.values if scope in self.scopes.split()]

    def scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in self.scope_list]

    @property
    def usable_keys(self) -> int:
        return sum(1 for key in self.keys.all() if key.usable())

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes.split()


class ApiKey(models.Model):
    """One key of a client: ``minka_<prefix>_<secret>``; only the SHA-256 of the whole key is kept."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="keys", verbose_name=_("institución")
    )
    prefix = models.CharField(_("prefijo"), max_length=12, unique=True)
    secret_sha256 = models.CharField(max_length=64, editable=False)
    expires_on = models.DateField(_("vence el"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("emitida por")
    )
    created_at = models.DateTimeField(_("emitida"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revocada el"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("revocada por"),
    )

    class Meta:
        verbose_name = _("clave de API")
        verbose_name_plural = _("claves de API")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"minka_{self.prefix}_…"

    def usable(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and today <= self.expires_on


class ApiCall(AppendOnlyModel):
    """One request to the API, answered or refused (a refused key is logged without a client)."""

    at = models.DateTimeField(_("fecha y hora"), auto_now_add=True, db_index=True)
    client = models.ForeignKey(
        ApiClient,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
        verbose_name=_("institución"),
    )
    key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="calls", verbose_name=_("clave")
    )
    method = models.CharField(_("método"), max_length=8)
    path = models.CharField(_("ruta"), max_length=300)
    query = models.CharField(_("consulta"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("respuesta HTTP"))
    rows = models.PositiveIntegerField(_("filas devueltas"), default=0)
    duration_ms = models.PositiveIntegerField(_("duración (ms)"), default=0)

    class Meta:
        verbose_name = _("llamada a la API")
        verbose_name_plural = _("registro de llamadas a la API")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.method} {self.path} {self.status}"


class PersonalDataRead(AppendOnlyModel):
    """A member whose personal data (name, DNI, birth date, plot geometry) a call returned."""

    call = models.ForeignKey(ApiCall, on_delete=models.PROTECT, related_name="personal_reads")
    member = models.ForeignKey(
        "coop.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("socio")
    )

    class Meta:
        verbose_name = _("lectura de datos personales")
        verbose_name_plural = _("lecturas de datos personales")


class ConsentAction(models.TextChoices):
    GIVEN = "given", _("Otorgado")
    WITHDRAWN = "withdrawn", _("Retirado")


class ConsentHow(models.TextChoices):
    SIGNED_FORM = "form", _("Formulario firmado")
    ASSEMBLY = "assembly", _("En asamblea")


class MemberConsent(AppendOnlyModel):
    """A member's consent (Ley 29733) to share personal data with one kind of institution, given or
    withdrawn on a date; the latest row per member and kind is the one in force."""

    member = models.ForeignKey(
        "coop.Member", on_delete=models.PROTECT, related_name="consents", verbose_name=_("socio")
    )
    kind = models.CharField(_("tipo de institución"), max_length=12, choices=InstitutionKind.choices)
    action = models.CharField(_("consentimiento"), max_length=10, choices=ConsentAction.choices)
    effective_on = models.DateField(_("fecha"))
    how = models.CharField(_("cómo"), max_length=10, choices=ConsentHow.choices)
    note = models.CharField(_("nota"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrado por")
    )
    recorded_at = models.DateTimeField(_("registrado el"), auto_now_add=True, db_index=True)

    append_only_message = _(
        "Un consentimiento no se cambia ni se borra: registre su retiro con una fila nueva."
    )

    class Meta:
        verbose_name = _("consentimiento de datos personales")
        verbose_name_plural = _("consentimientos de datos personales")
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.member_id} {self.kind} {self.action} {self.effective_on}"
