"""Seal the rows that existed before verify_ledger checked them (toolkit.seals): each row as it
stands now gets its first seal, and the seals are chained."""

from django.db import migrations


def seal(apps, schema_editor):
    from toolkit.seals import seal_existing_rows

    for label in ["certification.IssuedDocument"]:
        seal_existing_rows(apps, schema_editor, label)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0005_inclusion_age_bands"),
        ("toolkit", "0002_row_seals"),
    ]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
