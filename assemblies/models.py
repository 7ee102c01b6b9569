"""General assemblies: the statute's rule sets, the frozen roll, attendance, motions and votes.

History is kept, never rewritten: a rule set in use does not change (a new
version replaces it), the roll is frozen when the assembly is convened,
check-ins and proxies are events (a mistake is undone by a new event), tallies
are corrected by a new tally that names its reason, and a published result is
final. Every write goes through assemblies.services.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assemblies.rules import Base, ElectionRule, Majority, MajorityRule, Threshold
from fund.models import PremiumCategory
from toolkit.append_only import AppendOnlyError, AppendOnlyModel
from toolkit.background import BackgroundProgress
from toolkit.verification import printed, short_code


def _who(label):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
    )


class BaseChoice(models.TextChoices):
    CAST = Base.CAST, _("votos emitidos")
    PRESENT = Base.PRESENT, _("socios presentes y representados")


class RuleSet(models.Model):
    """One version of the statute's rules for assemblies; frozen once an assembly uses it."""

    name = models.CharField(_("nombre"), max_length=120, help_text=_("Por ejemplo: Estatuto reformado 2024."))
    version = models.PositiveSmallIntegerField(_("versión"), default=1)
    valid_from = models.DateField(_("vigente desde"))
    statute_reference = models.CharField(_("artículos del estatuto"), max_length=200, blank=True)
    # Who is in good standing on the cut-off date.
    suspended_may_vote = models.BooleanField(_("los socios suspendidos votan"), default=False)
    min_membership_days = models.PositiveIntegerField(
        _("antigüedad mínima (días)"),
        default=0,
        help_text=_("Días como socio antes de la fecha de corte. 0: sin mínimo."),
    )
    min_delivered_kg = models.PositiveIntegerField(
        _("entregas mínimas (kg equivalente seco)"),
        null=True,
        blank=True,
        help_text=_("En los 12 meses antes de la fecha de corte. Vacío: sin mínimo."),
    )
    uses_delegates = models.BooleanField(
        _("asamblea de delegados"),
        default=False,
        help_text=_(
            "El padrón son los delegados elegidos por zona con mandato vigente en la fecha de corte."
        ),
    )
    # Quorum: a fraction of the roll ("more than" or "at least"), or a fixed number of members.
    first_call_numerator = models.PositiveSmallIntegerField(
        _("quórum 1.ª convocatoria: numerador"), default=1
    )
    first_call_denominator = models.PositiveSmallIntegerField(
        _("quórum 1.ª convocatoria: denominador"), default=2
    )
    first_call_strict = models.BooleanField(
        _("quórum 1.ª convocatoria: «más de» (no «al menos»)"), default=True
    )
    first_call_fixed = models.PositiveIntegerField(
        _("quórum 1.ª convocatoria: número fijo de socios"), null=True, blank=True
    )
    second_call_numerator = models.PositiveSmallIntegerField(
        _("quórum 2.ª convocatoria: numerador"), default=1
    )
    second_call_denominator = models.PositiveSmallIntegerField(
        _("quórum 2.ª convocatoria: denominador"), default=4
    )
    second_call_strict = models.BooleanField(
        _("quórum 2.ª convocatoria: «más de» (no «al menos»)"), default=False
    )
    second_call_fixed = models.PositiveIntegerField(
        _("quórum 2.ª convocatoria: número fijo de socios"), null=True, blank=True
    )
    # Proxies (poderes).
    proxies_allowed = models.BooleanField(_("se admiten poderes"), default=True)
    max_proxies_per_holder = models.PositiveSmallIntegerField(_("poderes por socio, como máximo"), default=1)
    # Majorities.
    absolute_base = models.CharField(
        _("base de la mayoría absoluta"), max_length=8, choices=BaseChoice.choices, default=Base.CAST
    )
    qualified_numerator = models.PositiveSmallIntegerField(_("mayoría calificada: numerador"), default=2)
    qualified_denominator = models.PositiveSmallIntegerField(_("mayoría calificada: denominador"), default=3)
    qualified_base = models.CharField(
        _("base de la mayoría calificada"), max_length=8, choices=BaseChoice.choices, default=Base.CAST
    )
    abstentions_in_base = models.BooleanField(
        _("las abstenciones cuentan como votos emitidos"),
        default=False,
        help_text=_(
            "Si cuentan, suben la base de la mayoría absoluta y calificada (pesan como votos en contra)."
        ),
    )
    blank_in_base = models.BooleanField(_("los votos en blanco cuentan como votos emitidos"), default=False)
    # Elections.
    vote_per_seat = models.BooleanField(
        _("un voto por cargo"),
        default=False,
        help_text=_(
            "En una elección de varios cargos cada socio marca hasta un candidato por cargo (nunca dos "
            "veces el mismo). Sin marcar: un solo candidato por cédula."
        ),
    )
    candidates_from_register = models.BooleanField(
        _("candidatos del registro"),
        default=False,
        help_text=_(
            "Los candidatos pueden ser socios hábiles del registro aunque no estén en el padrón. "
            "Sin marcar: solo socios del padrón de la asamblea."
        ),
    )
    office_term_years = models.PositiveSmallIntegerField(_("mandato de los cargos (años)"), default=2)
    created_by = _who(_("registrado por"))
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("reglamento de asambleas")
        verbose_name_plural = _("reglamentos de asambleas")
        ordering = ["-valid_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="ruleset_name_version_unique"),
            models.CheckConstraint(
                condition=Q(
                    first_call_denominator__gt=0, second_call_denominator__gt=0, qualified_denominator__gt=0
                ),
                name="ruleset_denominators_positive",
            ),
            models.CheckConstraint(
                condition=Q(first_call_numerator__lte=models.F("first_call_denominator"))
                & Q(second_call_numerator__lte=models.F("second_call_denominator"))
                & Q(qualified_numerator__lte=models.F("qualified_denominator")),
                name="ruleset_fractions_at_most_one",
            ),
            models.CheckConstraint(
                condition=Q(max_proxies_per_holder__gte=0), name="ruleset_proxies_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(office_term_years__gte=1), name="ruleset_office_term_positive"
            ),
        ]

    def __str__(self):
        return gettext("%(name)s (v%(version)s, desde %(valid_from)s)") % {
            "name": self.name,
            "version": self.version,
            "valid_from": self.valid_from.strftime("%d/%m/%Y"),
        }

    def save(self, *args, **kwargs):
        if not self._state.adding and self.in_use:
            raise AppendOnlyError(
                gettext("Este reglamento ya rige una asamblea convocada: registre una versión nueva.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.in_use:
            raise AppendOnlyError(gettext("Este reglamento ya rige una asamblea convocada: no se borra."))
        return super().delete(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        for prefix in ("first_call", "second_call", "qualified"):
            num, den = getattr(self, f"{prefix}_numerator"), getattr(self, f"{prefix}_denominator")
            if not den:
                errors[f"{prefix}_denominator"] = _("El denominador debe ser mayor que cero.")
            elif num > den:
                errors[f"{prefix}_numerator"] = _(
                    "La fracción no puede pasar de la totalidad (numerador ≤ denominador)."
                )
        if self.qualified_denominator and self.qualified_numerator * 2 <= self.qualified_denominator:
            errors["qualified_numerator"] = _(
                "La mayoría calificada debe ser mayor que la mitad (por ejemplo 2/3)."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def in_use(self) -> bool:
        return self.pk is not None and Assembly.objects.filter(rule_set_id=self.pk).exists()

    def quorum(self, call: str) -> Threshold:
        prefix = "first_call" if call == Call.FIRST else "second_call"
        return Threshold(
            getattr(self, f"{prefix}_numerator"),
            getattr(self, f"{prefix}_denominator"),
            getattr(self, f"{prefix}_strict"),
            getattr(self, f"{prefix}_fixed"),
        )

    def election(self) -> ElectionRule:
        return ElectionRule(
            vote_per_seat=self.vote_per_seat,
            candidates_from_register=self.candidates_from_register,
            term_years=self.office_term_years,
        )

    def majority(self, kind: str) -> MajorityRule:
        counting = {"abstentions_in_base": self.abstentions_in_base, "blank_in_base": self.blank_in_base}
        if kind == Majority.ABSOLUTE:
            return MajorityRule(kind, self.absolute_base, Threshold(1, 2, strict=True), **counting)
        if kind == Majority.QUALIFIED:
            return MajorityRule(
                kind,
                self.qualified_base,
                Threshold(self.qualified_numerator, self.qualified_denominator, strict=False),
                **counting,
            )
        return MajorityRule(Majority.SIMPLE, **counting)


class Delegate(models.Model):
    """A member elected delegate of a zone, for cooperatives that hold assemblies of delegates."""

    member = models.ForeignKey(
        "coop.Member", on_delete=models.PROTECT, related_name="delegations", verbose_name=_("socio")
    )
    zone = models.CharField(_("zona"), max_length=100)
    elected_on = models.DateField(_("elegido el"))
    term_ends_on = models.DateField(_("mandato hasta"))

    class Meta:
        verbose_name = _("delegado")
        verbose_name_plural = _("delegados")
        ordering = ["zone", "member__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_ends_on__gt=models.F("elected_on")), name="delegate_term_after_election"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.zone}"


class AssemblyKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinaria")
    EXTRAORDINARY = "extraordinary", _("Extraordinaria")


class AssemblyMode(models.TextChoices):
    IN_PERSON = "in_person", _("Presencial")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Mixta (presencial y virtual)")


class AssemblyStatus(models.TextChoices):
    CONVENED = "convened", _("Convocada")
    IN_SESSION = "in_session", _("En sesión")
    CLOSED = "closed", _("Cerrada")


class Call(models.TextChoices):
    FIRST = "first", _("primera convocatoria")
    SECOND = "second", _("segunda convocatoria")


# Minutes are numbered by their assembly: AG-000012 (Asamblea General).
MINUTES_PREFIX = "AG"


class Assembly(models.Model):
    kind = models.CharField(_("tipo"), max_length=14, choices=AssemblyKind.choices)
    mode = models.CharField(_("modalidad"), max_length=10, choices=AssemblyMode.choices)
    place = models.CharField(_("lugar"), max_length=200, blank=True)
    link = models.URLField(_("enlace de la sesión virtual"), blank=True)
    first_call_at = models.DateTimeField(_("primera convocatoria"))
    second_call_at = models.DateTimeField(_("segunda convocatoria"))
    agenda = models.TextField(_("agenda"))
    cutoff_date = models.DateField(_("fecha de corte del padrón"))
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="assemblies", verbose_name=_("reglamento")
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=AssemblyStatus.choices, default=AssemblyStatus.CONVENED
    )
    roll_size = models.PositiveIntegerField(_("socios en el padrón"))
    convened_on = models.DateField(_("fecha de la convocatoria"))
    convened_by = _who(_("convocada por"))
    convened_at = models.DateTimeField(_("registrada el"), auto_now_add=True)
    # Recorded when the session opens: the quorum the minutes will show.
    opened_at = models.DateTimeField(_("sesión abierta el"), null=True, blank=True)
    opened_on_call = models.CharField(_("abierta en"), max_length=6, choices=Call.choices, blank=True)
    quorum_present = models.PositiveIntegerField(_("presentes al abrir"), null=True, blank=True)
    quorum_represented = models.PositiveIntegerField(_("representados al abrir"), null=True, blank=True)
    # Of ``quorum_present``, how many took part from home (a virtual or hybrid assembly).
    quorum_virtual = models.PositiveIntegerField(
        _("presentes en forma virtual al abrir"), null=True, blank=True
    )
    quorum_needed = models.PositiveIntegerField(_("quórum exigido"), null=True, blank=True)
    opened_by = _who(_("abierta por"))
    closed_at = models.DateTimeField(_("cerrada el"), null=True, blank=True)
    closed_by = _who(_("cerrada por"))
    minutes_hash = models.CharField(_("código de verificación del acta"), max_length=64, blank=True)
    verification_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("asamblea general")
        verbose_name_plural = _("asambleas generales")
        ordering = ["-first_call_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(second_call_at__gt=models.F("first_call_at")),
                name="assembly_second_call_after_first",
            ),
            models.CheckConstraint(condition=~Q(agenda=""), name="assembly_agenda_required"),
        ]

    def __str__(self):
        return gettext("Asamblea General %(kind)s del %(date)s") % {
            "kind": self.get_kind_display(),
            "date": self.first_call_at.strftime("%d/%m/%Y"),
        }

    def get_absolute_url(self):
        return reverse("assemblies:assembly_detail", args=[self.pk])

    @property
    def minutes_number(self) -> str:
        """The minutes' number, printed on them with their short code for /verificar/."""
        return f"{MINUTES_PREFIX}-{self.pk:06d}"

    @property
    def paper_code(self) -> str:
        return printed(short_code("minutes", self.verification_key))

    @property
    def title(self) -> str:
        return str(self)

    @property
    def takes_part_from_home(self) -> bool:
        """A virtual or hybrid assembly: members may attend and vote from home with a code."""
        return self.mode in (AssemblyMode.VIRTUAL, AssemblyMode.HYBRID)

    @property
    def quorum_attending(self) -> int | None:
        if self.quorum_present is None:
            return None
        return self.quorum_present + (self.quorum_represented or 0)


class RollEntry(AppendOnlyModel):
    """A member on an assembly's voter roll, as the register stood on the cut-off date."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="roll")
    member = models.ForeignKey("coop.Member", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("n.º"))
    code = models.CharField(_("código"), max_length=20)
    dni = models.CharField(_("DNI"), max_length=8)
    name = models.CharField(_("nombres y apellidos"), max_length=200)
    community = models.CharField(_("comunidad"), max_length=100, blank=True)
    zone = models.CharField(_("zona (delegado)"), max_length=100, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("socio del padrón")
        verbose_name_plural = _("padrón de la asamblea")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="roll_member_once"),
            models.UniqueConstraint(fields=["assembly", "position"], name="roll_position_once"),
        ]
        indexes = [models.Index(fields=["assembly", "code"]), models.Index(fields=["assembly", "dni"])]

    def __str__(self):
        return f"{self.code} · {self.name}"


class AttendanceKind(models.TextChoices):
    CHECK_IN = "check_in", _("Asistencia registrada")
    VIRTUAL = "virtual", _("Asistencia virtual registrada")
    PROXY = "proxy", _("Poder registrado")
    UNDONE = "undone", _("Registro anulado")


class AttendanceEvent(AppendOnlyModel):
    """What happened at the registration desk; a mistake is undone by a later ``undone`` event."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="attendance_events")
    kind = models.CharField(_("suceso"), max_length=10, choices=AttendanceKind.choices)
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("socio"))
    holder = models.ForeignKey(
        RollEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("apoderado"),
    )
    letter = models.CharField(_("carta poder"), max_length=120, blank=True)
    undoes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="undone_by",
        verbose_name=_("anula"),
    )
    reason = models.CharField(_("motivo"), max_length=300, blank=True)
    recorded_by = _who(_("registrado por"))
    recorded_at = models.DateTimeField(_("hora"), auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("suceso de asistencia")
        verbose_name_plural = _("sucesos de asistencia")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="proxy") | (Q(holder__isnull=False) & ~Q(letter="")),
                name="attendance_proxy_has_holder_and_letter",
            ),
            models.CheckConstraint(
                condition=~Q(kind="undone") | (Q(undoes__isnull=False) & ~Q(reason="")),
                name="attendance_undo_has_event_and_reason",
            ),
        ]


