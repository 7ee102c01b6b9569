"""Fairtrade terms by component: each row holds one component (minimum, organic minimum or differential,
premium) with its own date of effect, origin, currency and source (docs/dev/domain.md).

Each old row, which restated every component, is split: a component becomes a row of its own only when
it changed from the row in force before it for the same origin (so the 2025 row gives only its minimum
of 3,500 and the 2026-06-11 row only its premium of 275 and organic differential of 450). Contracts and
amendments are repointed to the rows of each component they were priced on; no price, value or premium
changes. Amendments are append-only: their triggers are dropped for this one rewrite, and the
post_migrate receiver of toolkit puts them back after migrate.
"""

from datetime import date
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# What Minka ships, by component (origins other than Ghana and Côte d'Ivoire, USD per tonne, FOB):
# (kind, valid from, amount, source, date to confirm). tests/terms.py loads it again for committing tests.
SOURCE_TABLE = "Fairtrade International, Minimum Price and Premium table, cocoa beans (all origins, FOB)"
SOURCE_2025 = (
    "Fairtrade International, revisión 2025 del precio mínimo del cacao en grano "
    "(US$ 3,500/t FOB; fecha de vigencia por confirmar en la tabla oficial)"
)
SOURCE_2026 = (
    "Fairtrade International, anuncio 2025-2026: prima US$ 275/t desde el 11/06/2026 y diferencial "
    "orgánico US$ 450/t (fecha del diferencial por confirmar en la tabla oficial)"
)
PUBLISHED = [
    ("minimum", date(2011, 1, 1), "2000", SOURCE_TABLE, False),
    ("organic_minimum", date(2011, 1, 1), "2300", SOURCE_TABLE, False),
    ("premium", date(2011, 1, 1), "200", SOURCE_TABLE, False),
    ("minimum", date(2019, 10, 1), "2400", SOURCE_TABLE, False),
    ("organic_differential", date(2019, 10, 1), "300", SOURCE_TABLE, False),
    ("premium", date(2019, 10, 1), "240", SOURCE_TABLE, False),
    ("minimum", date(2025, 10, 1), "3500", SOURCE_2025, True),
    ("organic_differential", date(2026, 6, 11), "450", SOURCE_2026, True),
    ("premium", date(2026, 6, 11), "275", SOURCE_2026, False),
]
ORGANIC = ("organic_minimum", "organic_differential")
ORGANIC_SALES = ("ft_org", "org")


def load_published(FairtradeTerms) -> None:
    """The shipped rows, each once (a fresh database, or a test that lost them)."""
    for kind, valid_from, amount, source, to_confirm in PUBLISHED:
        FairtradeTerms.objects.get_or_create(
            kind=kind,
            origin="*",
            currency="USD",
            valid_from=valid_from,
            defaults={"amount": Decimal(amount), "source": source, "date_to_confirm": to_confirm},
        )


def split(apps, schema_editor):
    FairtradeTerms = apps.get_model("sales", "FairtradeTerms")
    SalesContract = apps.get_model("sales", "SalesContract")
    ContractAmendment = apps.get_model("sales", "ContractAmendment")
    old_rows = list(FairtradeTerms.objects.filter(kind="").order_by("origin", "valid_from", "pk"))
    made = {}  # old row pk: {"minimum": pk, "organic": pk, "premium": pk}
    in_force = {}  # (origin, group): (kind, amount, pk) of the latest row made
    for old in old_rows:
        organic_kind = "organic_minimum" if old.organic_rule == "minimum" else "organic_differential"
        organic_amount = old.organic_minimum_price if old.organic_rule == "minimum" else old.organic_differential
        parts = {
            "minimum": ("minimum", old.minimum_price),
            "organic": (organic_kind, organic_amount),
            "premium": ("premium", old.premium),
        }
        made[old.pk] = {}
        for group, (kind, amount) in parts.items():
            before = in_force.get((old.origin, group))
            if before and (before[0], before[1]) == (kind, amount):
                made[old.pk][group] = before[2]  # unchanged: the earlier row stays in force
                continue
            to_confirm = old.date_to_confirm
            if old.entered_by_id is None and old.valid_from == date(2026, 6, 11) and group == "premium":
                to_confirm = False  # the premium's date is announced; the differential's is to confirm
            row = FairtradeTerms.objects.create(
                kind=kind,
                origin=old.origin,
                currency=old.currency,
                valid_from=old.valid_from,
                amount=amount,
                source=old.source,
                date_to_confirm=to_confirm,
                entered_by_id=old.entered_by_id,
            )
            FairtradeTerms.objects.filter(pk=row.pk).update(created_at=old.created_at)
            in_force[(old.origin, group)] = (kind, amount, row.pk)
            made[old.pk][group] = row.pk

    def pointers(record, sold_as: str):
        rows = made[record.minimum_terms_id]
        return {
            "minimum_terms_id": rows["minimum"],
            "organic_terms_id": rows["organic"] if sold_as in ORGANIC_SALES else None,
            "premium_terms_id": rows["premium"],
        }

    for contract in SalesContract.objects.filter(minimum_terms__isnull=False):
        SalesContract.objects.filter(pk=contract.pk).update(**pointers(contract, contract.terms))
    amendments = list(ContractAmendment.objects.select_related("contract"))
    if amendments:
        from toolkit.append_only_triggers import drop_statements

        connection = schema_editor.connection
        with connection.cursor() as cursor:
            for statement in drop_statements(connection.vendor, [ContractAmendment._meta.db_table]):
                cursor.execute(statement)
        for amendment in amendments:
            ContractAmendment.objects.filter(pk=amendment.pk).update(**pointers(amendment, amendment.contract.terms))
    FairtradeTerms.objects.filter(pk__in=[old.pk for old in old_rows]).delete()


