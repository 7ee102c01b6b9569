from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    """What every app uses and which names no app: roles, spreadsheets, uploads, money and numbers,
    the append-only base, view helpers, PDFs."""

    name = "toolkit"
    verbose_name = "Minka"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from toolkit.append_only_triggers import after_migrate
        from toolkit.sessions import start_clock

        user_logged_in.connect(start_clock, dispatch_uid="minka_session_clock")
        # Every append-only table's triggers, after every migrate and flush (once: on the last app).
        post_migrate.connect(after_migrate, dispatch_uid="minka_append_only_triggers")
