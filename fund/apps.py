from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    """The premium fund: conversion to soles, Development Plan, spending and signatures, distribution."""

    name = "fund"
    verbose_name = _("Fondo de prima")
