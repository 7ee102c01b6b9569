"""The Fairtrade terms for cocoa beans of the 2025/2026 review, so Minka prices today's contracts on
today's terms (shared/docs/domain.md, «Selling on Fairtrade terms»).

Origins other than Ghana and Côte d'Ivoire (Peru among them), FOB, USD per tonne:
- the conventional minimum rises 45% to 3,500 (announced in 2025; the date of effect is not yet in the
  official table, so the row is marked «fecha por confirmar» and dated 2025-10-01, the start of the
  cocoa year on which Fairtrade's previous review took effect);
- from 2026-06-11 the premium rises 15% to 275 and the organic differential 50% to 450 (the
  differential's date is grouped with the premium's in the announcements: to confirm).
Each row restates every component in force from its date. Ghana and Côte d'Ivoire have their own
arrangements from 2026-10-01: their rows are entered by administrators from the official table.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

SOURCE_2025 = (
    "Fairtrade International, revisión 2025 del precio mínimo del cacao en grano "
    "(US$ 3,500/t FOB; fecha de vigencia por confirmar en la tabla oficial)"
)
SOURCE_2026 = (
    "Fairtrade International, anuncio 2025-2026: prima US$ 275/t desde el 11/06/2026 y diferencial "
    "orgánico US$ 450/t (fecha del diferencial por confirmar en la tabla oficial)"
)
ROWS = [
    # valid from, minimum, organic differential, premium, source
    (date(2025, 10, 1), "3500", "300", "240", SOURCE_2025),
    (date(2026, 6, 11), "3500", "450", "275", SOURCE_2026),
]


def load(apps, schema_editor):
    FairtradeTerms = apps.get_model("sales", "FairtradeTerms")
    for valid_from, minimum, differential, premium, source in ROWS:
        FairtradeTerms.objects.get_or_create(
            origin="*",
            valid_from=valid_from,
            defaults={
                "minimum_price": Decimal(minimum),
                "organic_rule": "differential",
                "organic_differential": Decimal(differential),
                "premium": Decimal(premium),
                "currency": "USD",
                "source": source,
                "date_to_confirm": True,
            },
        )


def unload(apps, schema_editor):
    FairtradeTerms = apps.get_model("sales", "FairtradeTerms")
    FairtradeTerms.objects.filter(origin="*", valid_from__in=[row[0] for row in ROWS], entered_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_terms_reviews_and_checks")]
    operations = [migrations.RunPython(load, unload)]
