"""The small cooperative of tests/acopio (seasons, centres, prices, three members), for certification."""

import pytest

from tests.acopio.factories import make_coop, record


@pytest.fixture
def coop(db):
    return make_coop()


@pytest.fixture
def deliver(coop, admin_user_minka):
    """Record a delivery with sensible defaults (María, dry grade I, 100 kg gross, 1 kg tare)."""

    def make(**overrides):
        return record(coop, admin_user_minka, **overrides)

    return make
