"""The columns of the rows that restated every component go, after sales 0007 split them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sales", "0007_terms_split_by_component")]

    operations = [
        migrations.RemoveField(model_name="fairtradeterms", name="minimum_price"),
        migrations.RemoveField(model_name="fairtradeterms", name="organic_rule"),
        migrations.RemoveField(model_name="fairtradeterms", name="organic_minimum_price"),
        migrations.RemoveField(model_name="fairtradeterms", name="organic_differential"),
        migrations.RemoveField(model_name="fairtradeterms", name="premium"),
        migrations.AlterField(
            model_name="fairtradeterms",
            name="amount",
            field=models.DecimalField(decimal_places=2, max_digits=10, verbose_name="monto por tonelada"),
        ),
        migrations.AlterField(
            model_name="contractamendment",
            name="premium_terms",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sales.fairtradeterms",
                verbose_name="prima aplicada",
            ),
        ),
    ]