class PresenceKind(models.TextChoices):
    PRESENT = "present", _("Presente")
    VIRTUAL = "virtual", _("Presente en forma virtual")
    REPRESENTED = "represented", _("Representado")


class Presence(models.Model):
    """Who is in the room now: one row per attending member, kept by the attendance events.

    The events are the history; this table is their current state, so the
    quorum is a count and the database itself refuses a member attending twice.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="presences")
    entry = models.OneToOneField(RollEntry, on_delete=models.PROTECT, related_name="presence")
    kind = models.CharField(max_length=12, choices=PresenceKind.choices)
    holder = models.ForeignKey(
        RollEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="proxies_held"
    )
    event = models.OneToOneField(AttendanceEvent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["present", "virtual"]) & Q(holder__isnull=True))
                | (Q(kind="represented") & Q(holder__isnull=False)),
                name="presence_holder_only_when_represented",
            ),
        ]
        indexes = [models.Index(fields=["assembly", "kind"])]

    def __str__(self):
        return f"{self.entry} · {self.get_kind_display()}"


class OfficeKind(models.TextChoices):
    ADMINISTRATION = "admin", _("Consejo de Administración")
    OVERSIGHT = "oversight", _("Consejo de Vigilancia")
    COMMITTEE = "committee", _("Comité")
    DELEGATE = "delegate", _("Delegado")


class MotionKind(models.TextChoices):
    RESOLUTION = "resolution", _("Acuerdo")
    ELECTION = "election", _("Elección")
    BUDGET = "budget", _("Presupuesto de la prima (Plan de Desarrollo)")


class MajorityChoice(models.TextChoices):
    SIMPLE = Majority.SIMPLE, _("Mayoría simple")
    ABSOLUTE = Majority.ABSOLUTE, _("Mayoría absoluta")
    QUALIFIED = Majority.QUALIFIED, _("Mayoría calificada")


class VotingMethod(models.TextChoices):
    HANDS = "hands", _("A mano alzada")
    PAPER = "paper", _("Cédulas en ánfora (voto secreto)")
    ELECTRONIC = "electronic", _("Voto electrónico individual")


class MotionStatus(models.TextChoices):
    DRAFT = "draft", _("Borrador")
    OPEN = "open", _("Votación abierta")
    COUNTING = "counting", _("En escrutinio")
    PUBLISHED = "published", _("Resultado publicado")
    CANCELLED = "cancelled", _("Retirada")


class Motion(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="motions")
    number = models.PositiveSmallIntegerField(_("n.º"))
    kind = models.CharField(_("tipo"), max_length=10, choices=MotionKind.choices)
    title = models.CharField(_("título"), max_length=200)
    text = models.TextField(_("texto de la propuesta"), blank=True)
    majority = models.CharField(_("mayoría"), max_length=10, choices=MajorityChoice.choices)
    method = models.CharField(_("forma de votación"), max_length=10, choices=VotingMethod.choices)
    secret = models.BooleanField(_("voto secreto"), default=False)
    seats = models.PositiveSmallIntegerField(_("cargos a elegir"), default=1)
    # What an election fills: publishing its result records the elected as offices (blank: none, as
    # for elections drafted before offices were records).
    office_kind = models.CharField(
        _("cargo que se elige"), max_length=12, choices=OfficeKind.choices, blank=True
    )
    office_name = models.CharField(_("nombre del comité"), max_length=120, blank=True)
    season = models.ForeignKey(
        "coop.Season",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("campaña del plan"),
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=MotionStatus.choices, default=MotionStatus.DRAFT
    )
    attending_at_open = models.PositiveIntegerField(
        _("presentes y representados al abrir la votación"), null=True, blank=True
    )
    # Paper ballots handed out for the whole vote; the boxes' ballots must add up to it.
    ballots_issued = models.PositiveIntegerField(_("cédulas entregadas en total"), null=True, blank=True)
    # Who could have voted when the voting closed: the «de Y» of «votaron X de Y».
    attending_at_close = models.PositiveIntegerField(
        _("presentes y representados al cerrar la votación"), null=True, blank=True
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = _who(_("votación abierta por"))
    counting_at = models.DateTimeField(null=True, blank=True)
    voting_closed_by = _who(_("votación cerrada por"))
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = _who(_("publicado por"))
    # The result as published: final.
    result_base = models.PositiveIntegerField(null=True, blank=True)
    result_needed = models.PositiveIntegerField(null=True, blank=True)
    approved = models.BooleanField(null=True, blank=True)
    result_text = models.TextField(_("resultado"), blank=True)
    cancelled_reason = models.CharField(_("motivo del retiro"), max_length=300, blank=True)
    cancelled_by = _who(_("retirada por"))
    # What an approved budget motion authorized in the premium fund.
    authorization = models.OneToOneField(
        "fund.PremiumAuthorization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motion",
        verbose_name=_("autorización del fondo de prima"),
    )
    created_by = _who(_("propuesta registrada por"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("moción")
        verbose_name_plural = _("mociones")
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="motion_number_once"),
            models.CheckConstraint(condition=~Q(title=""), name="motion_title_required"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="motion_seats_positive"),
            models.CheckConstraint(
                condition=~Q(kind="budget") | Q(season__isnull=False), name="motion_budget_has_season"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("assemblies:motion_detail", args=[self.assembly_id, self.number])

    @property
    def is_final(self) -> bool:
        return self.status in (MotionStatus.PUBLISHED, MotionStatus.CANCELLED)

    @property
    def marks_allowed(self) -> int:
        """Candidates a ballot may mark: one, or one per seat when the statute says so."""
        if self.kind != MotionKind.ELECTION:
            return 1
        return self.assembly.rule_set.election().marks_allowed(self.seats)

    @property
    def marks_rule(self) -> str:
        """The statute's rule for this ballot, in words (the ballot and the refusals say it)."""
        return self.assembly.rule_set.election().describe_marks(self.seats)

    @property
    def candidate_options(self):
        return [o for o in self.options.all() if o.kind == OptionKind.CANDIDATE]

    @property
    def other_options(self):
        return [o for o in self.options.all() if o.kind != OptionKind.CANDIDATE]


