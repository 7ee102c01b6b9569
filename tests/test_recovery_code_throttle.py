"""Guessing recovery codes is throttled per user, not per browser (issue 16): wrong codes typed from
several browsers add up, and lock the user's authenticator and recovery codes in every browser."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from tests.conftest import current_code, verified_device
from tests.test_two_factor import password_only
from toolkit.roles import TREASURER

pytestmark = pytest.mark.django_db


def test_wrong_recovery_codes_from_many_browsers_lock_the_user_everywhere(make_user):
    treasurer = make_user(TREASURER, username="tesorera_adivinada")
    device = verified_device(treasurer)
    StaticDevice.objects.create(user=treasurer, name="recuperación", confirmed=True).token_set.create(
        token="abcdefgh"
    )
    # Three browsers (three addresses), one wrong recovery code each.
    for n, guess in enumerate(("zzzz-zzz2", "zzzz-zzz3", "zzzz-zzz4")):
        browser = password_only(treasurer, REMOTE_ADDR=f"203.0.113.{n + 1}")
        response = browser.post(reverse("two_factor_verify"), {"code": guess})
        assert response.status_code in (200, 429)
    static = StaticDevice.objects.get(user=treasurer)
    assert static.throttling_failure_count >= 1
    # A fourth browser, with the right code from the phone and the right recovery code: both wait.
    fresh = password_only(treasurer, REMOTE_ADDR="198.51.100.9")
    static.throttling_failure_count = 3
    static.save(update_fields=["throttling_failure_count"])
    for code in (current_code(device), "abcd-efgh"):
        refused = fresh.post(reverse("two_factor_verify"), {"code": code})
        assert refused.status_code == 429, code
        assert "Demasiados códigos equivocados" in refused.content.decode()
    assert fresh.get(reverse("home")).status_code == 302
    # The recovery code was not used up by the refused try.
    assert static.token_set.filter(token="abcdefgh").exists()
