"""Administration's pages for the institutions' API: clients, keys (shown once), the call log, and a
member's consent; plus the data dictionary, public like the OpenAPI description."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from api import selectors, services
from api.models import ApiClient, ApiKey, ConsentAction, ConsentHow, InstitutionKind, Scope
from coop.models import Member
from toolkit.dates import parse_typed_date
from toolkit.roles import ADMINISTRATOR, OVERSIGHT, has_role, public, role_required
from toolkit.views import errors_of, query_without_page, refused

LOG_READERS = (ADMINISTRATOR, OVERSIGHT)


@role_required(ADMINISTRATOR)
def client_list(request):
    """The institutions, their keys, and the form to register a new one."""
    errors, values = {}, {}
    if request.method == "POST":
        values = {
            "name": request.POST.get("name", ""),
            "kind": request.POST.get("kind", ""),
            "scopes": request.POST.getlist("scopes"),
            "contact": request.POST.get("contact", ""),
        }
        try:
            client = services.create_client(**values, user=request.user)
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("Institución %(client)s registrada.") % {"client": client.name})
            return redirect("institutions:client_detail", pk=client.pk)
    return render(
        request,
        "api/client_list.html",
        {
            "clients": selectors.clients_with_keys(),
            "kinds": InstitutionKind.choices,
            "scopes": Scope.choices,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@role_required(ADMINISTRATOR)
def client_detail(request, pk):
    """One institution: its keys, and a new key shown once (the answer to the POST, never stored)."""
    client = get_object_or_404(ApiClient, pk=pk)
    errors, issued = {}, None
    if request.method == "POST":
        typed = request.POST.get("expires_on", "")
        try:
            issued = services.issue_key(client=client, expires_on=parse_typed_date(typed), user=request.user)
        except ValidationError as exc:
            errors = errors_of(exc)
    response = render(
        request,
        "api/client_detail.html",
        {
            "client": client,
            "keys": client.keys.select_related("created_by", "revoked_by"),
            "issued": issued,
            "errors": errors,
            "typed": request.POST.get("expires_on", ""),
            "calls": selectors.calls(client=client)[:20],
        },
        status=400 if errors else 200,
    )
    response["Cache-Control"] = "no-store"  # a page showing a key is kept by no cache
    return response


@role_required(ADMINISTRATOR)
@require_POST
def key_revoke(request, pk):
    key = get_object_or_404(ApiKey.objects.select_related("client"), pk=pk)
    try:
        services.revoke_key(key=key, user=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Clave %(key)s revocada: ya no abre la API.") % {"key": key})
    return redirect("institutions:client_detail", pk=key.client_id)


@role_required(*LOG_READERS)
@require_safe
def call_log(request):
    """Every call to the API, newest first, 50 to a page; by institution and by answer."""
    client_id = request.GET.get("institucion", "")
    client = ApiClient.objects.filter(pk=client_id).first() if client_id.isdigit() else None
    status = request.GET.get("respuesta", "")
    rows = selectors.calls(client=client, status=status if status in ("ok", "refused") else None)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "api/call_log.html",
        {
            "page": page,
            "clients": ApiClient.objects.order_by("name"),
            "client": client,
            "status": status,
            "query_string": query_without_page(request),
        },
    )


@role_required(ADMINISTRATOR)
def member_consent(request, code):
    """A member's consent per kind of institution, its history, and the form to record or withdraw it."""
    member = get_object_or_404(Member, code=code)
    errors, values = {}, {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in ("kind", "action", "effective_on", "how", "note")}
        try:
            services.record_consent(
                member=member,
                kind=values["kind"],
                action=values["action"],
                effective_on=parse_typed_date(values["effective_on"]),
                how=values["how"],
                note=values["note"],
                user=request.user,
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("Consentimiento registrado."))
            return redirect("institutions:member_consent", code=member.code)
    return render(
        request,
        "api/member_consent.html",
        {
            "member": member,
            "consents": selectors.member_consents(member),
            "kinds": InstitutionKind.choices,
            "actions": ConsentAction.choices,
            "hows": ConsentHow.choices,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def member_section(request, member) -> str:
    """On the member page: consent in force per kind, and (administration, oversight) who read the data."""
    return render_to_string(
        "api/_member_section.html",
        {
            "member": member,
            "consents": selectors.member_consents(member),
            "can_record": has_role(request.user, ADMINISTRATOR),
            "can_see_reads": has_role(request.user, *LOG_READERS),
            "reads": selectors.readers_of(member) if has_role(request.user, *LOG_READERS) else [],
        },
        request=request,
    )


DICTIONARY = Path(settings.BASE_DIR) / "docs" / "diccionario-api.md"


@public
@require_safe
def dictionary(request):
    """The data dictionary (docs/diccionario-api.md), served as text with the API it describes."""
    return HttpResponse(DICTIONARY.read_text(encoding="utf-8"), content_type="text/markdown; charset=utf-8")
