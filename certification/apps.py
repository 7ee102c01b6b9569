from django.apps import AppConfig


class CertificationConfig(AppConfig):
    """Read-only views and exports for certifiers and buyers."""

    name = "certification"
    verbose_name = "Certificación"
