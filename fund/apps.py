from django.apps import AppConfig


class FundConfig(AppConfig):
    """The premium fund: conversion to soles, Development Plan, spending and signatures, distribution."""

    name = "fund"
    verbose_name = "Fondo de prima"
