"""The main menu, composed at the top so the site's frame (base.html) names no app.

A context processor: every page gets ``menu`` (the entries this user may open, the current one
marked) and ``home_url``.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from toolkit.roles import ADMINISTRATOR, DELIVERY_RECORDERS, FUND_READERS, OVERSIGHT, REVIEWERS, user_roles

EVERYONE = None
# label, URL name, who sees it (None: every signed-in user), what marks it current
# ("name:" a URL name, "app:" a whole app's pages)
ENTRIES = (
    (_("Inicio"), "home", EVERYONE, "name:home"),
    (_("Padrón de socios"), "coop:member_list", EVERYONE, "name:member_list"),
    (_("Registrar entrega"), "acopio:delivery_new", DELIVERY_RECORDERS, "name:delivery_new"),
    (_("Entregas"), "acopio:delivery_list", EVERYONE, "name:delivery_list"),
    (_("Proveedores no socios"), "acopio:supplier_list", {ADMINISTRATOR}, "name:supplier_list"),
    (_("Ventas"), "sales:contract_list", REVIEWERS, "name:contract_list"),
    (_("Fondo de prima"), "fund:fund_overview", FUND_READERS, "name:fund_overview"),
    (_("Certificación"), "certification:portal", FUND_READERS, "app:certification"),
    (_("Inclusión"), "certification:inclusion", REVIEWERS, "name:inclusion"),
    (_("Asambleas"), "assemblies:assembly_list", EVERYONE, "app:assemblies"),
    (_("Control interno"), "acopio:yield_control", REVIEWERS, "name:yield_control"),
    (_("Instituciones (API)"), "institutions:client_list", {ADMINISTRATOR}, "app:institutions"),
    (_("Registro de la API"), "institutions:call_log", {OVERSIGHT}, "name:call_log"),
    (_("Importar"), "coop:register_import", {ADMINISTRATOR}, None),
    (_("Administración"), "admin:index", {ADMINISTRATOR}, None),
)


def _is_current(request, marker: str | None) -> bool:
    match = getattr(request, "resolver_match", None)
    if not marker or match is None:
        return False
    kind, _sep, value = marker.partition(":")
    return (match.url_name if kind == "name" else match.app_name) == value


def menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "home_url": reverse("home")}
    roles = user_roles(user)
    entries = [
        {"label": label, "url": reverse(name), "current": _is_current(request, marker), "marker": marker}
        for label, name, allowed, marker in ENTRIES
        if allowed is EVERYONE or roles & set(allowed)
    ]
    # A page with an entry of its own (the inclusion page) is not also marked as its app's.
    if any(e["current"] and (e["marker"] or "").startswith("name:") for e in entries):
        for entry in entries:
            entry["current"] = entry["current"] and entry["marker"].startswith("name:")
    return {"menu": entries, "home_url": reverse("home")}
