"""Recording a delivery: the price list, the plot's claim, the receipt number and the ledger entry."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from acopio.models import CocoaForm, Delivery, Grade, PriceRow
from acopio.selectors import DeliveryLookups, Lookups, quote_delivery
from acopio.services import void_delivery
from coop.models import MemberStatus
from ledger import chart
from ledger.member_accounts import owed_to_member
from ledger.models import JournalEntry
from ledger.selectors import balances_by_currency
from ledger.verification import verify_ledger
from tests.acopio.conftest import load_prices

pytestmark = pytest.mark.django_db


def test_a_dry_delivery_is_priced_from_the_list_and_owed_to_the_member(coop, deliver):
    delivery = deliver(gross_kg="100,5", tare_kg="1.25")
    assert delivery.receipt_code == "C01-000001"
    assert (delivery.gross_g, delivery.tare_g, delivery.net_g, delivery.dry_g) == (
        100_500,
        1_250,
        99_250,
        99_250,
    )
    # Organic since 2026-03-01 and Fairtrade: 99.25 kg × S/ 11.35 = 1,126.4875 → S/ 1,126.49 (half up, once).
    assert delivery.certification == "ft_org"
    assert delivery.price_per_kg == Decimal("11.35")
    assert delivery.amount_minor == 112_649
    assert owed_to_member(coop["maria"]) == 112_649
    entry = JournalEntry.objects.get(source_key="delivery:C01-000001")
    amounts = {line.account.code: line.amount for line in entry.lines.select_related("account")}
    assert amounts == {chart.COCOA_INVENTORY: 112_649, "SOC-S-00001": -112_649}
    assert balances_by_currency() == {"PEN": 0}


def test_a_delivery_reads_back_exactly_as_it_was_recorded(coop, deliver):
    # Written by hand (ledger.sql): every field must come back as the ORM would have stored it.
    delivery = deliver(submission_token=uuid.uuid4(), external_ref="BAL-1")
    stored = Delivery.objects.get(pk=delivery.pk)
    fields = [field.attname for field in Delivery._meta.concrete_fields]
    values = lambda row: {name: getattr(row, name) for name in fields}  # noqa: E731
    assert values(stored) == values(delivery)
    assert stored.recorded_at is not None and stored.status == "valid" and stored.yield_flag is False


def test_wet_cocoa_converts_to_dry_equivalent_with_the_season_factor(coop, deliver):
    delivery = deliver(
        form=CocoaForm.WET, grade=Grade.UNGRADED, gross_kg="61.7", tare_kg="0.5", moisture_pct="55"
    )
    # 61.2 kg wet × 0.370 = 22.644 kg dry; paid on the wet weight at the wet price, S/ 3.80.
    assert delivery.net_g == 61_200 and delivery.dry_g == 22_644
    assert delivery.amount_minor == 23_256  # 61.2 × 3.80 = 232.56


def test_the_claim_comes_from_the_plot_on_the_delivery_date(coop, deliver):
    before_organic = deliver(date=date(2026, 2, 27))
    after_organic = deliver(date=date(2026, 3, 1))
    assert before_organic.certification == "ft"
    assert after_organic.certification == "ft_org"
    in_transition = deliver(member=coop["segundo"], plot=coop["plots"]["segundo"])
    assert in_transition.certification == "conv"


def test_without_a_plot_the_member_claims_only_what_all_plots_can(coop, deliver):
    mixed = deliver(member=coop["rosa"], plot=None)
    assert mixed.certification == "conv"
    assert deliver(member=coop["rosa"], plot=coop["plots"]["rosa_ft"]).certification == "ft"


def test_a_newer_price_row_applies_from_its_date_and_the_old_one_is_locked(coop, deliver, admin_user_minka):
    first = deliver(date=date(2026, 3, 31))
    PriceRow.objects.create(
        valid_from=date(2026, 4, 1),
        form=CocoaForm.DRY,
        grade=Grade.GRADE_1,
        certification="ft_org",
        price_per_kg=Decimal("12.00"),
    )
    second = deliver(date=date(2026, 4, 1))
    assert (first.price_per_kg, second.price_per_kg) == (Decimal("11.35"), Decimal("12.00"))
    used = first.price_row
    used.price_per_kg = Decimal("1.00")
    with pytest.raises(ValidationError, match="ya se usó"):
        used.save()
    with pytest.raises(ValidationError, match="ya se usó"):
        used.delete()
    assert PriceRow.objects.get(pk=used.pk).price_per_kg == Decimal("11.35")


def test_receipt_numbers_are_gapless_per_centre_even_after_a_refusal(coop, deliver):
    assert deliver().receipt_code == "C01-000001"
    with pytest.raises(ValidationError):
        deliver(tare_kg="200")
    assert deliver().receipt_code == "C01-000002"
    assert deliver(centre=coop["other_centre"]).receipt_code == "C02-000001"
    coop["centre"].refresh_from_db()
    assert coop["centre"].last_receipt_number == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"gross_kg": "abc"}, "gross_kg", "no es un número"),
        ({"gross_kg": "10", "tare_kg": "10"}, "tare_kg", "menor que el peso bruto"),
        ({"gross_kg": "-5"}, "gross_kg", "negativo"),
        ({"gross_kg": "10.0005"}, "gross_kg", "3 decimales"),
        ({"moisture_pct": "120"}, "moisture_pct", "entre 0 y 99.9"),
        ({"grade": Grade.UNGRADED}, "grade", "Para cacao seco"),
        ({"date": date(2024, 6, 1)}, "date", "No hay campaña"),
        ({"date": date(2025, 6, 1)}, "grade", "No hay precio vigente al 01/06/2025"),
        ({"centre": None}, "centre", "centro"),
        ({"member": None}, "member", "socio"),
        ({"date": None}, "date", "Indique la fecha"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(coop, deliver, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        deliver(**overrides)
    assert message in " ".join(caught.value.message_dict[field])
    assert Delivery.objects.count() == 0 and JournalEntry.objects.count() == 0


def test_a_future_date_and_a_foreign_plot_and_a_withdrawn_member_are_refused(coop, deliver):
    with pytest.raises(ValidationError, match="futuro"):
        deliver(date=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="no es de"):
        deliver(plot=coop["plots"]["rosa_ft"])
    coop["segundo"].status = MemberStatus.WITHDRAWN
    coop["segundo"].save()
    with pytest.raises(ValidationError, match="retirado"):
        deliver(member=coop["segundo"], plot=None)


def test_the_same_form_sent_twice_records_one_delivery(coop, deliver):
    token = uuid.uuid4()
    first = deliver(submission_token=token)
    again = deliver(submission_token=token, gross_kg="999")
    assert again.pk == first.pk
    assert Delivery.objects.count() == 1 and JournalEntry.objects.count() == 1
    # The resent form takes no receipt number: the next delivery follows without a gap.
    coop["centre"].refresh_from_db()
    assert coop["centre"].last_receipt_number == 1
    assert deliver().receipt_code == "C01-000002"


def test_a_form_resent_without_a_member_still_returns_the_first_delivery(coop, deliver):
    token = uuid.uuid4()
    first = deliver(submission_token=token)
    assert deliver(submission_token=token, member=None, plot=None, date=None).pk == first.pk
    assert Delivery.objects.count() == 1


def test_recording_a_delivery_stays_within_its_statement_budget(coop, deliver, django_assert_max_num_queries):
    # Each member's account exists from their first delivery on, as for almost every delivery.
    deliver()
    deliver(member=coop["rosa"], plot=None)
    # 8 statements: take the receipt number (locks the centre), the plots, one read of season,
    # price, season total, resent-form check and the two accounts, the delivery, the ledger
    # counter lock, the entry, its lines, the counter update. The test's own transaction adds a
    # savepoint and its release.
    with django_assert_max_num_queries(10):
        deliver(submission_token=uuid.uuid4())
    with django_assert_max_num_queries(10):
        deliver(member=coop["rosa"], plot=None, form=CocoaForm.WET, grade=Grade.UNGRADED, moisture_pct="50")


@pytest.mark.parametrize(
    "case",
    [
        {},
        {"plot": None},
        {"member": "rosa", "plot": None},
        {"member": "rosa", "plot": "rosa_ft"},
        {"member": "segundo", "plot": None, "form": CocoaForm.WET, "grade": Grade.UNGRADED},
        {"date": date(2026, 2, 27)},
        {"date": date(2025, 6, 1)},  # no price list yet
        {"date": date(2024, 6, 1)},  # no season
        {"grade": Grade.UNGRADED},  # a wet grade for dry cocoa
    ],
    ids=[
        "plot",
        "no-plot",
        "mixed-plots",
        "ft-plot",
        "wet",
        "before-organic",
        "no-price",
        "no-season",
        "bad-grade",
    ],
)
def test_the_one_statement_reads_price_a_delivery_as_the_plain_lookups_do(coop, deliver, case):
    deliver(member=coop["rosa"], plot=None)  # a season total to read
    void_delivery(delivery=deliver(member=coop["rosa"], plot=None), reason="Duplicada", user=None)
    arguments = {
        "member": coop["maria"],
        "plot": coop["plots"]["maria"],
        "centre": coop["centre"],
        "date": date(2026, 3, 10),
        "form": CocoaForm.DRY,
        "grade": Grade.GRADE_1,
        "gross_kg": "80,5",
        "tare_kg": "0,5",
        "moisture_pct": "7",
    }
    arguments.update(case)
    if isinstance(arguments["member"], str):
        arguments["member"] = coop[arguments["member"]]
    if isinstance(arguments["plot"], str):
        arguments["plot"] = coop["plots"][arguments["plot"]]
    together = DeliveryLookups(
        member=arguments["member"],
        plot=arguments["plot"],
        date=arguments["date"],
        form=arguments["form"],
        grade=arguments["grade"],
    )
    expected = quote_delivery(**arguments, lookups=Lookups())
    got = quote_delivery(**arguments, lookups=together)
    assert got == expected
    quote = got[0]
    if quote is not None:
        assert quote.price_row.price_per_kg == expected[0].price_row.price_per_kg
        assert quote.season.wet_to_dry_factor == expected[0].season.wet_to_dry_factor
        assert (quote.season_dry_g_before, quote.yield_capacity_g) == (
            expected[0].season_dry_g_before,
            expected[0].yield_capacity_g,
        )


def test_an_external_reference_is_recorded_once(coop, deliver):
    deliver(external_ref="BAL-7")
    with pytest.raises(ValidationError, match="BAL-7"):
        deliver(external_ref="BAL-7")


def test_voiding_keeps_the_number_reverses_the_entry_and_allows_one_reissue(coop, deliver, admin_user_minka):
    wrong = deliver(gross_kg="200")
    void_delivery(delivery=wrong, reason="Peso mal digitado", user=admin_user_minka)
    wrong.refresh_from_db()
    assert wrong.is_void and wrong.receipt_code == "C01-000001"
    assert owed_to_member(coop["maria"]) == 0
    reissued = deliver(replaces=wrong)
    assert reissued.receipt_code == "C01-000002" and reissued.replaces == wrong
    with pytest.raises(ValidationError, match="ya fue reemplazado"):
        deliver(replaces=wrong)
    with pytest.raises(ValidationError, match="no está anulado"):
        deliver(replaces=reissued)
    with pytest.raises(ValidationError, match="ya está anulado"):
        void_delivery(delivery=wrong, reason="otra vez", user=admin_user_minka)
    with pytest.raises(ValidationError, match="motivo"):
        void_delivery(delivery=reissued, reason="  ", user=admin_user_minka)
    assert owed_to_member(coop["maria"]) == reissued.amount_minor
    assert verify_ledger().ok


def test_deliveries_beyond_the_plots_yield_are_flagged_not_refused(coop, deliver):
    # Segundo: 0.5 ha × 900 kg/ha = 450 kg dry in the season.
    first = deliver(member=coop["segundo"], plot=None, gross_kg="400", tare_kg="0")
    second = deliver(member=coop["segundo"], plot=None, gross_kg="50", tare_kg="0")
    third = deliver(member=coop["segundo"], plot=None, gross_kg="0.5", tare_kg="0")
    assert (first.yield_flag, second.yield_flag, third.yield_flag) == (False, False, True)
    # Another season starts from zero.
    load_prices(date(2025, 1, 1))
    other = deliver(member=coop["segundo"], plot=None, gross_kg="400", tare_kg="0", date=date(2025, 12, 1))
    assert not other.yield_flag
    # A void takes its kilos out of the season's total.
    void_delivery(delivery=second, reason="Era de otro socio", user=None)
    assert not deliver(member=coop["segundo"], plot=None, gross_kg="40", tare_kg="0").yield_flag
