"""Secret electronic votes count in per-option counters, apart from who voted (issue 16).

Existing ballots stay as they are. A secret electronic vote open while migrating gets its counters
now, starting at the ballots it already holds; its later votes go only to the counters and closing
it writes only the ballots the counters add. Votes already closed keep counting from their ballots.
"""

from collections import Counter

import django.db.models.deletion
from django.db import migrations, models


def open_counters(apps, schema_editor):
    Motion = apps.get_model("assemblies", "Motion")
    Ballot = apps.get_model("assemblies", "Ballot")
    BallotCounter = apps.get_model("assemblies", "BallotCounter")
    for motion in Motion.objects.filter(method="electronic", secret=True, status="open"):
        held = Counter(Ballot.objects.filter(motion=motion).values_list("option_id", flat=True))
        BallotCounter.objects.bulk_create(
            [
                BallotCounter(motion=motion, option=option, count=held[option.pk])
                for option in motion.options.order_by("position")
            ]
        )


class Migration(migrations.Migration):

    dependencies = [
        ('assemblies', '0005_minutes_kept'),
    ]

    operations = [
        migrations.CreateModel(
            name='BallotCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('count', models.PositiveIntegerField(default=0)),
                ('motion', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='counters', to='assemblies.motion')),
                ('option', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='counter', to='assemblies.motionoption')),
            ],
            options={
                'ordering': ['motion', 'option__position'],
                'constraints': [models.CheckConstraint(condition=models.Q(('count__gte', 0)), name='ballot_counter_not_negative')],
            },
        ),
        migrations.RunPython(open_counters, migrations.RunPython.noop),
    ]
