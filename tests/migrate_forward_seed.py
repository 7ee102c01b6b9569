"""Rows the demo leaves out, for tests/test_migrate_forward.py: run INSIDE the baseline tree.

The test runs this file with the baseline commit's code (cwd = the extracted tree, ``python -c``
with runpy, so ``import coop`` finds the baseline's package), after ``quickstart`` loaded the demo.
It is written against that commit's API, which never changes: do not "update" it to the current
code's names. It fills the tables the demo leaves empty and that point at the models being moved
(certificates, their downloads and print runs, queued tasks, delegates, secret ballots, an admin
log entry and a user permission, both tied to content types) so their rows are counted too.

It prints the path of the ``coop`` package it imported, so the test can check it ran the baseline.
"""

import os
from datetime import timedelta


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import transaction

    with transaction.atomic():
        package = seed()
    print(f"coop package: {package}")


def seed() -> str:
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    import coop
    from assemblies import services
    from assemblies.models import Assembly, AssemblyStatus, Delegate, MotionKind, RollEntry
    from certification.documents import issue
    from certification.models import DownloadLog
    from certification.pack_runs import start_pack_run
    from certification.printing import start_statement_run
    from certification.statements import statement_draft
    from coop.models import Delivery

    users = get_user_model().objects
    admin, certifier = users.get(username="admin"), users.get(username="certificador")
    delivery = Delivery.objects.select_related("member", "season").order_by("id").first()
    member, season = delivery.member, delivery.season

    # Certification: an issued statement, its download, and a print run and an audit pack queued as
    # tasks (the database task backend stores them; no worker runs them).
    document, _pdf = issue(statement_draft(member=member, season=season), user=admin)
    DownloadLog.objects.create(
        user=certifier,
        what=document.title[:200],
        season=season,
        document=document,
        filename=f"{document.number}.pdf",
    )
    start_statement_run(season=season, user=admin)
    start_pack_run(season=season, user=admin)

    # Assemblies: a delegate, and a secret electronic vote in the extraordinary assembly convened today.
    today = timezone.localdate()
    Delegate.objects.create(
        member=member, zone="Chazuta", elected_on=today, term_ends_on=today + timedelta(days=730)
    )
    assembly = Assembly.objects.get(status=AssemblyStatus.CONVENED)
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("id"))
    for entry in entries:
        services.check_in(assembly=assembly, entry=entry, user=admin)
    services.open_session(assembly=assembly, call="first", user=admin)
    motion = services.draft_motion(
        assembly=assembly,
        kind=MotionKind.RESOLUTION,
        title="Cambiar el local de acopio de Chazuta",
        majority="simple",
        method="electronic",
        secret=True,
        user=admin,
    )
    motion = services.open_motion(motion=motion, user=admin)
    yes = motion.options.order_by("position").first()
    for entry in entries[:3]:
        services.cast_ballot(motion=motion, voter=entry, cast_by=entry, option=yes, user=admin)

    # Django's own rows that hang on content types of the models being moved.
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Delivery),
        object_id=str(delivery.pk),
        object_repr=str(delivery)[:200],
        action_flag=CHANGE,
        change_message="Revisado (prueba de migración)",
    )
    certifier.user_permissions.add(
        Permission.objects.get(content_type__app_label="coop", codename="view_delivery")
    )
    return os.path.dirname(coop.__file__)


if __name__ == "__main__":
    main()
