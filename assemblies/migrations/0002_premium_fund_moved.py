# The premium fund's models moved from ledger to fund with their tables: only the
# references in Django's state change, the columns and constraints stay as they are.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assemblies', '0001_initial'),
        ('fund', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='motion',
                name='authorization',
                field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='motion', to='fund.premiumauthorization', verbose_name='autorización del fondo de prima'),
            ),
            migrations.AlterField(
                model_name='motionbudgetline',
                name='line',
                field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='motion_line', to='fund.budgetline'),
            ),
        ]),
    ]
