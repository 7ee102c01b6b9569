# A member's account belongs to the member by foreign key, one per currency.
# Accounts made before were found by the text of their code («SOC-» and the member code): this is the
# one time that text is read, to link any member account that has no member yet. An account whose code
# names no member, or two accounts for one member, stop the migration with their codes named, so a
# person decides; nothing is guessed.

from django.db import migrations, models
from django.utils.translation import gettext as _

PREFIX = "SOC-"


def link_member_accounts(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Member = apps.get_model("coop", "Member")
    unlinked = list(Account.objects.filter(member__isnull=True, code__startswith=PREFIX).order_by("code"))
    members = {m.code: m for m in Member.objects.filter(code__in=[a.code[len(PREFIX) :] for a in unlinked])}
    orphans = [a.code for a in unlinked if a.code[len(PREFIX) :] not in members]
    if orphans:
        raise RuntimeError(
            _(
                "No se puede enlazar la cuenta %(accounts)s con un socio: ningún socio tiene el código "
                "que muestra. Corrija el código del socio o de la cuenta y vuelva a migrar."
            )
            % {"accounts": ", ".join(orphans)}
        )
    # One account per member and currency: two would split what the member is owed. Checked on the
    # accounts already linked plus the links to make, before anything is written.
    accounts_by_member = {}
    linked = Account.objects.filter(member__isnull=False).values_list("code", "member_id", "currency")
    planned = [(a.code, members[a.code[len(PREFIX) :]].pk, a.currency) for a in unlinked]
    for code, member_id, currency in sorted([*linked, *planned]):
        accounts_by_member.setdefault((member_id, currency), []).append(code)
    doubled = [codes for codes in accounts_by_member.values() if len(codes) > 1]
    if doubled:
        raise RuntimeError(
            _(
                "Un socio tiene más de una cuenta en la misma moneda (%(accounts)s). Traslade el saldo "
                "a una sola con un asiento y deje la otra sin socio; luego vuelva a migrar."
            )
            % {"accounts": "; ".join(", ".join(codes) for codes in doubled)}
        )
    for account in unlinked:
        Account.objects.filter(pk=account.pk).update(member=members[account.code[len(PREFIX) :]])
    if schema_editor.connection.vendor == "postgresql":
        # The foreign key checks the updates left pending would refuse the index that follows.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("coop", "0009_member_code_pattern"),
        ("ledger", "0013_hash_version_2"),
    ]

    operations = [
        migrations.RunPython(link_member_accounts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.UniqueConstraint(
                condition=models.Q(("member__isnull", False)),
                fields=("member", "currency"),
                name="ledger_account_one_per_member_currency",
            ),
        ),
    ]
