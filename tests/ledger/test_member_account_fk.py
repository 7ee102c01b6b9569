"""A member's account belongs to the member by foreign key, not by the text of the member code.

The finding (issue 16): renaming CHZ-00001 in the admin left its balance in an account that a new
member, imported with the freed code, then saw as theirs.
"""

import importlib
import threading
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections, transaction

from certification.statements import member_statement
from coop.models import Member, Plot
from ledger import chart
from ledger.member_accounts import owed_to_member
from ledger.models import Account, MovementKind, PaymentMethod
from ledger.selectors import owed_to_members_minor
from ledger.services import post_entry, record_movement
from ledger.verification import verify_ledger
from tests.acopio.factories import make_coop

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria_paid(coop, deliver, admin_user_minka):
    """María delivered twice and was paid part of it."""
    deliver(gross_kg="100")
    deliver(gross_kg="61.5")
    record_movement(
        member=coop["maria"],
        kind=MovementKind.PAYMENT,
        method=PaymentMethod.BANK,
        date=date(2026, 3, 11),
        amount="900.00",
        document="OP-7731",
        user=admin_user_minka,
    )
    return coop["maria"]


def rename_behind_the_guard(member, code):
    """What the old admin did: a new code written straight to the table, no check."""
    Member.objects.filter(pk=member.pk).update(code=code, search_text=code)
    return Member.objects.get(pk=member.pk)


def test_renaming_a_member_keeps_the_balance_with_the_member(coop, maria_paid, deliver):
    owed = owed_to_member(maria_paid)
    account = chart.member_account(maria_paid)
    statement = member_statement(member=maria_paid, season=coop["seasons"]["2026"])
    assert owed > 0

    maria = rename_behind_the_guard(maria_paid, "S-09999")

    assert owed_to_member(maria) == owed
    assert chart.member_account(maria) == account
    after = member_statement(member=maria, season=coop["seasons"]["2026"])
    assert (after.opening_minor, after.closing_minor) == (statement.opening_minor, statement.closing_minor)
    assert [line.owed_minor for line in after.lines] == [line.owed_minor for line in statement.lines]
    # The next delivery goes to the same account: still one account, the balance grows.
    coop["maria"] = maria
    delivery = deliver(gross_kg="10", tare_kg="0")
    assert owed_to_member(maria) == owed + delivery.amount_minor
    assert Account.objects.filter(member=maria).count() == 1
    assert verify_ledger().ok


def test_a_new_member_given_the_old_code_gets_a_new_empty_account(coop, maria_paid, deliver):
    owed = owed_to_member(maria_paid)
    old_account = chart.member_account(maria_paid)
    rename_behind_the_guard(maria_paid, "S-09999")

    newcomer = Member.objects.create(code="S-00001", dni="47001133", name="Juan Pérez Sangama")

    assert owed_to_member(newcomer) == 0
    account = chart.member_account(newcomer)
    assert account != old_account and account.member == newcomer and not account.lines.exists()
    # The old text stays on the old account for people reading the chart; the new one gets a free code.
    assert old_account.code == "SOC-S-00001" and account.code == "SOC-S-00001-2"
    assert chart.member_account(newcomer) == account  # found again, not created twice
    assert chart.member_accounts([newcomer, maria_paid]) == {newcomer.pk: account, maria_paid.pk: old_account}
    assert chart.purchase_accounts(newcomer)[1] == account
    # A delivery by the newcomer (through the clerk's one-query context) credits them, not María.
    coop["maria"] = newcomer
    plot = Plot.objects.create(member=newcomer, code="S-00001-P9", cocoa_producing_ha="1.0")
    delivery = deliver(gross_kg="20", tare_kg="0", plot=plot)
    assert owed_to_member(newcomer) == delivery.amount_minor
    assert owed_to_member(Member.objects.get(code="S-09999")) == owed
    assert owed_to_members_minor() == owed + delivery.amount_minor
    assert verify_ledger().ok


def test_an_import_creates_accounts_by_member_even_where_an_old_account_holds_the_code(coop, maria_paid):
    old_account = chart.member_account(maria_paid)
    rename_behind_the_guard(maria_paid, "S-09999")
    newcomer = Member.objects.create(code="S-00001", dni="47001133", name="Juan Pérez Sangama")
    segundo = coop["segundo"]

    accounts = chart.member_accounts([newcomer, segundo, maria_paid])

    assert accounts[maria_paid.pk] == old_account
    assert accounts[newcomer.pk].code == "SOC-S-00001-2" and accounts[newcomer.pk].member == newcomer
    assert accounts[segundo.pk].code == "SOC-S-00002" and accounts[segundo.pk].member == segundo
    assert chart.member_accounts([newcomer, segundo]) == {
        newcomer.pk: accounts[newcomer.pk],
        segundo.pk: accounts[segundo.pk],
    }
    assert Account.objects.filter(member__isnull=False).count() == 3


