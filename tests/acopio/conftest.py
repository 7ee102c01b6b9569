"""The small cooperative and its ``coop`` / ``deliver`` fixtures live in tests/conftest.py, for every app."""

from tests.acopio.factories import DAY, PRICES, load_prices

__all__ = ["DAY", "PRICES", "load_prices"]
