# Collection centres, the price list, deliveries and lots moved to the acopio app with
# their tables: the register forgets their models; no table, row or constraint changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('coop', '0006_delivery_member_season_date'),
        ('acopio', '0001_initial'),
        ('ledger', '0012_sales_and_fund_moved_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='Delivery'),
            migrations.DeleteModel(name='Lot'),
            migrations.DeleteModel(name='PriceRow'),
            migrations.DeleteModel(name='CollectionCentre'),
        ]),
    ]
