"""Member list at cooperative scale (issue 3: 20,000 members, a page under 150 ms server time).

Loads the demonstration register, signs in an administrator and times the
list as a clerk uses it: first page, searches by name, DNI and code, filters,
a deep page. Server time is measured in-process (request to rendered HTML).
"""

import time

from _setup import arguments, machine, setup_django, summary

REPEAT = 15


def main():
    args = arguments(__doc__)
    database = setup_django(postgres=args.postgres, name="member_list")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from coop.demo import generate_demo
    from coop.models import Member
    from toolkit.roles import ADMINISTRATOR

    setup_test_environment()
    generate_demo(members=args.members, seed=1)
    sample = Member.objects.order_by("code")[args.members // 2]
    surname = sample.name.split()[-1]
    user = get_user_model().objects.create_user("bench", password="x")  # noqa: S106 - scratch database
    user.groups.add(Group.objects.get(name=ADMINISTRATOR))
    client = Client()
    client.force_login(user)
    url = reverse("coop:member_list")
    cases = [
        ("first page", {}),
        (f"search surname «{surname}»", {"q": surname}),
        ("search full name", {"q": sample.name}),
        ("search DNI", {"q": sample.dni}),
        ("search code", {"q": sample.code}),
        (
            "filter status + community + Fairtrade",
            {"status": "active", "community": sample.community, "certification": "fairtrade"},
        ),
        ("page 200", {"page": 200}),
    ]
    print(f"\n{database}, {Member.objects.count():,} members ({machine()})")
    print("| request | server time |\n|---|---|")
    for label, params in cases:
        timings = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(f"| {label} | {summary(timings)} |")


if __name__ == "__main__":
    main()
