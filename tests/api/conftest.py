"""A small cooperative the API reads: three members with plots (one with a polygon), a delivery in a
lot sold on a buyer's contract, and clients of each kind with keys."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from acopio.services import build_lot
from api import services
from api.models import ConsentAction, ConsentHow, InstitutionKind, Scope
from sales.services import record_contract
from tests.acopio.factories import make_coop, record

ALL_SCOPES = list(Scope.values)
POLYGON = (
    '{"type": "Polygon", "coordinates": [[[-76.100000, -6.400000], [-76.099000, -6.400000], '
    "[-76.099000, -6.401000], [-76.100000, -6.401000], [-76.100000, -6.400000]]]}"
)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, make_user):
    user = make_user("administrador", username="admin_api")
    coop = make_coop()
    plot = coop["plots"]["maria"]
    plot.geometry = POLYGON
    plot.total_area_ha = Decimal("1.5")
    plot.full_clean()
    plot.save()
    made = record(coop, user)
    lot = build_lot(
        code="L-API-1",
        season=made.season,
        claim=made.certification,
        for_eu=False,
        receipts=[made.receipt_code],
        user=user,
    )
    contract = record_contract(
        number="CV-API-1",
        buyer="Chocolates del Norte SAC",
        signed_on=made.date,
        terms="conv",
        tonnes="0.099",
        contract_price=Decimal("5000"),
        lots=[lot],
        user=user,
    )
    return {"user": user, "coop": coop, "delivery": made, "lot": lot, "contract": contract}


@pytest.fixture
def make_client(world):
    def make(name="Chocolates del Norte SAC", kind=InstitutionKind.BUYER, scopes=None, expires_on=None):
        client = services.create_client(name=name, kind=kind, scopes=scopes or ALL_SCOPES, user=world["user"])
        issued = services.issue_key(
            client=client,
            expires_on=expires_on or timezone.localdate() + timedelta(days=365),
            user=world["user"],
        )
        return client, issued.secret

    return make


@pytest.fixture
def consent(world):
    def give(member, kind=InstitutionKind.BUYER, action=ConsentAction.GIVEN, on=None):
        return services.record_consent(
            member=member,
            kind=kind,
            action=action,
            effective_on=on or date.today(),
            how=ConsentHow.SIGNED_FORM,
            user=world["user"],
        )

    return give


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
