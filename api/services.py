"""Writes of the institutions' API: clients, keys, the call log, the members' consent."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import keys
from api.models import (
    ApiCall,
    ApiClient,
    ApiKey,
    ConsentAction,
    ConsentHow,
    InstitutionKind,
    MemberConsent,
    PersonalDataRead,
    Scope,
)
from api.selectors import consent_in_force


@dataclass
class IssuedKey:
    key: ApiKey
    secret: str  # the whole key, shown once and never stored


@transaction.atomic
def create_client(*, name: str, kind: str, scopes: list[str], contact: str = "", user) -> ApiClient:
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = _("Escriba el nombre de la institución.")
    elif ApiClient.objects.filter(name__iexact=name).exists():
        errors["name"] = _("Ya existe una institución llamada %(name)s.") % {"name": name}
    if kind not in InstitutionKind.values:
        errors["kind"] = _("Elija el tipo de institución.")
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if not scopes or unknown:
        errors["scopes"] = _("Elija al menos un alcance de la lista.")
    if errors:
        raise ValidationError(errors)
    return ApiClient.objects.create(
        name=name,
        kind=kind,
        scopes=" ".join(scope for scope in Scope.values if scope in scopes),
        contact=contact.strip(),
        created_by=user,
    )


@transaction.atomic
def issue_key(*, client: ApiClient, expires_on: date, user) -> IssuedKey:
    """A new key for ``client``; its whole text is returned once, only its SHA-256 is kept."""
    if expires_on is None:
        raise ValidationError({"expires_on": _("Escriba la fecha de vencimiento (dd/mm/aaaa).")})
    if expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("La fecha de vencimiento debe ser posterior a hoy.")})
    if (expires_on - timezone.localdate()).days > 3 * 366:
        raise ValidationError({"expires_on": _("Una clave vence como máximo en tres años.")})
    prefix, secret = keys.new_key()
    while ApiKey.objects.filter(prefix=prefix).exists():  # 4 random bytes: a clash is rare, never kept
        prefix, secret = keys.new_key()
    key = ApiKey.objects.create(
        client=client,
        prefix=prefix,
        secret_sha256=keys.digest(secret),
        expires_on=expires_on,
        created_by=user,
    )
    return IssuedKey(key=key, secret=secret)


@transaction.atomic
def revoke_key(*, key: ApiKey, user) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise ValidationError(_("La clave %(key)s ya estaba revocada.") % {"key": key})
    key.revoked_at, key.revoked_by = timezone.now(), user
    key.save(update_fields=["revoked_at", "revoked_by"])
    return key


@transaction.atomic
def log_call(
    *,
    client,
    key,
    method: str,
    path: str,
    query: str,
    status: int,
    rows: int,
    duration_ms: int,
    personal_member_ids=(),
) -> ApiCall:
    """One call to the API and the members whose personal data it returned. No user: an institution
    calls with a key, never as a person signed in; the key and its client are recorded."""
    call = ApiCall.objects.create(
        client=client,
        key=key,
        method=method[:8],
        path=path[:300],
        query=query[:500],
        status=status,
        rows=rows,
        duration_ms=duration_ms,
    )
    PersonalDataRead.objects.bulk_create(
        [PersonalDataRead(call=call, member_id=member_id) for member_id in sorted(set(personal_member_ids))],
        batch_size=2000,
    )
    return call


@transaction.atomic
def record_consent(
    *, member, kind: str, action: str, effective_on: date, how: str, note: str = "", user
) -> MemberConsent:
    """Consent given or withdrawn for one kind of institution; a new row, the earlier ones kept."""
    errors = {}
    if kind not in InstitutionKind.values:
        errors["kind"] = _("Elija el tipo de institución.")
    if action not in ConsentAction.values:
        errors["action"] = _("Elija si el consentimiento se otorga o se retira.")
    if how not in ConsentHow.values:
        errors["how"] = _("Elija cómo se dio: formulario firmado o asamblea.")
    if effective_on is None:
        errors["effective_on"] = _("Escriba la fecha (dd/mm/aaaa).")
    elif effective_on > timezone.localdate():
        errors["effective_on"] = _("La fecha no puede estar en el futuro.")
    if errors:
        raise ValidationError(errors)
    current = consent_in_force(member=member, kind=kind, for_update=True)
    if current is not None and effective_on < current.effective_on:
        raise ValidationError(
            {
                "effective_on": _(
                    "La fecha no puede ser anterior al último registro de este consentimiento (%(date)s)."
                )
                % {"date": current.effective_on.strftime("%d/%m/%Y")}
            }
        )
    given_now = current is not None and current.action == ConsentAction.GIVEN
    if action == ConsentAction.GIVEN and given_now:
        raise ValidationError(
            {
                "action": _("El consentimiento para %(kind)s ya está otorgado.")
                % {"kind": InstitutionKind(kind).label}
            }
        )
    if action == ConsentAction.WITHDRAWN and not given_now:
        raise ValidationError(
            {
                "action": _("No hay consentimiento otorgado para %(kind)s que retirar.")
                % {"kind": InstitutionKind(kind).label}
            }
        )
    return MemberConsent.objects.create(
        member=member,
        kind=kind,
        action=action,
        effective_on=effective_on,
        how=how,
        note=note.strip()[:200],
        recorded_by=user,
    )