class OptionKind(models.TextChoices):
    YES = "yes", _("A favor")
    NO = "no", _("En contra")
    ABSTAIN = "abstain", _("Abstención")
    BLANK = "blank", _("En blanco")
    CANDIDATE = "candidate", _("Candidato")


class MotionOption(models.Model):
    """What a voter may choose: yes/no/abstain (and blank on paper), or one candidate."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=OptionKind.choices)
    label = models.CharField(_("opción"), max_length=200)
    # The member a candidate option stands for (null: a yes/no option, or a candidate written as
    # free text before candidates were members).
    member = models.ForeignKey(
        "coop.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("socio"),
    )
    votes = models.PositiveIntegerField(_("votos"), null=True, blank=True)  # set once, when published
    elected = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["motion", "position"]
        constraints = [models.UniqueConstraint(fields=["motion", "position"], name="option_position_once")]

    def __str__(self):
        return self.label

    @property
    def shown(self) -> str:
        """The option as a page shows it: a candidate's name, or for/against/abstain/blank in the
        reader's language (``label`` keeps the words written when the motion was drafted)."""
        return self.label if self.kind == OptionKind.CANDIDATE else self.get_kind_display()


class MotionBudgetLine(models.Model):
    """A Development Plan activity a budget motion attaches, as drafted on the fund page; approving the
    motion authorizes exactly that activity. The words and amount are copied as the assembly saw them
    (the minutes keep them): if the draft changes before the result is published, nothing is authorized.
    """

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="budget_lines")
    purpose = models.CharField(_("finalidad"), max_length=200)
    category = models.CharField(_("categoría"), max_length=12, choices=PremiumCategory.choices)
    amount_minor = models.BigIntegerField(_("monto (céntimos)"))
    # The drafted activity. A withdrawn or rejected motion leaves it a draft another motion may attach.
    line = models.ForeignKey(
        "fund.BudgetLine", null=True, blank=True, on_delete=models.PROTECT, related_name="motion_lines"
    )

    class Meta:
        ordering = ["motion", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="motion_line_amount_positive"),
            models.UniqueConstraint(fields=["motion", "line"], name="motion_line_once"),
        ]

    def __str__(self):
        return self.purpose


