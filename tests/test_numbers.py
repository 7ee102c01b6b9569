"""toolkit.numbers: the one reader for numbers people type (amounts, weights, rates, percentages)."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from toolkit.money import format_money, from_minor
from toolkit.numbers import (
    KgField,
    MoneyField,
    PercentField,
    RateField,
    TypedNumberField,
    number_from_cell,
    parse_decimal,
    parse_kg,
    parse_money,
    parse_percent,
    parse_rate,
    parse_whole,
)
from toolkit.templatetags.minka_money import kg as kg_display
from toolkit.templatetags.minka_money import tonnes as tonnes_display

NEG = {"allow_negative": True}
PEN = {"currency": "PEN"}
USD = {"currency": "USD"}


def same(got: Decimal, expected: str) -> bool:
    """Equal value and equal digits as typed (2500.00 is not 2500)."""
    return isinstance(got, Decimal) and str(got) == expected


def refusal(call, *args, **kwargs) -> ValidationError:
    with translation.override("es"), pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    caught.value.text = " ".join(caught.value.messages)
    return caught.value


# --- what is accepted -------------------------------------------------------------------------

ACCEPTED = [
    # What Minka displays.
    ("S/ 2,500.00", PEN, "2500.00"),
    ("2,500.00", {}, "2500.00"),
    ("US$ 1,734.5", USD, "1734.5"),
    ("US$ 1,734.50", USD, "1734.50"),
    ("2500", {}, "2500"),
    ("62.5", {}, "62.5"),
    ("S/ 15,419.00", PEN, "15419.00"),
    ("1,234,567.89", {}, "1234567.89"),
    ("-2,500.00", NEG, "-2500.00"),
    ("S/ -2,500.00", {**PEN, **NEG}, "-2500.00"),
    ("-S/ 2,500.00", {**PEN, **NEG}, "-2500.00"),  # ledger.money.format_money puts the sign first
    ("\u2212S/ 0.05", {**PEN, **NEG}, "-0.05"),  # U+2212 minus from a pasted document
    # Whitespace around, non-breaking spaces between sign and number.
    ("  2500  ", {}, "2500"),
    ("\t62.5\n", {}, "62.5"),
    ("S/\u00a02,500.00", PEN, "2500.00"),
    ("S/\u202f2,500.00", PEN, "2500.00"),
    ("S/ \u00a0\u202f 2,500.00", PEN, "2500.00"),
    ("\u00a0S/2,500.00\u202f", PEN, "2500.00"),
    # Currency signs, any case.
    ("S/. 2,500.00", PEN, "2500.00"),
    ("s/ 5", PEN, "5"),
    ("PEN 5", PEN, "5"),
    ("USD 5", USD, "5"),
    ("$5", USD, "5"),
    ("us$ 5.25", USD, "5.25"),
    ("S/ 2,500.00", {**PEN, "max_decimals": 2}, "2500.00"),
    # Units the caller allows.
    ("5 kg", {"unit": "kg"}, "5"),
    ("5kg", {"unit": "kg"}, "5"),
    ("1,234.5 KG", {"unit": "kg"}, "1234.5"),
    ("62.5%", {"unit": "%"}, "62.5"),
    ("62,5\u00a0%", {"unit": "%"}, "62.5"),
    # The decimal comma where it cannot mean anything else.
    ("62,5", {}, "62.5"),
    ("2500,75", {}, "2500.75"),
    ("0,5", {}, "0.5"),
    ("1,2345", {}, "1.2345"),
    ("12,34", {}, "12.34"),
    # A zero or empty integer part cannot be a thousands group.
    ("0.125", {}, "0.125"),
    ("0,125", {}, "0.125"),
    ("-0,125", NEG, "-0.125"),
    ("00,125", {}, "0.125"),
    (".5", {}, "0.5"),
    (",5", {}, "0.5"),
    (".125", {}, "0.125"),
    # Trailing zeros are not significant decimals: the way to type a weight of three decimals.
    ("62.1250", {"unit": "kg", "max_decimals": 3}, "62.1250"),
    ("2.50", {"max_decimals": 1}, "2.50"),
    # A quantity with a known range takes the only reading inside it (an exchange rate).
    ("3,418", {"between": (Decimal("0.5"), Decimal("20"))}, "3.418"),
    ("3.418", {"between": (Decimal("0.5"), Decimal("20"))}, "3.418"),
    ("1,250", {"between": (Decimal("100"), Decimal("5000"))}, "1250"),
    # Both marks: the last one is the decimal separator.
    ("2,500.50", {}, "2500.50"),
    ("2.500,50", {}, "2500.50"),
    ("1.234.567,89", {}, "1234567.89"),
    ("1,234,567.89", {}, "1234567.89"),
    ("2,500.505", {}, "2500.505"),
    # The same mark several times only groups.
    ("1.234.567", {}, "1234567"),
    ("1,234,567", {}, "1234567"),
    ("12,345,678", {}, "12345678"),
    # Odds and ends.
    ("007", {}, "7"),
    ("-0", {}, "0"),
    ("-0.00", {}, "0.00"),
    ("999,999,999,999,999.99", {}, "999999999999999.99"),
    ("1234567", {"max_digits": 7}, "1234567"),
]


@pytest.mark.parametrize(("typed", "options", "expected"), ACCEPTED)
def test_accepts(typed, options, expected):
    got = parse_decimal(typed, **options)
    assert same(got, expected), got


# --- what is refused, and what the person is told ------------------------------------------------

REFUSED = [
    # Ambiguous: a single mark followed by exactly three digits.
    ("2,500", {}, "ambiguous", "¿2500 o 2.5? Escriba 2500 o 2.5"),
    ("1.250", {}, "ambiguous", "¿1250 o 1.25? Escriba 1250 o 1.25"),
    ("2,000", {}, "ambiguous", "¿2000 o 2? Escriba 2000 o 2"),
    ("01,250", {}, "ambiguous", "¿1250 o 1.25? Escriba 1250 o 1.25"),
    # The decimal reading of three decimals is offered with a fourth zero, which is not ambiguous.
    ("62.125", {}, "ambiguous", "¿62125 o 62.125? Escriba 62125 o 62.1250"),
    ("1234,567", {}, "ambiguous", "¿1234567 o 1234.567? Escriba 1234567 o 1234.5670"),
    ("-2,500", NEG, "ambiguous", "¿-2500 o -2.5? Escriba -2500 o -2.5"),
    ("S/ 2,500", PEN, "ambiguous", "¿2500 o 2.5? Escriba 2500 o 2.5"),
    ("1.250 kg", {"unit": "kg", "max_decimals": 3}, "ambiguous", "¿1250 o 1.25? Escriba 1250 o 1.25"),
    ("3,418", {"between": (Decimal("0"), Decimal("10000"))}, "ambiguous", "¿3418 o 3.418?"),
    # More decimals than allowed.
    ("S/ 2.505", {**PEN, "max_decimals": 2}, "too_many_decimals", "Use como máximo 2 decimales"),
    ("S/ 2,500.505", {**PEN, "max_decimals": 2}, "too_many_decimals", "Use como máximo 2 decimales"),
    ("2.55", {"max_decimals": 1}, "too_many_decimals", "Use como máximo 1 decimal."),
    ("1,234.5678", {"max_decimals": 3}, "too_many_decimals", "Use como máximo 3 decimales"),
    ("2.5", {"max_decimals": 0}, "too_many_decimals", "escriba un número entero"),
    # Misplaced separators.
    ("2,50,0", {}, "invalid", "fuera de lugar"),
    ("2.5.00", {}, "invalid", "fuera de lugar"),
    ("1,2345.00", {}, "invalid", "fuera de lugar"),
    ("12,34.5", {}, "invalid", "fuera de lugar"),
    ("1,234.567,89", {}, "invalid", "fuera de lugar"),
    ("1.234,567.89", {}, "invalid", "fuera de lugar"),
    ("0,500.5", {}, "invalid", "fuera de lugar"),
    (",500.5", {}, "invalid", "fuera de lugar"),
    ("5,,0", {}, "invalid", "fuera de lugar"),
    ("1,234,56", {}, "invalid", "fuera de lugar"),
    ("5.", {}, "invalid", "fuera de lugar"),
    ("5,", {}, "invalid", "fuera de lugar"),
    ("2,500.", {}, "invalid", "fuera de lugar"),
    # Not a number at all.
    ("", {}, "empty", "Escriba un número."),
    ("   ", {}, "empty", "Escriba un número."),
    (",", {}, "invalid", "no es un número"),
    ("--5", NEG, "invalid", "no es un número"),
    ("-S/ -5", {**PEN, **NEG}, "invalid", "no es un número"),
    ("- 5", NEG, "invalid", "no es un número"),
    ("5-", NEG, "invalid", "no es un número"),
    ("+5", {}, "invalid", "no es un número"),
    ("abc", {}, "invalid", "no es un número"),
    ("5 soles", PEN, "invalid", "no es un número"),
    ("inf", {}, "invalid", "no es un número"),
    ("-inf", NEG, "invalid", "no es un número"),
    ("NaN", {}, "invalid", "no es un número"),
    ("Infinity", {}, "invalid", "no es un número"),
    ("5\x00", {}, "invalid", "no es un número"),
    ("\x005", {}, "invalid", "no es un número"),
    ("2\x0750", {}, "invalid", "no es un número"),
    ("2 500", {}, "invalid", "no es un número"),
    ("2'500", {}, "invalid", "no es un número"),
    ("\u0665", {}, "invalid", "no es un número"),  # Arabic-Indic five
    ("\uff15", {}, "invalid", "no es un número"),  # fullwidth five
    ("S/.5", PEN, "invalid", "no es un número"),  # S/. + 5 or S/ + .5?
    ("5 kg", {}, "invalid", "no es un número"),
    ("5 g", {"unit": "kg"}, "invalid", "no es un número"),
    ("5 %", {"unit": "kg"}, "invalid", "no es un número"),
    # Exponents.
    ("1e5", {}, "invalid", "notación científica"),
    ("1E+5", {}, "invalid", "notación científica"),
    ("2.5e-3", {}, "invalid", "notación científica"),
    ("1e999999999", {}, "invalid", "notación científica"),
    # Currency signs.
    ("S/ S/ 5", PEN, "invalid", "no es un número"),
    ("S/ US$ 5", PEN, "invalid", "no es un número"),
    ("US$ 5 S/", USD, "invalid", "no es un número"),
    ("US$ 5", PEN, "wrong_currency", "no es un monto en S/."),
    ("$ 5", PEN, "wrong_currency", "no es un monto en S/."),
    ("S/ 5", USD, "wrong_currency", "no es un monto en US$."),
    ("S/ 5", {}, "wrong_currency", "aquí se escribe solo el número"),
    # Negative where it is not allowed.
    ("-5", {}, "negative", "no puede ser negativo"),
    ("S/ -2,500.00", PEN, "negative", "no puede ser negativo"),
    ("-S/ 2,500.00", PEN, "negative", "no puede ser negativo"),
    # Too big.
    ("1234567890123456", {}, "out_of_range", "como máximo 15 cifras"),
    ("1,234,567,890,123,456.5", {}, "out_of_range", "como máximo 15 cifras"),
    ("12345678", {"max_digits": 7}, "out_of_range", "como máximo 7 cifras"),
    pytest.param("9" * 100_000, {}, "out_of_range", "como máximo 15 cifras", id="100000 nines"),
    pytest.param(
        "0" + "9" * 5000 + ",000",
        {},
        "ambiguous",
        "¿" + "9" * 5000 + "000 o " + "9" * 5000 + "?",
        id="5000 nines,000",
    ),  # more digits than int() converts
]


@pytest.mark.parametrize(("typed", "options", "code", "says"), REFUSED)
def test_refuses(typed, options, code, says):
    error = refusal(parse_decimal, typed, **options)

    assert error.code == code
    assert f"«{typed.strip()}»" in error.text or code == "empty"
    assert says in error.text
    assert error.params["typed"] == typed.strip()


def test_the_ambiguous_message_has_both_readings_and_what_was_typed():
    error = refusal(parse_decimal, "  2,500 ")
    assert error.text == "«2,500»: ¿2500 o 2.5? Escriba 2500 o 2.5."
    assert error.params == {"typed": "2,500", "grouped": "2500", "decimal": "2.5", "decimal_typed": "2.5"}


def test_the_result_is_an_exact_decimal_never_a_float():
    got = parse_decimal("0,1")
    assert type(got) is Decimal
    assert got * 3 == Decimal("0.3")


def test_text_is_required():
    with pytest.raises(TypeError):
        parse_decimal(2500)
    with pytest.raises(ValueError, match="EUR"):
        parse_decimal("5", currency="EUR")


# --- the shortcuts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "typed", "expected"),
    [
        (parse_money, "S/ 2,500.00", "2500.00"),
        (parse_money, "2500,5", "2500.5"),
        (parse_kg, "1,234.567 kg", "1234.567"),
        (parse_kg, "62,5", "62.5"),
        (parse_kg, "0.125kg", "0.125"),
        (parse_rate, "3.7512", "3.7512"),
        (parse_rate, "3,75", "3.75"),
        (parse_percent, "62.5 %", "62.5"),
        (parse_percent, "100", "100"),
    ],
)
def test_shortcuts_accept(call, typed, expected):
    assert same(call(typed), expected)


def test_parse_money_in_dollars():
    assert same(parse_money("US$ 1,734.5", currency="USD"), "1734.5")
    assert same(parse_money("USD 1,734.50", currency="USD"), "1734.50")
    assert same(parse_money("-S/ 0.05", allow_negative=True), "-0.05")


@pytest.mark.parametrize(
    ("call", "typed", "code"),
    [
        (parse_money, "S/ 2.505", "too_many_decimals"),
        (parse_money, "US$ 5", "wrong_currency"),
        (parse_money, "-5", "negative"),
        (parse_money, "5 kg", "invalid"),
        (parse_kg, "1,234.5678", "too_many_decimals"),
        (parse_kg, "S/ 5", "wrong_currency"),
        (parse_kg, "62.125", "ambiguous"),
        (parse_rate, "3.75125", "too_many_decimals"),
        (parse_rate, "3.75 %", "invalid"),
        (parse_percent, "12.340", "ambiguous"),
        (parse_percent, "12.345", "too_many_decimals"),
        (parse_percent, "12.3456 %", "too_many_decimals"),
        (parse_percent, "62.5 kg", "invalid"),
    ],
)
def test_shortcuts_refuse(call, typed, code):
    assert refusal(call, typed).code == code


def test_money_names_the_expected_currency():
    assert refusal(parse_money, "S/ 5", currency="USD").text == "«S/ 5» no es un monto en US$."
    assert refusal(parse_money, "S/ 2.505").text == (
        "«S/ 2.505» tiene demasiados decimales. Use como máximo 2 decimales."
    )


# --- spreadsheet cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "options", "expected"),
    [
        (2500, {}, "2500"),
        (Decimal("2500.00"), {"max_decimals": 2}, "2500.00"),
        (2500.5, {"max_decimals": 2}, "2500.5"),
        (0.1, {}, "0.1"),
        (1734.55, {"max_decimals": 2}, "1734.55"),
        (-5, NEG, "-5"),
        (-0.0, {}, "0.0"),
        ("S/ 2,500.00", PEN, "2500.00"),
        ("62,5", {}, "62.5"),
    ],
)
def test_cells_as_numbers(cell, options, expected):
    assert same(number_from_cell(cell, **options), expected)


def test_an_empty_cell_is_none():
    assert number_from_cell(None) is None


@pytest.mark.parametrize(
    ("cell", "options", "code"),
    [
        (float("nan"), {}, "invalid"),
        (float("inf"), {}, "invalid"),
        (float("-inf"), NEG, "invalid"),
        (Decimal("NaN"), {}, "invalid"),
        (Decimal("Infinity"), {}, "invalid"),
        (True, {}, "invalid"),
        (datetime.date(2025, 3, 1), {}, "invalid"),
        (0.1 + 0.2, {"max_decimals": 2}, "too_many_decimals"),  # 0.30000000000000004, as the cell holds it
        (2.505, {"max_decimals": 2}, "too_many_decimals"),
        (1e16, {}, "out_of_range"),
        (10**15, {}, "out_of_range"),
        (Decimal("1E+20"), {}, "out_of_range"),
        (-5, {}, "negative"),
        ("2,500", {}, "ambiguous"),
        ("", {}, "empty"),
    ],
)
def test_cells_refused(cell, options, code):
    error = refusal(number_from_cell, cell, **options)
    assert error.code == code


def test_a_refused_cell_is_echoed_as_it_displays():
    assert refusal(number_from_cell, 0.1 + 0.2, max_decimals=2).params["typed"] == "0.30000000000000004"


# --- form fields ----------------------------------------------------------------------------------


class PaymentForm(forms.Form):
    amount = MoneyField()
    dollars = MoneyField(currency="USD", required=False)
    weight = KgField(required=False)
    rate = RateField(required=False)
    share = PercentField(required=False)
    count = TypedNumberField(required=False, parse_options={"max_decimals": 0})


def test_form_fields_give_decimals():
    form = PaymentForm(
        data={
            "amount": " S/ 2,500.00 ",
            "dollars": "US$ 1,734.5",
            "weight": "1,234.5 kg",
            "rate": "3.7512",
            "share": "62,5 %",
            "count": "12",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "amount": Decimal("2500.00"),
        "dollars": Decimal("1734.5"),
        "weight": Decimal("1234.5"),
        "rate": Decimal("3.7512"),
        "share": Decimal("62.5"),
        "count": Decimal("12"),
    }


def test_form_fields_empty_and_refused():
    with translation.override("es"):
        form = PaymentForm(data={"amount": "", "dollars": "S/ 5", "weight": "1.250", "count": "2.5"})
        assert not form.is_valid()
        assert form.errors["amount"] == ["Este campo es obligatorio."]
        assert form.errors["dollars"] == ["«S/ 5» no es un monto en US$."]
        assert form.errors["weight"] == ["«1.250»: ¿1250 o 1.25? Escriba 1250 o 1.25."]
        assert form.errors["count"] == ["«2.5» lleva decimales; escriba un número entero."]
        assert form.errors.as_data()["weight"][0].code == "ambiguous"


def test_a_count_typed_with_a_thousands_mark_is_asked_about_offering_only_the_whole_reading():
    """1.25 cannot be a count: «1,250» is not told it «lleva decimales» but asked whether 1250 was meant."""
    with translation.override("es"):
        for typed, grouped in (("1,250", "1250"), ("2.500", "2500"), ("12,005", "12005")):
            with pytest.raises(ValidationError) as refused:
                parse_whole(typed)
            assert refused.value.code == "ambiguous"
            assert refused.value.messages == [
                f"«{typed}»: ¿{grouped}? Un número entero se escribe sin punto ni coma: {grouped}."
            ]
        with pytest.raises(ValidationError) as refused:
            parse_whole("1.000")  # both readings are whole: both are offered
        assert refused.value.messages == ["«1.000»: ¿1000 o 1? Escriba 1000 o 1."]


def test_form_widget_is_a_text_box_for_decimals():
    html = str(PaymentForm()["amount"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert "number" not in html


def test_form_field_knows_an_unchanged_amount():
    form = PaymentForm(initial={"amount": Decimal("2500.00")}, data={"amount": "S/ 2,500.00"})
    assert not form["amount"].field.has_changed(Decimal("2500.00"), "S/ 2,500.00")
    assert form["amount"].field.has_changed(Decimal("2500.00"), "S/ 2,500.01")


# --- properties: what Minka displays reads back as itself ------------------------------------


MINOR = st.integers(min_value=-(10**15), max_value=10**15)


@given(minor=MINOR, currency=st.sampled_from(["PEN", "USD"]))
@example(minor=250_000, currency="PEN")
@example(minor=-5, currency="PEN")
@example(minor=173_450, currency="USD")
def test_money_as_minka_displays_it_reads_back(minor, currency):
    shown = format_money(minor, currency)  # 'S/ 2,500.00', '-US$ 0.05'
    sign = {"PEN": "S/ ", "USD": "US$ "}[currency]
    bare = shown.replace(sign, "")
    for text in (shown, bare, shown.replace(",", ""), bare.replace(",", "")):
        got = parse_money(text, currency=currency, allow_negative=True)
        assert same(got, str(from_minor(minor))), (text, got)


@given(minor=MINOR)
def test_money_with_the_decimal_comma_reads_back(minor):
    """«2.500,50»: the grouping the other way round, as Spanish-speaking spreadsheets show it."""
    shown = format_money(minor, "PEN").translate(str.maketrans(",.", ".,"))
    assert parse_money(shown, allow_negative=True) == from_minor(minor)


def one_mark_then_three_digits(text: str) -> bool:
    """The shape the parser must refuse as ambiguous: «62.125», «2,500» (integer part not zero)."""
    match = re.fullmatch(r"-?([0-9]*)[.,]([0-9]{3})", text)
    return bool(match) and match[1].strip("0") != ""


GRAMS = st.integers(min_value=0, max_value=10**15)


@given(grams=GRAMS)
@example(grams=1_234_500)
@example(grams=1_234_000)
@example(grams=62_125)
@example(grams=125)
def test_kg_as_minka_displays_it_reads_back(grams):
    """Minka never shows a weight it would refuse as ambiguous if it were typed back."""
    expected = Decimal(grams) / 1000
    shown = kg_display(grams)  # '1,234.5 kg', '62.1250 kg', '1,234.0 kg'
    number = shown.removesuffix(" kg")
    assert not one_mark_then_three_digits(number), shown
    assert parse_kg(shown) == expected
    assert parse_kg(number) == expected


@given(kg=st.integers(min_value=0, max_value=10**12))
@example(kg=25_000)
@example(kg=1_234_000)
@example(kg=12_345)
def test_tonnes_as_minka_displays_them_read_back(kg):
    shown = tonnes_display(kg)  # '25 t', '1,234.0 t', '12.3450 t'
    assert parse_decimal(shown, unit="t", max_decimals=3) == Decimal(kg) / 1000, shown


@given(
    whole=st.integers(min_value=1, max_value=999),
    fraction=st.integers(min_value=0, max_value=999),
    mark=st.sampled_from(".,"),
    low=st.integers(min_value=0, max_value=10**7),
    span=st.integers(min_value=0, max_value=10**7),
)
def test_a_range_settles_the_reading_only_when_one_reading_is_outside_it(whole, fraction, mark, low, span):
    typed, between = f"{whole}{mark}{fraction:03d}", (Decimal(low) / 1000, Decimal(low + span) / 1000)
    inside = {r for r in (Decimal(f"{whole}{fraction:03d}"), Decimal(f"{whole}.{fraction:03d}"))}
    inside = {r for r in inside if between[0] <= r <= between[1]}
    if len(inside) == 1:
        assert parse_decimal(typed, between=between) in inside
    else:
        assert refusal(parse_decimal, typed, between=between).code == "ambiguous"


@given(grams=st.integers(min_value=1_000_000, max_value=10**15))
def test_kg_with_grouping_and_three_decimals_reads_back(grams):
    """Any weight of a tonne or more shown with grouping («1,234.567») has both marks: never ambiguous."""
    value = Decimal(grams).scaleb(-3)
    for text in (f"{value:,.3f}", f"{value:,.3f} kg", f"{value:.3f}".replace(".", ",")):
        if one_mark_then_three_digits(text):
            continue  # «1234,567» without grouping: asked about, as above
        got = parse_kg(text)
        assert same(got, str(value)), (text, got)


@given(ten_thousandths=st.integers(min_value=0, max_value=10**12))
@example(ten_thousandths=37_512)
def test_rates_with_four_decimals_read_back(ten_thousandths):
    value = Decimal(ten_thousandths).scaleb(-4)
    for text in (f"{value:.4f}", f"{value:,.4f}", f"{value:.4f}".replace(".", ",")):
        got = parse_rate(text)
        assert same(got, str(value)), (text, got)


# --- property: an accepted reading is the only reading ---------------------------------------


def readings(text: str) -> set[Decimal]:
    """Every value ``text`` (digits, points, commas, one leading minus) can mean, taking either mark
    as the decimal separator and the other as thousands grouping: an independent, naive model."""
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    found = set()
    for point, grouping in ((".", ","), (",", ".")):
        whole, _, fraction = body.partition(point)
        if point in fraction or grouping in fraction or (point in body and not fraction):
            continue
        if grouping in whole:
            first, *rest = whole.split(grouping)
            if not (1 <= len(first) <= 3 and first[0] != "0" and all(len(g) == 3 for g in rest)):
                continue
            whole = whole.replace(grouping, "")
        if not (whole + fraction).isdigit() or not (whole or fraction):
            continue
        found.add(Decimal(f"{sign}{whole or '0'}.{fraction or '0'}"))
    return found


typed_numbers = st.one_of(
    st.text(alphabet="0123456789.,", min_size=1, max_size=14),
    st.builds(
        lambda minus, text: minus + text,
        st.sampled_from(["", "-"]),
        st.text(alphabet="0123456789.,", min_size=1, max_size=14),
    ),
    st.builds(
        lambda whole, mark, fraction: f"{whole}{mark}{fraction}",
        st.integers(min_value=0, max_value=10**7).map(str),
        st.sampled_from(".,"),
        st.text(alphabet="0123456789", min_size=1, max_size=5),
    ),
)


@settings(max_examples=1000)
@given(text=typed_numbers)
@example(text="2,500")
@example(text="1.234.567")
@example(text="0,125")
@example(text="1234,567")
def test_an_accepted_number_has_no_other_reading(text):
    """Never 1000 times too big or too small: if the parser reads a value, it is the only one."""
    try:
        got = parse_decimal(text, allow_negative=True)
    except ValidationError as error:
        if error.code == "ambiguous":  # the decimal reading is always possible; thousands may be too
            assert Decimal(error.params["decimal"]) in readings(text)
            assert Decimal(error.params["grouped"]) == Decimal(error.params["decimal"]) * 1000
        return
    assert readings(text) == {got}, (text, got, readings(text))


@given(
    whole=st.integers(min_value=1, max_value=10**9),
    fraction=st.integers(min_value=0, max_value=999),
    mark=st.sampled_from(".,"),
    minus=st.sampled_from(["", "-"]),
)
def test_one_mark_followed_by_three_digits_is_always_asked_about(whole, fraction, mark, minus):
    typed = f"{minus}{whole}{mark}{fraction:03d}"
    error = refusal(parse_decimal, typed, allow_negative=True)
    assert error.code == "ambiguous"
    grouped, decimal = Decimal(error.params["grouped"]), Decimal(error.params["decimal"])
    assert grouped == decimal * 1000
    assert f"¿{error.params['grouped']} o {error.params['decimal']}? " in error.text
    assert "," not in error.params["grouped"] + error.params["decimal"]
