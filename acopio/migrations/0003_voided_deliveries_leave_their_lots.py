"""A voided delivery leaves its lot (acopio.services.void_delivery does so from now on): deliveries voided
before keep their number and void record and are taken out of their lots, so a lot weighs only the cocoa
it holds."""

from django.db import migrations


def leave_lots(apps, schema_editor):
    Delivery = apps.get_model("acopio", "Delivery")
    Delivery.objects.filter(status="void", lot__isnull=False).update(lot=None)


class Migration(migrations.Migration):
    dependencies = [("acopio", "0002_page_indexes")]
    operations = [migrations.RunPython(leave_lots, migrations.RunPython.noop)]
