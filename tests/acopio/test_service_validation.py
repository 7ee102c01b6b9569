"""Services validate with the model's own checks (full_clean): a text too long or a choice that is
not one is refused in Spanish, naming the field, and nothing is written."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from acopio import services as purchases
from acopio.models import Lot
from coop.models import MemberStatusChange
from coop.services import change_member_status
from tests.acopio.test_non_member_purchases import buy, supplier, written


def test_a_supplier_name_or_origin_too_long_is_refused_naming_the_field(coop, admin_user_minka):
    before = written()
    with pytest.raises(ValidationError) as refused:
        supplier(admin_user_minka, name="W" * 201, origin="O" * 201)
    assert refused.value.message_dict == {
        "name": ["El nombre o la razón social tiene como máximo 200 caracteres."],
        "origin": ["El origen o parcela tiene como máximo 200 caracteres."],
    }
    assert written() == before


def test_a_purchase_origin_too_long_is_refused_and_nothing_is_written(coop, admin_user_minka):
    who = supplier(admin_user_minka)
    before = written()
    with pytest.raises(ValidationError) as refused:
        buy(coop, admin_user_minka, who, origin="Caserío " * 30)
    assert refused.value.message_dict["origin"] == ["El origen o parcela tiene como máximo 200 caracteres."]
    assert written() == before


def test_a_lot_with_an_unknown_claim_or_a_code_too_long_is_refused_naming_the_field(coop, admin_user_minka):
    common = {"season": coop["seasons"]["2026"], "for_eu": False, "receipts": ["C01-000001"]}
    with pytest.raises(ValidationError) as refused:
        purchases.build_lot(code="L-1", claim="bio", user=admin_user_minka, **common)
    assert refused.value.message_dict == {"claim": ["Elija la certificación del lote."]}
    # Longer than the column: refused by field before the database would refuse it.
    with pytest.raises(ValidationError) as refused:
        purchases.build_lot(code="L-" + "9" * 30, claim="ft", user=admin_user_minka, **common)
    assert list(refused.value.message_dict) == ["code"]
    assert not Lot.objects.exists()


def test_an_unknown_member_status_is_refused_and_no_history_is_written(coop, admin_user_minka):
    with pytest.raises(ValidationError) as refused:
        change_member_status(
            member=coop["maria"], status="ghost", effective_date=date(2026, 1, 5), user=admin_user_minka
        )
    assert refused.value.message_dict == {"status": ["Estado desconocido."]}
    assert not MemberStatusChange.objects.filter(status="ghost").exists()
