"""The Django admin, open to administrators only.

Other roles work through Minka's own pages, where oversight and certifiers
read and never write. The admin has no sign-in form of its own: ``/admin/login/`` sends everyone
to Minka's sign-in, with its throttling and its second step, and takes no password itself.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from toolkit.roles import ADMINISTRATOR, has_role


class MinkaAdminSite(admin.AdminSite):
    site_header = _("Minka · administración")
    site_title = "Minka"
    index_title = _("Datos de la cooperativa")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and has_role(user, ADMINISTRATOR))

    def login(self, request, extra_context=None):
        """One password door: Minka's sign-in. A POST here signs no one in."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(next_url)
        return redirect_to_login(next_url)
