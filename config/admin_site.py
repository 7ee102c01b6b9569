"""The Django admin, open to administrators only.

Other roles work through Minka's own pages, where oversight and certifiers
read and never write.
"""

from django.contrib import admin

from toolkit.roles import ADMINISTRATOR, has_role


class MinkaAdminSite(admin.AdminSite):
    site_header = "Minka · administración"
    site_title = "Minka"
    index_title = "Datos de la cooperativa"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and has_role(user, ADMINISTRATOR))
