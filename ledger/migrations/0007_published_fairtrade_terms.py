"""The Fairtrade terms for cocoa beans published before 2026, so a fresh database prices correctly.

Source: Fairtrade International, Fairtrade Minimum Price and Premium table (cocoa beans, all
origins, FOB, USD per tonne). The 2026 review is entered by administrators from the official table.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

SOURCE = "Fairtrade International, Minimum Price and Premium table, cocoa beans (all origins, FOB)"
ROWS = [
    # valid from, minimum, organic rule, organic minimum, organic differential, premium
    (date(2011, 1, 1), "2000", "minimum", "2300", None, "200"),
    (date(2019, 10, 1), "2400", "differential", None, "300", "240"),
]


def load(apps, schema_editor):
    FairtradeTerms = apps.get_model("ledger", "FairtradeTerms")
    for valid_from, minimum, rule, organic_minimum, differential, premium in ROWS:
        FairtradeTerms.objects.get_or_create(
            origin="*", valid_from=valid_from,
            defaults={
                "minimum_price": Decimal(minimum), "organic_rule": rule,
                "organic_minimum_price": Decimal(organic_minimum) if organic_minimum else None,
                "organic_differential": Decimal(differential) if differential else None,
                "premium": Decimal(premium), "currency": "USD", "source": SOURCE,
            },
        )


def unload(apps, schema_editor):
    FairtradeTerms = apps.get_model("ledger", "FairtradeTerms")
    FairtradeTerms.objects.filter(origin="*", valid_from__in=[row[0] for row in ROWS], source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_fairtrade_terms_and_rates")]
    operations = [migrations.RunPython(load, unload)]
