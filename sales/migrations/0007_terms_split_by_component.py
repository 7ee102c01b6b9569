"""The data step of sales 0006 (its own migration: PostgreSQL does not alter a table with pending
trigger events in the same transaction): each old row split by component, contracts and amendments
repointed. See 0006 for the rules."""

from importlib import import_module

from django.db import migrations

_rows = import_module("sales.migrations.0006_terms_by_component")


class Migration(migrations.Migration):
    dependencies = [("sales", "0006_terms_by_component")]
    operations = [migrations.RunPython(_rows.split, _rows.unsplit)]
