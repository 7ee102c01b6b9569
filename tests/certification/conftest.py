import pytest

from tests.acopio.factories import make_coop, record


@pytest.fixture
def coop(db):
    return make_coop()


@pytest.fixture
def deliver(coop, admin_user_minka):
    def make(**overrides):
        return record(coop, admin_user_minka, **overrides)

    return make
