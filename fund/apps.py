from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    """The premium fund: conversion to soles, Development Plan, spending and signatures, distribution."""

    name = "fund"
    verbose_name = _("Fondo de prima")

    def ready(self):
        from fund.integrity import check_authorized_lines, check_paid_spending
        from ledger.verification import register_record_check

        register_record_check(check_authorized_lines)
        register_record_check(check_paid_spending)
