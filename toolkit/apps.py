from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    """What every app uses and which names no app: roles, spreadsheets, uploads, money and numbers,
    the append-only base, view helpers, PDFs."""

    name = "toolkit"
    verbose_name = "Minka"
