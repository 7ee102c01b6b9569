"""A member's account: advances, payments and agreed deductions against what deliveries earned."""

import re
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ledger import chart
from ledger.member_accounts import owed_to_member
from ledger.models import JournalEntry, MemberMovement
from ledger.selectors import balances_by_currency
from ledger.services import record_movement
from ledger.verification import verify_ledger
from tests.acopio.conftest import DAY
from toolkit.money import format_money
from toolkit.roles import ADMINISTRATOR, BOARD, CLERK

pytestmark = pytest.mark.django_db

OWED = 112_649  # María's delivery: 99.25 kg × S/ 11.35


@pytest.fixture
def maria(coop, deliver):
    deliver(gross_kg="100,5", tare_kg="1.25")
    assert owed_to_member(coop["maria"]) == OWED
    return coop["maria"]


@pytest.fixture
def move(admin_user_minka):
    def make(member, **overrides):
        arguments = {
            "kind": "payment",
            "method": "cash",
            "date": DAY,
            "amount": "100.00",
            "document": f"V-{uuid.uuid4().hex[:8]}",
            "user": admin_user_minka,
        }
        arguments.update(overrides)
        return record_movement(member=member, **arguments)

    return make


def amounts_of(movement) -> dict[str, int]:
    return {line.account.code: line.amount for line in movement.entry.lines.select_related("account")}


def refused(call, field: str) -> str:
    """Run a movement that must be refused and write nothing; return its message for ``field``."""
    movements, entries = MemberMovement.objects.count(), JournalEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        call()
    assert (MemberMovement.objects.count(), JournalEntry.objects.count()) == (movements, entries)
    return " ".join(caught.value.message_dict[field])


# --- The service ------------------------------------------------------------------


def test_an_advance_may_exceed_the_balance_and_leaves_the_member_owing(maria, move):
    advance = move(maria, kind="advance", method="wallet", amount="2000")
    assert advance.amount_minor == 200_000
    assert owed_to_member(maria) == OWED - 200_000 < 0
    assert amounts_of(advance) == {"SOC-S-00001": 200_000, chart.MOBILE_WALLET: -200_000}
    assert balances_by_currency() == {"PEN": 0}


def test_an_advance_to_a_member_who_never_delivered(coop, move):
    move(coop["segundo"], kind="advance", method="bank", amount="50,5")
    assert owed_to_member(coop["segundo"]) == -5_050


def test_a_payment_is_taken_from_cash_bank_or_wallet(maria, move):
    for method, account in (("cash", chart.CASH), ("bank", chart.BANK), ("wallet", chart.MOBILE_WALLET)):
        payment = move(maria, method=method, amount="100")
        assert amounts_of(payment) == {"SOC-S-00001": 10_000, account: -10_000}
    assert owed_to_member(maria) == OWED - 30_000


def test_a_payment_of_exactly_what_is_owed_settles_the_account(maria, move):
    move(maria, amount="1126.49")
    assert owed_to_member(maria) == 0


def test_a_payment_beyond_what_is_owed_is_refused_and_writes_nothing(maria, move):
    message = refused(lambda: move(maria, amount="1126.50"), "amount")
    assert message == (
        "El importe supera lo que la cooperativa debe al socio (S/ 1,126.49). Regístrelo como adelanto."
    )
    assert owed_to_member(maria) == OWED


def test_a_payment_to_a_member_who_already_owes_says_nothing_is_owed(coop, move):
    move(coop["segundo"], kind="advance", amount="10")
    message = refused(lambda: move(coop["segundo"], amount="1"), "amount")
    assert "(S/ 0.00)" in message


@pytest.mark.parametrize(
    ("kind", "account"),
    [
        ("input_credit", chart.INPUT_CREDIT_RECEIVABLE),
        ("loan", chart.LOANS_RECEIVABLE),
    ],
)
def test_a_deduction_posts_against_what_the_member_owes_the_cooperative(maria, move, kind, account):
    deduction = move(maria, kind=kind, method="cash", amount="326.49", document="ACUERDO-7")
    assert deduction.method == ""  # a deduction moves no money, whatever the form sent
    assert amounts_of(deduction) == {"SOC-S-00001": 32_649, account: -32_649}
    assert owed_to_member(maria) == 80_000
    assert chart.account(account).lines.get().amount == -32_649
    # Agreed from what the member is owed: never more than that.
    assert "supera lo que la cooperativa debe al socio (S/ 800.00)" in refused(
        lambda: move(maria, kind=kind, amount="800.01"), "amount"
    )
    assert verify_ledger().ok


@pytest.mark.parametrize("document", ["", "   ", None])
def test_a_movement_without_a_document_is_refused(maria, move, document):
    assert "Indique el documento" in refused(lambda: move(maria, document=document), "document")


