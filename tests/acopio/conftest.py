"""Fixtures for buying cocoa; the setup itself lives in tests/acopio/factories.py."""

import pytest

from tests.acopio.factories import DAY, PRICES, load_prices, make_coop, record

__all__ = ["DAY", "PRICES", "load_prices"]


@pytest.fixture
def coop(db):
    return make_coop()


@pytest.fixture
def deliver(coop, admin_user_minka):
    """Record a delivery with sensible defaults (María, dry grade I, 100 kg gross, 1 kg tare)."""

    def make(**overrides):
        return record(coop, admin_user_minka, **overrides)

    return make