class TallyRecord(AppendOnlyModel):
    """A count entered by the tellers: a show of hands, or one ballot box. A correction is a new record."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="tallies")
    box = models.CharField(_("ánfora"), max_length=40, blank=True)  # blank for a show of hands
    ballots_issued = models.PositiveIntegerField(_("cédulas entregadas"), null=True, blank=True)
    spoiled = models.PositiveIntegerField(_("votos nulos"), null=True, blank=True)  # paper only
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    reason = models.CharField(_("motivo de la corrección"), max_length=300, blank=True)
    entered_by = _who(_("registrado por"))
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["motion", "box", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(reason=""), name="tally_correction_has_reason"
            ),
        ]


class TallyCount(AppendOnlyModel):
    """One option's votes in a tally record."""

    record = models.ForeignKey(TallyRecord, on_delete=models.PROTECT, related_name="counts")
    option = models.ForeignKey(MotionOption, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta(AppendOnlyModel.Meta):
        constraints = [models.UniqueConstraint(fields=["record", "option"], name="tally_option_once")]


class BallotCast(AppendOnlyModel):
    """Who voted electronically (and through whom). In a secret vote it does not say what."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="casts")
    voter = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(
        MotionOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = _who(_("mesa"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Cast by the member from home (assemblies.remote), with no «mesa».
    remote = models.BooleanField(_("desde su casa"), default=False)

    class Meta(AppendOnlyModel.Meta):
        constraints = [models.UniqueConstraint(fields=["motion", "voter"], name="ballot_one_per_voter")]


class Ballot(AppendOnlyModel):
    """One anonymous ballot of an electronic vote: no voter, no time, a random key.

    In a secret vote the ballots are written only when the voting closes, from the
    ``BallotCounter`` rows, in one batch grouped by option, their keys sorted in the same order:
    neither their order, their keys nor their transaction say anything but the totals. (Secret
    votes cast before migration 0005 wrote one here with each vote; they stay as they are.)
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballots")
    option = models.ForeignKey(MotionOption, on_delete=models.PROTECT, related_name="+")

    class Meta(AppendOnlyModel.Meta):
        indexes = [models.Index(fields=["motion", "option"])]


class BallotCounter(models.Model):
    """The running count of one option in a secret electronic vote: the choice, kept apart from who cast it.

    Created, one per option, when the voting opens; every vote then updates every option's row
    in place (adding 1 to the chosen one and 0 to the others), so no row is added per vote and
    every row carries the same last writer: neither row order, keys, times nor the database's
    transaction id tie a voter (``BallotCast``) to a choice. Written only by the services (made by
    ``open_motion``, counted by ``cast_ballot``).
    """

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="counters")
    option = models.OneToOneField(MotionOption, on_delete=models.PROTECT, related_name="counter")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["motion", "option__position"]
        constraints = [models.CheckConstraint(condition=Q(count__gte=0), name="ballot_counter_not_negative")]

    def __str__(self):
        return f"{self.option} · {self.count}"