def unsplit(apps, schema_editor):
    """Back to rows restating every component: only for a table no contract was priced on (tests)."""
    FairtradeTerms = apps.get_model("sales", "FairtradeTerms")
    SalesContract = apps.get_model("sales", "SalesContract")
    if SalesContract.objects.filter(minimum_terms__isnull=False).exists():
        raise RuntimeError("Los contratos ya se valorizaron por componente: esta migración no se revierte.")
    FairtradeTerms.objects.exclude(kind="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_amendments_and_forward_contracts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="fairtradeterms", name="fairtrade_terms_one_per_day"),
        migrations.RemoveConstraint(model_name="fairtradeterms", name="fairtrade_terms_positive"),
        migrations.RemoveConstraint(model_name="fairtradeterms", name="fairtrade_terms_organic_rule_has_its_figure"),
        migrations.RemoveConstraint(model_name="fairtradeterms", name="fairtrade_terms_organic_figures_positive"),
        migrations.RemoveConstraint(model_name="fairtradeterms", name="fairtrade_terms_in_dollars"),
        migrations.RemoveConstraint(model_name="contractamendment", name="contract_amendment_once_per_terms"),
        migrations.AddField(
            model_name="fairtradeterms",
            name="kind",
            field=models.CharField(default="", max_length=20, verbose_name="componente"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="fairtradeterms",
            name="amount",
            field=models.DecimalField(decimal_places=2, max_digits=10, null=True, verbose_name="monto por tonelada"),
        ),
        migrations.AddField(
            model_name="fairtradeterms",
            name="source_date",
            field=models.DateField(blank=True, null=True, verbose_name="fecha de la fuente"),
        ),
        migrations.AddField(
            model_name="fairtradeterms",
            name="source_url",
            field=models.URLField(blank=True, max_length=500, verbose_name="enlace de la fuente"),
        ),
        migrations.AlterField(
            model_name="fairtradeterms",
            name="minimum_price",
            field=models.DecimalField(decimal_places=2, max_digits=10, null=True),
        ),
        migrations.AlterField(
            model_name="fairtradeterms",
            name="premium",
            field=models.DecimalField(decimal_places=2, max_digits=10, null=True),
        ),
        migrations.AlterField(
            model_name="fairtradeterms",
            name="organic_rule",
            field=models.CharField(blank=True, default="", max_length=12),
        ),
        migrations.RenameField(model_name="salescontract", old_name="fairtrade_terms", new_name="minimum_terms"),
        migrations.RenameField(model_name="contractamendment", old_name="fairtrade_terms", new_name="minimum_terms"),
        migrations.AddField(
            model_name="salescontract",
            name="organic_terms",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sales.fairtradeterms",
                verbose_name="condición orgánica aplicada",
            ),
        ),
        migrations.AddField(
            model_name="salescontract",
            name="premium_terms",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sales.fairtradeterms",
                verbose_name="prima aplicada",
            ),
        ),
        migrations.AddField(
            model_name="contractamendment",
            name="organic_terms",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sales.fairtradeterms",
                verbose_name="condición orgánica aplicada",
            ),
        ),
        migrations.AddField(
            model_name="contractamendment",
            name="premium_terms",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sales.fairtradeterms",
                verbose_name="prima aplicada",
            ),
        ),
    ]
