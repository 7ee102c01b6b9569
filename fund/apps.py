from django.apps import AppConfig


class FundConfig(AppConfig):
    """The premium fund: conversion to soles, the Development Plan, spending with two signatures, distribution."""

    name = "fund"
    verbose_name = "Fondo de prima"