class Booth(models.Model):
    """A device turned into a voting booth for one assembly: it shows only the ballot of the open motion.

    The browser holds a signed token naming the booth (its cookie); the board opens the booth, the
    desk unlocks it for one voter at a time, and closing the assembly closes every booth.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="booths")
    number = models.PositiveSmallIntegerField(_("cabina n.º"))
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    opened_by = _who(_("abierta por"))
    opened_at = models.DateTimeField(_("abierta el"), auto_now_add=True)
    closed_at = models.DateTimeField(_("cerrada el"), null=True, blank=True)
    closed_by = _who(_("cerrada por"))

    class Meta:
        verbose_name = _("cabina de votación")
        verbose_name_plural = _("cabinas de votación")
        ordering = ["assembly", "number"]
        constraints = [models.UniqueConstraint(fields=["assembly", "number"], name="booth_number_once")]

    def __str__(self):
        return gettext("Cabina %(number)d") % {"number": self.number}

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class BoothUnlock(models.Model):
    """The desk let one voter into a booth for one motion. It says who votes (and through whom), never
    what (in a secret vote the choice goes only to the counters). Once per voter and motion, unless the desk
    withdrew the unlock before the vote."""

    booth = models.ForeignKey(Booth, on_delete=models.PROTECT, related_name="unlocks")
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="unlocks")
    voter = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("socio"))
    cast_by = models.ForeignKey(
        RollEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("vota en la cabina")
    )
    unlocked_by = _who(_("mesa"))
    unlocked_at = models.DateTimeField(_("desbloqueada el"), auto_now_add=True)
    used = models.BooleanField(_("votó"), default=False)
    withdrawn_at = models.DateTimeField(_("retirada el"), null=True, blank=True)
    withdrawn_by = _who(_("retirada por"))
    withdrawn_reason = models.CharField(_("motivo"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("desbloqueo de cabina")
        verbose_name_plural = _("desbloqueos de cabina")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "voter"],
                condition=Q(withdrawn_at__isnull=True),
                name="booth_unlock_once_per_voter",
            ),
            models.UniqueConstraint(
                fields=["booth"],
                condition=Q(withdrawn_at__isnull=True, used=False),
                name="booth_one_voter_at_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.booth} · {self.voter}"

    @property
    def waiting(self) -> bool:
        return not self.used and self.withdrawn_at is None


class KeptMinutes(models.Model):
    """The minutes of a closed assembly, kept: their facts and hash fixed once at closing, and the PDF in
    the cooperative's language, rendered once in the background (assemblies.kept) with its SHA-256.

    The facts never change after closing, so pages read them here instead of recomputing them from
    thousands of attendance rows; the PDF is served from its file only while its SHA-256 still matches.
    """

    assembly = models.OneToOneField(
        Assembly, on_delete=models.PROTECT, related_name="kept_minutes", verbose_name=_("asamblea")
    )
    facts = models.JSONField(_("hechos del acta"))
    facts_hash = models.CharField(_("código de verificación del acta"), max_length=64)
    language = models.CharField(_("idioma"), max_length=10)
    queued_at = models.DateTimeField(_("encargada el"))
    pdf_file = models.CharField(_("archivo del acta"), max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 del PDF"), max_length=64, blank=True)
    made_at = models.DateTimeField(_("preparada el"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("acta guardada")
        verbose_name_plural = _("actas guardadas")

    def __str__(self):
        return str(self.assembly)

    @property
    def ready(self) -> bool:
        return bool(self.pdf_file and self.pdf_sha256)


class RemoteCode(models.Model):
    """A member's one-time voting code for one virtual or hybrid assembly, stored only as its HMAC.

    With it and their DNI the member signs in at ``/asamblea-virtual/`` (assemblies.remote). Each
    sign-in draws a new ``session_key``, which the browser's signed cookie carries: a second sign-in
    ends the first browser's session. A code given again (a lost letter) replaces the earlier one.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="remote_codes")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("socio"))
    code_hash = models.CharField(_("código (HMAC)"), max_length=64)
    issued_by = _who(_("generado por"))
    issued_at = models.DateTimeField(_("generado el"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("reemplazado el"), null=True, blank=True)
    session_key = models.UUIDField(null=True, blank=True, editable=False)
    signed_in_at = models.DateTimeField(_("último ingreso"), null=True, blank=True)

    class Meta:
        verbose_name = _("código de voto a distancia")
        verbose_name_plural = _("códigos de voto a distancia")
        ordering = ["assembly", "entry__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(replaced_at__isnull=True), name="remote_code_one_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.entry} · {self.assembly_id}"


class Office(models.Model):
    """A member holding an elected office from ``starts_on`` to ``ends_on`` (both days included).

    ``ends_on`` is the end of the term; an office ended early (resignation, replacement) keeps the
    day it ended and the reason. Written only by assemblies.services: publishing an election records
    the elected, the board records others (a replacement) and ends them early.
    """

    member = models.ForeignKey(
        "coop.Member", on_delete=models.PROTECT, related_name="offices", verbose_name=_("socio")
    )
    kind = models.CharField(_("cargo"), max_length=12, choices=OfficeKind.choices)
    name = models.CharField(_("nombre del comité"), max_length=120, blank=True)
    starts_on = models.DateField(_("desde"))
    ends_on = models.DateField(_("hasta"))
    motion = models.ForeignKey(
        Motion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offices",
        verbose_name=_("elegido en"),
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reemplaza a"),
    )
    ended_early_reason = models.CharField(_("motivo del cese"), max_length=200, blank=True)
    ended_by = _who(_("cese registrado por"))
    created_by = _who(_("registrado por"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cargo directivo")
        verbose_name_plural = _("cargos directivos")
        ordering = ["kind", "name", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="office_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(kind="committee") | ~Q(name=""), name="office_committee_named"
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.title} · {self.member}"

    @property
    def title(self) -> str:
        if self.kind == OfficeKind.COMMITTEE:
            return gettext("Comité %(name)s") % {"name": self.name}
        if self.name:
            return f"{self.get_kind_display()} · {self.name}"
        return self.get_kind_display()


class LetterStatus(models.TextChoices):
    QUEUED = "queued", _("En cola")
    RUNNING = "running", _("Preparando")
    DONE = "done", _("Listo")
    FAILED = "failed", _("Falló")


class LetterRun(BackgroundProgress, models.Model):
    """The voting-code letters (PDF) and SMS texts (CSV) of the members on the roll without a code,
    made in the background (assemblies.letters): which members, its progress, and the ZIP kept.

    The codes are made by the task, in the same attempt that writes the file; a failed or stopped
    attempt is made again with new codes for the same members (nobody saw the earlier ones)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="letter_runs")
    entry_ids = models.JSONField(_("socios del padrón"), default=list)
    status = models.CharField(
        _("estado"), max_length=8, choices=LetterStatus.choices, default=LetterStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("cartas"), default=0)
    done = models.PositiveIntegerField(_("cartas hechas"), default=0)
    attempt = models.PositiveIntegerField(_("intento"), default=1)
    filename = models.CharField(_("archivo"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("pedido por")
    )
    requested_at = models.DateTimeField(_("pedido"), auto_now_add=True)
    progress_at = models.DateTimeField(_("último avance"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminó"), null=True, blank=True)

    class Meta:
        verbose_name = _("cartas con códigos de voto")
        verbose_name_plural = _("cartas con códigos de voto")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.assembly} · {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
