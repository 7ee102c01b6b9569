"""An institution's client over real HTTP against a served Minka: it syncs the register, the
cooperative changes one member and a member withdraws consent, and the next sync with updated_since
gets exactly those two changes."""

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import date

import pytest

from api.selectors import anonymous_code
from coop.models import Member

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(url: str, secret: str | None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (the live server, http)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (the live server, http)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def sync(base: str, secret: str, since: str | None = None, page_size: int = 2) -> tuple[dict, str]:
    """Every page of /members/ (two to a page, so paging is followed), by id; and the next sync's mark."""
    query = {"page_size": page_size, **({"updated_since": since} if since else {})}
    url, rows, mark = f"{base}/api/v1/members/?{urllib.parse.urlencode(query)}", {}, None
    while url:
        status, page = fetch(url, secret)
        assert status == 200, page
        mark = mark or page["as_of"]
        rows.update({row["id"]: row for row in page["results"]})
        url = page["next"]
    return rows, mark


def test_incremental_sync_over_http(live_server, world, make_client, consent):
    maria, segundo, rosa = (world["coop"][name] for name in ("maria", "segundo", "rosa"))
    consent(maria, on=date(2026, 1, 5))
    consent(rosa, on=date(2026, 1, 5))
    _client, secret = make_client()
    base = live_server.url

    assert fetch(f"{base}/api/v1/members/", None)[0] == 401
    register, mark = sync(base, secret)
    assert set(register) == {"S-00001", "S-00003", anonymous_code(segundo.pk)}
    assert register["S-00003"]["name"] == "Rosa Ríos Isuiza"

    # Nothing changed: nothing comes back.
    assert sync(base, secret, since=mark)[0] == {}

    rosa = Member.objects.get(pk=rosa.pk)
    rosa.name = "Rosa Elvira Ríos Isuiza"
    rosa.save()
    consent(maria, action="withdrawn")

    changes, _next = sync(base, secret, since=mark)
    assert set(changes) == {"S-00003", anonymous_code(maria.pk)}
    assert changes["S-00003"]["name"] == "Rosa Elvira Ríos Isuiza"
    assert changes[anonymous_code(maria.pk)]["name"] is None
    assert changes[anonymous_code(maria.pk)]["anonymous"] is True
    assert sync(base, secret, since=_next)[0] == {}
