from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    """What every app uses and which names no app: roles, spreadsheets, uploads, money and numbers,
    the append-only base, view helpers, PDFs."""

    name = "toolkit"
    verbose_name = "Minka"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from toolkit.sessions import start_clock

        user_logged_in.connect(start_clock, dispatch_uid="minka_session_clock")
