# Hash version 2 (ledger.hashing) covers who posted an entry, when, and the lines' memos.
# Entries already posted keep their version 1 hashes: the counter records where version 2 starts.

import django.utils.timezone
from django.db import migrations, models


def record_cut_over(apps, schema_editor):
    """Existing ledgers go on to version 2 after their last entry; a new ledger is version 2 from entry 1."""
    EntryCounter = apps.get_model("ledger", "EntryCounter")
    JournalEntry = apps.get_model("ledger", "JournalEntry")
    last_entry = JournalEntry.objects.aggregate(last=models.Max("number"))["last"] or 0
    for counter in EntryCounter.objects.all():
        first_v2 = max(counter.last_number, last_entry) + 1
        EntryCounter.objects.filter(pk=counter.pk).update(hash_v2_from=first_v2)


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0012_sales_and_fund_moved_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="entrycounter",
            name="hash_v2_from",
            field=models.PositiveBigIntegerField(default=1),
        ),
        migrations.RunPython(record_cut_over, migrations.RunPython.noop),
        # The moment is now set before hashing rather than on insert: no column changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="journalentry",
                    name="posted_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="registrado"
                    ),
                ),
            ]
        ),
    ]
