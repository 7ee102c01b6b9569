"""The Django admin, open to administrators only.

Other roles work through Minka's own pages, where oversight and certifiers
read and never write.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from toolkit.roles import ADMINISTRATOR, has_role


class MinkaAdminSite(admin.AdminSite):
    site_header = _("Minka · administración")
    site_title = "Minka"
    index_title = _("Datos de la cooperativa")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and has_role(user, ADMINISTRATOR))
