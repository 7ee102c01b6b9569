from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from toolkit.money import format_money, from_minor, round_to_minor, to_minor


@pytest.mark.parametrize(
    ("given", "minor"),
    [
        (Decimal("1234.56"), 123456),
        ("0.01", 1),
        ("-7.5", -750),
        (3, 300),
        ("1.230", 123),
        ("92233720368547758.07", 9223372036854775807),
    ],
)
def test_amounts_convert_to_exact_minor_units(given, minor):
    assert to_minor(given) == minor
    assert from_minor(minor) == Decimal(given)


def test_an_amount_with_more_than_two_decimals_is_refused_not_rounded():
    with pytest.raises(ValidationError, match="más de dos decimales"):
        to_minor(Decimal("10.005"))


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", ""])
def test_text_that_is_not_an_amount_is_refused(bad):
    with pytest.raises(ValidationError, match="no es un monto válido"):
        to_minor(bad)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_minor(0.1)


@pytest.mark.parametrize(
    ("computed", "minor"),
    [
        (Decimal("10.005"), 1001),
        (Decimal("10.004"), 1000),
        (Decimal("-10.005"), -1001),
        (Decimal("3.50") * Decimal("1.333"), 467),
    ],
)
def test_computed_amounts_round_half_up_once(computed, minor):
    assert round_to_minor(computed) == minor


def test_from_minor_keeps_two_places():
    assert str(from_minor(5)) == "0.05"
    assert str(from_minor(-123456)) == "-1234.56"


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (123456, "PEN", "S/ 1,234.56"),
        (123456, "USD", "US$ 1,234.56"),
        (5, "PEN", "S/ 0.05"),
        (-5, "PEN", "-S/ 0.05"),
        (100_000_000_00, "USD", "US$ 100,000,000.00"),
        (0, "PEN", "S/ 0.00"),
    ],
)
def test_money_is_formatted_the_peruvian_way(minor, currency, text):
    assert format_money(minor, currency) == text
