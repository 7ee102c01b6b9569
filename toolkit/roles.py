"""The roles of Minka and the one decorator every view goes through.

A role is a Django auth group. Superusers count as administrators. A view
declares the roles that may open it with ``role_required``; the decorator
marks the view so a test can walk every URL and find views without a rule.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

# Minka's own apps, bottom to top: their models are the administrators' to manage in the admin.
MINKA_APPS = ("coop", "ledger", "acopio", "sales", "fund", "assemblies", "certification")

ADMINISTRATOR = "administrador"
CLERK = "acopiador"
BOARD = "consejo_administracion"
OVERSIGHT = "consejo_vigilancia"
CERTIFIER = "certificador"
# The treasurer signs premium fund spending next to a board member (two different people).
TREASURER = "tesorero"

ROLE_LABELS = {
    ADMINISTRATOR: _("Administración"),
    CLERK: _("Acopiador"),
    BOARD: _("Consejo de administración"),
    OVERSIGHT: _("Consejo de vigilancia"),
    CERTIFIER: _("Certificador / auditor"),
    TREASURER: _("Tesorería"),
}
ALL_ROLES = frozenset(ROLE_LABELS)
# Roles that read the register and reports; oversight and certifiers never write.
READERS = ALL_ROLES
WRITERS_OF_REGISTER = frozenset({ADMINISTRATOR})
# Who records deliveries at the scale, and who reads reports and exports (never writes money).
DELIVERY_RECORDERS = frozenset({ADMINISTRATOR, CLERK})
REVIEWERS = frozenset({ADMINISTRATOR, BOARD, OVERSIGHT, CERTIFIER})
# The premium fund: who reads it, who drafts the plan, who signs spending.
FUND_READERS = REVIEWERS | {TREASURER}
PLAN_DRAFTERS = frozenset({ADMINISTRATOR, BOARD})
SPENDING_APPROVERS = frozenset({BOARD, TREASURER})
# Who signs money or runs assemblies also types a code from their phone to sign in (toolkit/two_factor.py).
TWO_FACTOR_ROLES = frozenset({ADMINISTRATOR, BOARD, TREASURER})
PUBLIC = "public"


def user_roles(user) -> frozenset[str]:
    """The roles a user holds, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_minka_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True)) & ALL_ROLES
        if user.is_superuser:
            names.add(ADMINISTRATOR)
        cached = frozenset(names)
        user._minka_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def role_required(*roles: str):
    """Allow the view to signed-in users holding one of ``roles``.

    Anonymous users are sent to sign in; signed-in users without the role get
    403, so a clerk who follows a link to the import page sees a clear refusal.
    """
    allowed = frozenset(roles)
    unknown = allowed - ALL_ROLES
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_roles(request.user) & allowed:
                raise PermissionDenied(_("Su rol no permite abrir esta página."))
            return view(request, *args, **kwargs)

        wrapped.minka_roles = allowed
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to anyone (sign-in, language switch, verification)."""
    view.minka_roles = PUBLIC
    return view


def ensure_role_groups(**kwargs) -> None:
    """Create the role groups and give administrators the register permissions.

    Runs after every migrate, so a fresh database (and the test database) has
    the roles. Other roles get no Django model permissions: they never use
    the admin, and Minka's pages check roles with role_required.
    """
    from django.contrib.auth.models import Group, Permission

    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)
    admin_group = Group.objects.get(name=ADMINISTRATOR)
    perms = Permission.objects.filter(content_type__app_label__in=MINKA_APPS)
    admin_group.permissions.add(*perms)
