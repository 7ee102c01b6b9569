"""Lots: a lot takes only what its claim covers, only geolocated cocoa for the EU, each delivery once."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from acopio.models import Delivery, Lot
from acopio.services import build_lot, build_lot_by_rule, void_delivery
from coop.models import Certification

pytestmark = pytest.mark.django_db
POINT = '{"type":"Point","coordinates":[-76.130000,-6.570000]}'


@pytest.fixture
def receipts(coop, deliver):
    made = {
        "ft_org": deliver(),  # María, after 2026-03-01: Fairtrade + organic
        "ft": deliver(date=date(2026, 2, 10)),  # María before organic: Fairtrade only
        "conv": deliver(member=coop["segundo"], plot=coop["plots"]["segundo"]),
        "rosa_ft": deliver(member=coop["rosa"], plot=coop["plots"]["rosa_ft"]),
    }
    return {key: d.receipt_code for key, d in made.items()}


def lot(coop, admin, claim, codes, code="L-001", for_eu=False):
    return build_lot(
        code=code, season=coop["seasons"]["2026"], claim=claim, for_eu=for_eu, receipts=codes, user=admin
    )


def test_a_fairtrade_lot_takes_fairtrade_cocoa_and_adds_its_dry_weight(coop, receipts, admin_user_minka):
    made = lot(coop, admin_user_minka, Certification.FAIRTRADE, [receipts["ft"], receipts["ft_org"]])
    assert sorted(made.deliveries.values_list("receipt_number", flat=True)) == [1, 2]
    assert made.dry_g == 2 * 99_000


def test_a_lot_mixing_claims_is_refused_naming_each_receipt(coop, receipts, admin_user_minka):
    with pytest.raises(ValidationError) as refused:
        lot(
            coop,
            admin_user_minka,
            Certification.FAIRTRADE_ORGANIC,
            [receipts["ft_org"], receipts["ft"], receipts["conv"], "C01-000099"],
        )
    problems = refused.value.message_dict["receipts"]
    assert problems == [
        "C01-000099: no existe.",
        f"{receipts['ft']}: es Comercio Justo y no puede ir en un lote Comercio Justo + Orgánico.",
        f"{receipts['conv']}: es Convencional y no puede ir en un lote Comercio Justo + Orgánico.",
    ]
    assert not Lot.objects.exists() and not Delivery.objects.filter(lot__isnull=False).exists()


def test_a_conventional_lot_may_take_certified_cocoa_but_never_twice(coop, receipts, admin_user_minka):
    lot(coop, admin_user_minka, Certification.CONVENTIONAL, [receipts["conv"], receipts["ft"]])
    with pytest.raises(ValidationError, match="ya está en el lote L-001"):
        lot(coop, admin_user_minka, Certification.CONVENTIONAL, [receipts["ft"]], code="L-002")
    with pytest.raises(ValidationError, match="Ya existe el lote L-001"):
        lot(coop, admin_user_minka, Certification.CONVENTIONAL, [receipts["rosa_ft"]])


def test_an_eu_lot_needs_geolocated_plots_and_voids_never_go_in(coop, receipts, admin_user_minka):
    with pytest.raises(ValidationError, match="no tiene parcela geolocalizada"):
        lot(coop, admin_user_minka, Certification.FAIRTRADE, [receipts["rosa_ft"]], for_eu=True)
    plot = coop["plots"]["rosa_ft"]
    plot.geometry = POINT
    plot.full_clean()
    plot.save()
    assert lot(coop, admin_user_minka, Certification.FAIRTRADE, [receipts["rosa_ft"]], for_eu=True).for_eu
    voided = Delivery.objects.get(receipt_number=1, receipt_series="C01")
    void_delivery(delivery=voided, reason="Error", user=admin_user_minka)
    with pytest.raises(ValidationError, match="está anulado"):
        lot(coop, admin_user_minka, Certification.FAIRTRADE, [receipts["ft_org"]], code="L-002")


def test_a_lot_by_rule_gathers_every_unassigned_delivery_its_claim_covers(coop, receipts, admin_user_minka):
    made = build_lot_by_rule(
        code="L-ORG",
        season=coop["seasons"]["2026"],
        claim=Certification.ORGANIC,
        for_eu=False,
        user=admin_user_minka,
        centre=coop["centre"],
    )
    assert list(made.deliveries.values_list("receipt_number", flat=True)) == [1]
    with pytest.raises(ValidationError, match="Ninguna entrega"):
        build_lot_by_rule(
            code="L-ORG2",
            season=coop["seasons"]["2026"],
            claim=Certification.ORGANIC,
            for_eu=False,
            user=admin_user_minka,
        )


def test_the_lot_page_builds_by_receipts_and_by_rule(coop, receipts, role_clients):
    from django.urls import reverse

    admin = role_clients["administrador"]
    url = reverse("sales:lot_new")
    season = coop["seasons"]["2026"].pk
    refused = admin.post(
        url,
        {
            "code": "L-1",
            "season": season,
            "claim": "ft_org",
            "how": "receipts",
            "receipts": f"{receipts['ft_org']}, {receipts['conv']}",
        },
    )
    assert refused.status_code == 400 and "es Convencional y no puede ir" in refused.content.decode()
    assert not Lot.objects.exists()
    done = admin.post(url, {"code": "L-1", "season": season, "claim": "ft", "how": "rule"}, follow=True)
    assert "Lote L-1 armado: 3 entregas." in done.content.decode()
    listing = admin.get(reverse("sales:lot_list")).content.decode()
    assert "L-1" in listing and "disponible" in listing
    assert role_clients["acopiador"].get(url).status_code == 403


def lot_row(html: str, code: str) -> str:
    rows = [row for row in html.split("<tr")[1:] if f'<td class="nowrap">{code}</td>' in row]
    assert len(rows) == 1, f"{code} appears in {len(rows)} rows"
    return rows[0].split("</tr>")[0]


def test_the_lot_list_pages_the_lots_newest_first_each_with_its_own_deliveries_and_weight(
    coop, receipts, admin_user_minka, role_clients, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("sales.views.LOT_PAGE_SIZE", 2)
    conventional = Certification.CONVENTIONAL
    lot(coop, admin_user_minka, conventional, [receipts["ft"], receipts["ft_org"]], code="L-A")
    lot(coop, admin_user_minka, conventional, [receipts["conv"]], code="L-B")
    lot(coop, admin_user_minka, conventional, [receipts["rosa_ft"]], code="L-C")
    client = role_clients["certificador"]
    url = reverse("sales:lot_list")
    with django_assert_max_num_queries(12):  # the same for a page of 2 lots or of 50
        first = client.get(url).content.decode()
    assert "L-A" not in first and "Página 1 de 2" in first
    assert '<td class="num">1</td><td class="num">99 kg</td>' in lot_row(first, "L-C")
    assert "L-B" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert '<td class="num">2</td><td class="num">198 kg</td>' in lot_row(second, "L-A")
    assert "L-B" not in second and "L-C" not in second