def test_the_database_holds_one_account_per_member_and_currency(coop):
    from django.db import IntegrityError, transaction

    chart.member_account(coop["maria"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            code="SOC-OTRA", name="Otra", kind="liability", currency="PEN", member=coop["maria"]
        )


# --- Two clerks at once ---------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_creating_a_members_account_at_once_get_the_same_one():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    coop = make_coop()
    threads_count = 6
    barrier, found, failures = threading.Barrier(threads_count), [], []

    def clerk(_worker):
        try:
            barrier.wait()
            found.append(chart.member_account(coop["rosa"]).pk)
        except Exception as exc:  # asserted below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(w,)) for w in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(set(found)) == 1 and len(found) == threads_count
    assert Account.objects.filter(member=coop["rosa"]).count() == 1


# --- The migration ----------------------------------------------------------------------------------


def run_the_migration():
    """The data step of migration 0014, run on today's schema in one transaction, as migrate runs it.
    (Migrating the whole schema back to 0013 would take every later app's tables with it.)"""
    link = importlib.import_module("ledger.migrations.0014_member_account_fk").link_member_accounts
    # The step uses its schema editor only for the connection and one SQL statement on PostgreSQL.
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    with transaction.atomic():
        link(django_apps, editor)


def _unlinked_account(code):
    return Account.objects.create(code=code, name=f"Cuenta {code}", kind="liability", currency="PEN")


def test_the_migration_links_existing_accounts_to_their_members_and_the_ledger_still_verifies(db):
    coop = make_coop()
    # Made before accounts named their member: only the code's text says whose they are.
    maria_account = _unlinked_account("SOC-S-00001")
    rosa_account = _unlinked_account("SOC-S-00003")
    post_entry(
        date=date(2026, 3, 10),
        description="Compra de cacao a S-00001",
        source_key="test:compra:maria",
        lines=[(chart.account(chart.COCOA_INVENTORY), 112_649), (maria_account, -112_649)],
    )
    post_entry(
        date=date(2026, 3, 12),
        description="Adelanto a S-00003",
        source_key="test:adelanto:rosa",
        lines=[(rosa_account, 5_000), (chart.account(chart.CASH), -5_000)],
    )
    assert owed_to_member(coop["maria"]) == 0  # not found by text any more: the migration must link it

    run_the_migration()

    maria_account.refresh_from_db()
    rosa_account.refresh_from_db()
    assert maria_account.member_id == coop["maria"].pk and rosa_account.member_id == coop["rosa"].pk
    assert owed_to_member(coop["maria"]) == 112_649
    assert owed_to_member(coop["rosa"]) == -5_000
    assert chart.member_account(coop["maria"]) == maria_account
    assert verify_ledger().ok


def test_the_migration_refuses_an_account_whose_code_names_no_member(db):
    make_coop()
    _unlinked_account("SOC-S-00001")
    _unlinked_account("SOC-CHZ-00404")

    with pytest.raises(RuntimeError, match="SOC-CHZ-00404"):
        run_the_migration()

    # Nothing was linked.
    assert not Account.objects.filter(member__isnull=False).exists()


def test_the_migration_refuses_a_member_with_two_accounts(db):
    coop = make_coop()
    _unlinked_account("SOC-S-00001")
    Account.objects.create(
        code="SOC-S-00001-B", name="Segunda", kind="liability", currency="PEN", member=coop["maria"]
    )

    with pytest.raises(RuntimeError, match="SOC-S-00001, SOC-S-00001-B"):
        run_the_migration()

    assert Account.objects.get(code="SOC-S-00001").member_id is None


# --- The demo cooperative reads the same through the key as through the text ------------------------


def test_on_the_demo_balances_and_statements_are_what_the_account_codes_held(make_user):
    from django.db.models import Sum

    from config.demo import generate_seasons
    from coop.demo import generate_demo
    from coop.models import Season
    from ledger.models import JournalLine

    make_user("consejo_administracion", username="consejo")  # the demo's spending is signed by these two
    make_user("tesorero", username="tesorero")
    generate_demo(members=30, seed=4)
    generate_seasons(seed=4)

    def by_text(member, until=None):
        """What the old code read: the lines of the account whose code is «SOC-» and the member code."""
        lines = JournalLine.objects.filter(account__code=f"SOC-{member.code}")
        if until is not None:
            lines = lines.filter(entry__date__lte=until)
        return -int(lines.aggregate(total=Sum("amount"))["total"] or 0)

    members = list(Member.objects.order_by("code"))
    seasons = list(Season.objects.order_by("starts_on"))
    assert all(a.code == f"SOC-{a.member.code}" for a in Account.objects.filter(member__isnull=False))
    with_history = 0
    for member in members:
        assert owed_to_member(member) == by_text(member)
        for season in seasons:
            statement = member_statement(member=member, season=season)
            assert statement.closing_minor == by_text(member, until=season.ends_on)
            with_history += bool(statement.lines)
    assert with_history > len(members)  # most members have lines in more than one season
    everyone = JournalLine.objects.filter(account__code__startswith="SOC-").aggregate(total=Sum("amount"))
    assert owed_to_members_minor() == -everyone["total"] != 0
    assert verify_ledger().ok
