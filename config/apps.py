from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConfigConfig(AppConfig):
    default = True
    """Project-wide pieces: roles, templates helpers, management commands."""

    name = "config"
    verbose_name = "Minka"

    def ready(self):
        from django.db.models.signals import post_migrate

        from toolkit.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, dispatch_uid="minka_role_groups")
        from config import checks  # noqa: F401  (registers the deploy checks)


class MinkaAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "config.admin_site.MinkaAdminSite"