def test_a_document_is_recorded_once_per_member_and_kind(coop, maria, move):
    move(maria, document="OP-123")
    with pytest.raises(ValidationError, match="OP-123"):
        move(maria, document="OP-123")
    with pytest.raises(ValidationError, match="OP-123"):
        move(maria, document=" OP-123 ", method="bank")
    assert MemberMovement.objects.filter(document="OP-123").count() == 1
    assert owed_to_member(maria) == OWED - 10_000
    # The same number as another kind of movement, or for another member, is another document.
    move(maria, document="OP-123", kind="loan")
    move(coop["segundo"], document="OP-123", kind="advance")
    assert MemberMovement.objects.filter(document="OP-123").count() == 3


def test_the_same_submission_returns_the_same_movement(maria, move):
    token = uuid.uuid4()
    first = move(maria, submission_token=token, amount="100")
    again = move(maria, submission_token=token, amount="900", document="otro")
    assert again.pk == first.pk and again.amount_minor == 10_000
    assert MemberMovement.objects.count() == 1
    assert owed_to_member(maria) == OWED - 10_000


@pytest.mark.parametrize("amount", [100.5, 100.0, 0.1 + 0.2])
def test_a_float_amount_is_refused(maria, move, amount):
    # A float is a caller's mistake, not something typed: refused (TypeError or ValidationError),
    # never rounded.
    movements, entries = MemberMovement.objects.count(), JournalEntry.objects.count()
    with pytest.raises((TypeError, ValidationError), match="float"):
        move(maria, amount=amount)
    assert (MemberMovement.objects.count(), JournalEntry.objects.count()) == (movements, entries)
    assert owed_to_member(maria) == OWED


def test_decimal_and_integer_amounts_are_taken_exactly(maria, move):
    assert move(maria, amount=Decimal("0.10")).amount_minor == 10
    assert move(maria, amount=3).amount_minor == 300
    assert move(maria, kind="advance", amount=" 1234,5 ").amount_minor == 123_450
    assert owed_to_member(maria) == OWED - 10 - 300 - 123_450


@pytest.mark.parametrize(
    "amount, says",
    [
        ("10.005", "«10.005» tiene demasiados decimales. Use como máximo 2 decimales."),
        ("0.001", "«0.001» tiene demasiados decimales. Use como máximo 2 decimales."),
        (Decimal("1.999"), "El monto 1.999 tiene más de dos decimales."),
    ],
)
def test_more_than_two_decimals_is_refused_not_rounded(maria, move, amount, says):
    assert says in refused(lambda: move(maria, amount=amount), "amount")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Indique el importe."),
        ("0", "mayor que cero"),
        ("-5", "mayor que cero"),
        ("cien", "«cien» no es un número"),
    ],
)
def test_an_amount_that_is_not_a_positive_sum_is_refused(maria, move, amount, message):
    assert message in refused(lambda: move(maria, amount=amount), "amount")


def test_kind_method_and_date_are_checked(maria, move):
    assert "tipo de movimiento" in refused(lambda: move(maria, kind="regalo"), "kind")
    assert "medio de pago" in refused(lambda: move(maria, kind="advance", method=""), "method")
    assert "Indique la fecha" in refused(lambda: move(maria, date=None), "date")


# --- The page ---------------------------------------------------------------------


def page_balance(client, member) -> int:
    html = client.get(reverse("coop:member_detail", args=[member.code])).content.decode()
    found = re.search(r'data-balance="(-?\d+)">([^<]+)<', html)
    assert found, "no balance on the member page"
    minor, shown = int(found.group(1)), found.group(2)
    assert shown == format_money(minor, "PEN")
    return minor


