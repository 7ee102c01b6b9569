"""A full-register sync through the institutions' API (issue 22: 20,000 members in under 10 s).

Loads the demonstration register (20,000 members by default, about two plots each), gives half of
the members consent for buyers (so half the rows carry personal data and are logged per member),
issues a buyer's key with every scope, and times what an institution's client does: every page of
/api/v1/members/ and of /api/v1/plots/ at the largest page size, through Django's full stack
(middleware, the key check, the throttle, the call log), then an incremental sync with nothing
changed. Three runs; the median is reported.

    python bench/bench_api.py                 # SQLite in bench/tmp/
    python bench/bench_api.py --postgres      # PostgreSQL (MINKA_BENCH_DB, default minka_bench)
"""

import statistics
import time
from datetime import date, timedelta

from _setup import arguments, machine, setup_django

RUNS = 3
TARGET_S = 10.0


def main():
    args = arguments(__doc__, reuse="keep the register, consents and client of an earlier run")
    database = setup_django(postgres=args.postgres, name="api", fresh=not args.reuse)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from api import services
    from api.models import ApiCall, ApiClient, ConsentHow, MemberConsent, PersonalDataRead
    from coop.demo import generate_demo
    from coop.models import Member, Plot
    from toolkit.roles import ADMINISTRATOR

    setup_test_environment()
    settings.MINKA_API_CALLS_PER_MINUTE = 1_000_000
    started = time.perf_counter()
    generate_demo(members=args.members, seed=1)
    user = get_user_model().objects.filter(username="bench").first()
    if user is None:
        user = get_user_model().objects.create_user("bench", password="x")  # noqa: S106 - scratch database
        user.groups.add(Group.objects.get(name=ADMINISTRATOR))
    MemberConsent.objects.exists() or MemberConsent.objects.bulk_create(
        [
            MemberConsent(
                member_id=pk,
                kind="buyer",
                action="given",
                effective_on=date(2026, 1, 5),
                how=ConsentHow.SIGNED_FORM,
                recorded_by=user,
            )
            for pk in Member.objects.order_by("pk").values_list("pk", flat=True)[::2]
        ],
        batch_size=2000,
    )
    client_row = ApiClient.objects.filter(name="Bench SAC").first() or services.create_client(
        name="Bench SAC", kind="buyer", scopes=["register", "geolocation", "trade"], user=user
    )
    secret = services.issue_key(
        client=client_row, expires_on=timezone.localdate() + timedelta(days=30), user=user
    ).secret
    print(f"set-up {time.perf_counter() - started:.0f} s")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    size = settings.MINKA_API_MAX_PAGE_SIZE

    def sync(path, since=None):
        url, rows, pages, mark = f"/api/v1/{path}/?page_size={size}", 0, 0, None
        if since:
            url += f"&updated_since={since}"
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            page = response.json()
            mark = mark or page["as_of"]
            rows += len(page["results"])
            pages += 1
            url = page["next"]
        return rows, pages, mark

    results = []
    for _run in range(RUNS):
        t0 = time.perf_counter()
        members, member_pages, mark = sync("members")
        t1 = time.perf_counter()
        plots, plot_pages, _ = sync("plots")
        t2 = time.perf_counter()
        changed, _, _ = sync("members", since=mark)
        t3 = time.perf_counter()
        results.append((t1 - t0, t2 - t1, t3 - t2, members, member_pages, plots, plot_pages, changed))
    assert results[-1][3] == Member.objects.count() and results[-1][5] == Plot.objects.count()
    median = [statistics.median(r[i] for r in results) for i in range(3)]
    last = results[-1]
    print(f"\n{database}, {last[3]:,} members, {last[5]:,} plots ({machine()})")
    print(f"| sync | rows | pages of {size} | median of {RUNS} | target |\n|---|---|---|---|---|")
    print(f"| members, whole register | {last[3]:,} | {last[4]} | {median[0]:.2f} s | < {TARGET_S:.0f} s |")
    print(f"| plots with GeoJSON, whole register | {last[5]:,} | {last[6]} | {median[1]:.2f} s | |")
    print(f"| members, updated_since with nothing changed | {last[7]} | 1 | {median[2]:.2f} s | |")
    print(
        f"\nCalls logged: {ApiCall.objects.count():,}; personal-data reads logged: "
        f"{PersonalDataRead.objects.count():,} (half the members consent)."
    )
    print(
        "PASS" if median[0] < TARGET_S else "FAIL", f"members sync {median[0]:.2f} s against {TARGET_S:.0f} s"
    )


if __name__ == "__main__":
    main()
