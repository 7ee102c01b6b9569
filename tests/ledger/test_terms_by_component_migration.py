"""Migration sales 0006: each old terms row (every component restated) is split into one row per component
that changed, and contracts and amendments are repointed to the rows they were priced on, with no figure
changing."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sales.models import ContractAmendment, FairtradeTerms, SalesContract
from sales.pricing import fairtrade_terms
from sales.selectors import contracts_to_review, contracts_to_review_count
from tests.terms import reload_published_fairtrade_terms

BEFORE = [("sales", "0005_amendments_and_forward_contracts")]


def latest():
    """Every app's latest migration: the schema the models describe."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


OLD_ROWS = [
    # valid from, minimum, organic rule, organic minimum, differential, premium, to confirm, source
    (date(2011, 1, 1), "2000", "minimum", "2300", None, "200", False, "Tabla"),
    (date(2019, 10, 1), "2400", "differential", None, "300", "240", False, "Tabla"),
    (date(2025, 10, 1), "3500", "differential", None, "300", "240", True, "Revisión 2025"),
    (date(2026, 6, 11), "3500", "differential", None, "450", "275", True, "Anuncio 2026"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture
def before_0006(transactional_db, django_user_model):
    """The schema as it was before 0006; put back to the latest whatever the test does."""
    migrate(BEFORE)
    try:
        yield MigrationExecutor(connection).loader.project_state(BEFORE[0]).apps
    finally:
        migrate(latest())
        reload_published_fairtrade_terms()


@pytest.mark.django_db(transaction=True)
def test_old_rows_split_by_component_and_contracts_keep_their_figures(before_0006):
    apps = before_0006
    Terms = apps.get_model("sales", "FairtradeTerms")
    Contract = apps.get_model("sales", "SalesContract")
    Amendment = apps.get_model("sales", "ContractAmendment")
    Season = apps.get_model("coop", "Season")
    User = apps.get_model("auth", "User")
    admin = User.objects.create(username="gerente")
    old = {}
    for day, minimum, rule, organic_minimum, differential, premium, to_confirm, source in OLD_ROWS:
        old[day] = Terms.objects.create(
            valid_from=day,
            origin="*",
            minimum_price=D(minimum),
            organic_rule=rule,
            organic_minimum_price=D(organic_minimum) if organic_minimum else None,
            organic_differential=D(differential) if differential else None,
            premium=D(premium),
            currency="USD",
            source=source,
            date_to_confirm=to_confirm,
        )
    season = Season.objects.create(
        code="2026",
        name="Campaña 2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        wet_to_dry_factor=D("0.38"),
        max_yield_kg_per_ha=900,
    )
    common = {"buyer": "Cacao Export SAC", "season": season, "origin": "PE", "quantity_kg": 10_000}
    # Organic, priced on the 2025 row (3,500 + 300, premium 240), amended to the 2026 row later.
    organic = Contract.objects.create(
        number="CV-1",
        signed_on=date(2026, 6, 11),
        terms="ft_org",
        contract_price=D("3000"),
        fairtrade_terms=old[date(2025, 10, 1)],
        price_per_tonne=D("3800"),
        value_cents=3_800_000,
        premium_cents=240_000,
        **common,
    )
    Amendment.objects.create(
        contract=organic,
        version=2,
        fairtrade_terms=old[date(2026, 6, 11)],
        amended_on=date(2026, 7, 1),
        previous_price_per_tonne=D("3800"),
        price_per_tonne=D("3950"),
        previous_value_cents=3_800_000,
        value_cents=3_950_000,
        previous_premium_cents=240_000,
        premium_cents=275_000,
        entered_by=admin,
    )
    plain = Contract.objects.create(
        number="CV-2",
        signed_on=date(2020, 3, 1),
        terms="ft",
        contract_price=D("2000"),
        fairtrade_terms=old[date(2019, 10, 1)],
        price_per_tonne=D("2400"),
        value_cents=2_400_000,
        premium_cents=240_000,
        **common,
    )
    conventional = Contract.objects.create(
        number="CV-3",
        signed_on=date(2026, 3, 1),
        terms="conv",
        contract_price=D("2000"),
        price_per_tonne=D("2000"),
        value_cents=2_000_000,
        **common,
    )

    migrate(latest())

    rows = {(r.valid_from, r.kind): r for r in FairtradeTerms.objects.all()}
    assert {key: r.amount for key, r in rows.items()} == {
        (date(2011, 1, 1), "minimum"): D("2000"),
        (date(2011, 1, 1), "organic_minimum"): D("2300"),
        (date(2011, 1, 1), "premium"): D("200"),
        (date(2019, 10, 1), "minimum"): D("2400"),
        (date(2019, 10, 1), "organic_differential"): D("300"),
        (date(2019, 10, 1), "premium"): D("240"),
        (date(2025, 10, 1), "minimum"): D("3500"),
        (date(2026, 6, 11), "organic_differential"): D("450"),
        (date(2026, 6, 11), "premium"): D("275"),
    }
    assert rows[(date(2025, 10, 1), "minimum")].source == "Revisión 2025"
    assert rows[(date(2025, 10, 1), "minimum")].date_to_confirm
    organic = SalesContract.objects.get(number="CV-1")
    assert (organic.minimum_terms, organic.organic_terms, organic.premium_terms) == (
        rows[(date(2025, 10, 1), "minimum")],
        rows[(date(2019, 10, 1), "organic_differential")],
        rows[(date(2019, 10, 1), "premium")],
    )
    amendment = ContractAmendment.objects.get()
    assert amendment.terms_rows == [
        rows[(date(2025, 10, 1), "minimum")],
        rows[(date(2026, 6, 11), "organic_differential")],
        rows[(date(2026, 6, 11), "premium")],
    ]
    # The figures are the ones recorded; the version in force is exactly what the table gives today.
    assert (organic.current_price_per_tonne, organic.current_premium_cents) == (D("3950"), 275_000)
    today = fairtrade_terms(on=date(2026, 6, 11), origin="PE", organic=True, market_price=D("3000"))
    assert today.ids == organic.current_terms_ids and today.price == D("3950")
    plain = SalesContract.objects.get(number="CV-2")
    assert plain.organic_terms is None and plain.current_terms_rows == [
        rows[(date(2019, 10, 1), "minimum")],
        rows[(date(2019, 10, 1), "premium")],
    ]
    assert SalesContract.objects.get(number="CV-3").current_terms_rows == []
    assert contracts_to_review() == [] and contracts_to_review_count() == 0
    assert conventional.pk and plain.pk