def movement_form(**overrides) -> dict:
    data = {
        "kind": "payment",
        "method": "cash",
        "date": DAY.isoformat(),
        "amount": "500,25",
        "document": "V-0001",
        "note": "Pago parcial",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_the_page_opens_with_a_token_and_the_kind_asked_for(maria, role_clients):
    url = reverse("ledger:movement_new", args=[maria.code])
    html = role_clients[ADMINISTRATOR].get(url, {"tipo": "loan"}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    uuid.UUID(token)
    assert '<option value="loan" selected>' in html
    assert "María Luz Tuanama Sangama" in html


def test_a_payment_posted_on_the_page_shows_on_the_member_page_to_the_centimo(maria, role_clients):
    admin = role_clients[ADMINISTRATOR]
    url = reverse("ledger:movement_new", args=[maria.code])
    data = movement_form()
    response = admin.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{maria.get_absolute_url()}#cuenta"
    followed = admin.get(response["Location"]).content.decode()
    assert "Pago registrado por S/ 500.25: documento V-0001." in followed
    assert "V-0001" in followed and "Pago parcial" in followed and "S/ 626.24" in followed
    assert owed_to_member(maria) == OWED - 50_025 == 62_624
    assert page_balance(admin, maria) == owed_to_member(maria)
    assert page_balance(role_clients[BOARD], maria) == 62_624

    # The same form sent again is the same payment.
    assert admin.post(url, data).status_code == 302
    assert MemberMovement.objects.count() == 1
    # A deduction and an advance later, the page still agrees with the ledger.
    admin.post(url, movement_form(kind="input_credit", method="", amount="26.24", document="INS-3"))
    admin.post(url, movement_form(kind="advance", method="wallet", amount="1000", document="YAPE-1"))
    assert MemberMovement.objects.count() == 3
    assert owed_to_member(maria) == 62_624 - 2_624 - 100_000 == -40_000
    assert page_balance(role_clients[CLERK], maria) == -40_000


def test_a_refused_movement_on_the_page_says_why_and_saves_nothing(maria, role_clients):
    admin = role_clients[ADMINISTRATOR]
    url = reverse("ledger:movement_new", args=[maria.code])
    response = admin.post(url, movement_form(amount="5000"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "No se guardó el movimiento." in html
    assert "El importe supera lo que la cooperativa debe al socio (S/ 1,126.49)" in html
    assert re.search(r'<input id="id_amount" name="amount"[^>]* value="5000"', html)  # kept as typed
    for problem, message in (
        ({"document": ""}, "Indique el documento"),
        ({"amount": ""}, "Indique el importe."),
        ({"amount": "1.005"}, "como máximo 2 decimales"),
        ({"date": "31/02/2026"}, "<li>Fecha no válida.</li>"),
    ):
        response = admin.post(url, movement_form(**problem))
        html = response.content.decode()
        assert response.status_code == 400 and message in html, problem
        # Only what is wrong is reported: a date that was typed correctly is not called missing.
        if "date" not in problem:
            assert "Indique la fecha" not in html, problem
    assert MemberMovement.objects.count() == 0
    assert page_balance(admin, maria) == OWED


def test_a_repeated_document_on_the_page_is_refused_with_a_message(maria, role_clients):
    admin = role_clients[ADMINISTRATOR]
    url = reverse("ledger:movement_new", args=[maria.code])
    assert admin.post(url, movement_form(document="OP-55", amount="10")).status_code == 302
    response = admin.post(url, movement_form(document="OP-55", amount="10"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "El documento OP-55 ya fue registrado para este socio" in html
    assert "No se guardó el movimiento." in html
    assert "movement:" not in html  # the ledger's internal key is not shown to people
    assert MemberMovement.objects.count() == 1
    assert page_balance(admin, maria) == OWED - 1_000


def test_only_the_administration_posts_movements(maria, role_clients):
    url = reverse("ledger:movement_new", args=[maria.code])
    for role in (CLERK, BOARD):
        assert role_clients[role].post(url, movement_form()).status_code == 403
    assert MemberMovement.objects.count() == 0
    assert owed_to_member(maria) == OWED
    unknown = reverse("ledger:movement_new", args=["S-77777"])
    assert role_clients[ADMINISTRATOR].get(unknown).status_code == 404


def test_a_mistaken_payment_is_voided_and_reentered_with_the_same_voucher(maria, move, admin_user_minka):
    from ledger.services import reverse_movement

    wrong = move(maria, amount="1000.00", document="OP-77")
    reverse_movement(movement=wrong, reason="Monto mal digitado", user=admin_user_minka)
    assert owed_to_member(maria) == OWED
    right = move(maria, amount="100.00", document="OP-77")
    assert owed_to_member(maria) == OWED - 10_000
    assert MemberMovement.objects.count() == 2 and wrong.is_reversed and not right.is_reversed
    with pytest.raises(ValidationError, match="ya fue anulado"):
        reverse_movement(movement=wrong, reason="otra vez", user=admin_user_minka)
    with pytest.raises(ValidationError, match="motivo"):
        reverse_movement(movement=right, reason=" ", user=admin_user_minka)
    with pytest.raises(ValidationError, match="ya fue registrado"):
        move(maria, amount="5.00", document="OP-77")
    assert verify_ledger().ok


def test_voiding_on_the_member_page_marks_it_and_fixes_the_totals(maria, move, role_clients):
    payment = move(maria, amount="50.00", document="OP-88")
    admin = role_clients[ADMINISTRATOR]
    url = reverse("ledger:movement_reverse", args=[maria.code, payment.pk])
    assert role_clients["acopiador"].post(url, {"reason": "x"}).status_code == 403
    response = admin.post(url, {"reason": "Pago duplicado"}, follow=True)
    html = response.content.decode()
    assert "anulado; su asiento fue revertido" in html and "ANULADO" in html
    assert page_balance(admin, maria) == OWED
    assert response.context["account"].paid_minor == 0
