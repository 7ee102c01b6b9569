"""Every URL, every role: who may open what.

The table below is the access policy. A new view that is not in it, or whose
declared roles differ from it, fails this test, and so does a view that lets
a role in that the table keeps out (or the reverse).
"""

import re
import time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from acopio.models import Delivery
from acopio.services import build_lot, create_supplier
from assemblies.models import Assembly, LetterRun
from certification.models import AuditPackRun, IssuedDocument, StatementRun
from coop.models import Member, RegisterExport
from fund.models import BudgetLine, PremiumAuthorization, PremiumCategory, Spending, SpendingKind
from ledger.models import MovementKind, PaymentMethod
from ledger.services import record_movement
from sales.models import SalesContract
from sales.services import record_contract
from tests.acopio.factories import make_coop, record
from toolkit.roles import (
    ADMINISTRATOR,
    ALL_ROLES,
    BOARD,
    CERTIFIER,
    CLERK,
    MINKA_APPS,
    OVERSIGHT,
    PUBLIC,
    TREASURER,
)

ALL = ALL_ROLES
EXPORTERS = frozenset({ADMINISTRATOR, BOARD, OVERSIGHT, CERTIFIER})
CONTROLLERS = EXPORTERS  # internal control: administration, both councils, certifiers
RECORDERS = frozenset({ADMINISTRATOR, CLERK})
ADMIN_ONLY = frozenset({ADMINISTRATOR})
FUND_READERS = EXPORTERS | {TREASURER}
PLAN_DRAFTERS = frozenset({ADMINISTRATOR, BOARD})
SIGNERS = frozenset({BOARD, TREASURER})
ASSEMBLY_ORGANISERS = frozenset({ADMINISTRATOR, BOARD})
ASSEMBLY_DESK = frozenset({ADMINISTRATOR, BOARD, CLERK})
STATEMENT_PRINTERS = frozenset({ADMINISTRATOR, TREASURER})
SECOND_STEP = frozenset({ADMINISTRATOR, BOARD, TREASURER})
API_LOG_READERS = frozenset({ADMINISTRATOR, OVERSIGHT})

# url name -> (roles allowed, HTTP method used to probe it)
POLICY = {
    "home": (ALL, "get"),
    "understood_number": (ALL, "get"),
    "health": (PUBLIC, "get"),
    "favicon": (PUBLIC, "get"),
    "paper_verify": (PUBLIC, "get"),
    "login": (PUBLIC, "get"),
    "logout": (PUBLIC, "post"),
    "set_language": (PUBLIC, "post"),
    "two_factor": (SECOND_STEP, "get"),
    "two_factor_enrol": (SECOND_STEP, "get"),
    "two_factor_verify": (SECOND_STEP, "get"),
    "two_factor_codes": (SECOND_STEP, "get"),
    "two_factor_users": (ADMIN_ONLY, "get"),
    "coop:member_list": (ALL, "get"),
    "coop:member_detail": (ALL, "get"),
    "coop:member_edit": (ADMIN_ONLY, "get"),
    "coop:member_status_change": (ADMIN_ONLY, "post"),
    "coop:register_import": (ADMIN_ONLY, "get"),
    "coop:register_export": (EXPORTERS, "get"),
    "coop:register_export_run": (EXPORTERS, "get"),
    "coop:register_export_file": (EXPORTERS, "get"),
    "acopio:delivery_new": (RECORDERS, "get"),
    "acopio:delivery_quote": (RECORDERS, "post"),
    "acopio:member_lookup": (RECORDERS, "get"),
    "acopio:delivery_import": (ADMIN_ONLY, "get"),
    "acopio:delivery_list": (ALL, "get"),
    "acopio:yield_control": (CONTROLLERS, "get"),
    "acopio:delivery_detail": (ALL, "get"),
    "acopio:delivery_receipt_pdf": (ALL, "get"),
    "acopio:delivery_void": (ADMIN_ONLY, "post"),
    "acopio:purchase_new": (RECORDERS, "get"),
    "acopio:supplier_list": (ADMIN_ONLY, "get"),
    "acopio:supplier_new": (ADMIN_ONLY, "get"),
    "acopio:supplier_detail": (ADMIN_ONLY, "get"),
    "ledger:movement_new": (ADMIN_ONLY, "get"),
    "ledger:movement_reverse": (ADMIN_ONLY, "post"),
    "sales:lot_list": (EXPORTERS, "get"),
    "sales:lot_new": (ADMIN_ONLY, "get"),
    "sales:contract_list": (EXPORTERS, "get"),
    "sales:contract_new": (ADMIN_ONLY, "get"),
    "sales:contract_detail": (EXPORTERS, "get"),
    "sales:contract_amend": (ADMIN_ONLY, "get"),
    "sales:contract_ship": (ADMIN_ONLY, "get"),
    "sales:contract_fix": (ADMIN_ONLY, "get"),
    "sales:contract_invoice": (ADMIN_ONLY, "post"),
    "sales:contract_payment": (ADMIN_ONLY, "post"),
    "sales:mass_balance": (EXPORTERS, "get"),
    "sales:terms": (EXPORTERS, "get"),
    "sales:terms_checked": (ADMIN_ONLY, "post"),
    "fund:fund_overview": (FUND_READERS, "get"),
    "fund:premium_conversion": (ADMIN_ONLY, "post"),
    "fund:budget_line_new": (PLAN_DRAFTERS, "get"),
    "fund:plan": (FUND_READERS, "get"),
    "fund:plan_progress_pdf": (FUND_READERS, "get"),
    "fund:activity_progress_new": (PLAN_DRAFTERS, "get"),
    "fund:spending_new": (ADMIN_ONLY, "get"),
    "fund:spending_detail": (FUND_READERS, "get"),
    "fund:spending_approve": (SIGNERS, "post"),
    "fund:spending_reject": (SIGNERS, "post"),
    "fund:spending_reverse": (ADMIN_ONLY, "post"),
    "receipt_verify": (PUBLIC, "get"),
    "assemblies:assembly_list": (ALL, "get"),
    "assemblies:offices": (ALL, "get"),
    "assemblies:office_new": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:office_end": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:assembly_new": (ASSEMBLY_ORGANISERS, "get"),
    "assemblies:assembly_detail": (ALL, "get"),
    "assemblies:assembly_open": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:assembly_close": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:session_live": (ALL, "get"),
    "assemblies:desk": (ASSEMBLY_DESK, "get"),
    "assemblies:desk_action": (ASSEMBLY_DESK, "post"),
    "assemblies:attendance_list": (ALL, "get"),
    "assemblies:motion_new": (ASSEMBLY_ORGANISERS, "get"),
    "assemblies:motion_detail": (ALL, "get"),
    "assemblies:motion_action": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:motion_tally": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:booth_open": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:booth_action": (ASSEMBLY_DESK, "post"),
    "assemblies:remote_codes": (ASSEMBLY_ORGANISERS, "post"),
    "assemblies:letter_run": (ASSEMBLY_ORGANISERS, "get"),
    "assemblies:letter_run_zip": (ASSEMBLY_ORGANISERS, "get"),
    "remote:home": (PUBLIC, "get"),
    "remote:sign_in": (PUBLIC, "post"),
    "remote:attend": (PUBLIC, "post"),
    "remote:vote": (PUBLIC, "post"),
    "remote:sign_out": (PUBLIC, "post"),
    "booth:screen": (PUBLIC, "get"),
    "booth:vote": (PUBLIC, "post"),
    "booth:done": (PUBLIC, "get"),
    "booth:release": (PUBLIC, "post"),
    "assemblies:not_voted": (ASSEMBLY_DESK, "get"),
    "assemblies:call_notice": (ALL, "get"),
    "assemblies:signature_sheet": (ALL, "get"),
    "assemblies:minutes": (ALL, "get"),
    "minutes_verify": (PUBLIC, "get"),
    "certification:portal": (FUND_READERS, "get"),
    "certification:download_log": (FUND_READERS, "get"),
    "certification:inclusion": (EXPORTERS, "get"),
    "certification:inclusion_members": (EXPORTERS, "get"),
    "certification:inclusion_xlsx": (EXPORTERS, "get"),
    "certification:inclusion_bands": (ADMIN_ONLY, "get"),
    "certification:member_statement_pdf": (ALL, "get"),
    "certification:fund_report_pdf": (FUND_READERS, "get"),
    "certification:season_report_pdf": (FUND_READERS, "get"),
    "certification:fairtrade_xlsx": (FUND_READERS, "get"),
    "certification:audit_pack_start": (FUND_READERS, "post"),
    "certification:audit_pack_run": (FUND_READERS, "get"),
    "certification:audit_pack_zip": (FUND_READERS, "get"),
    "certification:eudr_season": (FUND_READERS, "get"),
    "certification:eudr_lot": (FUND_READERS, "get"),
    "certification:statement_run_start": (STATEMENT_PRINTERS, "post"),
    "certification:statement_run": (FUND_READERS, "get"),
    "certification:statement_run_resume": (STATEMENT_PRINTERS, "post"),
    "certification:statement_run_zip": (FUND_READERS, "get"),
    "certification:statement_run_file": (FUND_READERS, "get"),
    "certification:statement_run_batch": (FUND_READERS, "get"),
    "document_verify": (PUBLIC, "get"),
    # The institutions' API: its data dictionary is public like its OpenAPI description; the API itself
    # (namespace «api») answers only Bearer keys and is probed in tests/api/.
    "api_dictionary": (PUBLIC, "get"),
    "institutions:client_list": (ADMIN_ONLY, "get"),
    "institutions:client_detail": (ADMIN_ONLY, "get"),
    "institutions:key_revoke": (ADMIN_ONLY, "post"),
    "institutions:call_log": (API_LOG_READERS, "get"),
    "institutions:member_consent": (ADMIN_ONLY, "get"),
}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin site has its own gate, tested below
            if entry.namespace == "api":
                continue  # the API's gate is a Bearer key, never a session: tests/api/test_keys.py
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def sample_kwargs(pattern: URLPattern, member: Member, delivery: Delivery) -> dict:
    names = set(pattern.pattern.regex.groupindex)
    movement = delivery.member.movements.first()
    values = {
        "code": member.code,
        "receipt": delivery.receipt_code,
        "size": "a6",
        "key": delivery.verification_key,
        "pk": movement.pk,
        "document": "20131312955",  # the supplier the delivery fixture registers
        "season": delivery.season.code,
    }
    if pattern.callback.__module__ == "assemblies.views":
        assembly = Assembly.objects.get()
        values.update(pk=assembly.pk, number=1, key=assembly.verification_key, run=LetterRun.objects.get().pk)
    elif pattern.callback.__module__ == "certification.views":
        run = StatementRun.objects.order_by("pk").first()
        values.update(
            season=run.season.code,
            pk=run.pk,
            code=delivery.member.code,
            lot="L-T-1",
            pack=AuditPackRun.objects.order_by("pk").first().pk,
            batch=run.batches[0]["name"],
            key=IssuedDocument.objects.order_by("pk").first().verification_key,
        )
    elif pattern.callback.__module__ == "api.views":
        from api.models import ApiKey

        key = ApiKey.objects.get()
        values["pk"] = key.pk if "claves" in str(pattern.pattern) else key.client_id
    elif "pk" in names and "contratos" in str(pattern.pattern):
        values["pk"] = SalesContract.objects.get().pk
    elif "pk" in names and "actividades" in str(pattern.pattern):
        values["pk"] = BudgetLine.objects.get().pk
    elif "pk" in names and "gastos" in str(pattern.pattern):
        values["pk"] = Spending.objects.get().pk
    elif "pk" in names and "exportar" in str(pattern.pattern):
        values["pk"] = RegisterExport.objects.get().pk
    elif "pk" in names:  # a movement's URL carries its own member's code
        values["code"] = movement.member.code
    unknown = names - set(values)
    assert not unknown, f"{pattern.pattern} takes {sorted(unknown)}: teach sample_kwargs a real value"
    return {name: values[name] for name in names}


@pytest.fixture
def member(db):
    return Member.objects.create(
        code="S-99999", dni="40000001", name="Rosa Sangama Tuanama", community="Tununtunumba"
    )


@pytest.fixture
def delivery(db, make_user, settings, tmp_path):
    """A real receipt and a payment, so every receipt, verification and movement URL opens something real."""
    settings.VAR_DIR = tmp_path  # the print run's files
    user = make_user(ADMINISTRATOR, username="registrador")
    made = record(make_coop(), user)
    create_supplier(document="20131312955", name="Asociación de prueba", user=user)
    record_movement(
        member=made.member,
        kind=MovementKind.PAYMENT,
        method=PaymentMethod.CASH,
        date=made.date,
        amount="10.00",
        document="V-1",
        user=user,
    )
    record_contract(
        number="CV-T-1",
        buyer="Comprador de prueba",
        signed_on=made.date,
        terms="conv",
        tonnes="1",
        contract_price=Decimal("5000"),
        user=user,
    )
    # A pending spending to open (written directly: the fund's own tests go through its services).
    authorization = PremiumAuthorization.objects.create(decision="Acuerdo de prueba", decided_on=made.date)
    line = BudgetLine.objects.create(
        season=made.season,
        purpose="Capacitación",
        amount_minor=100_000,
        category=PremiumCategory.MEMBER_SERVICES,
        authorization=authorization,
    )
    Spending.objects.create(
        line=line,
        kind=SpendingKind.SUPPLIER,
        amount_minor=1000,
        supplier="Proveedor",
        ruc="20131312955",
        document="F1-1",
        document_date=made.date,
        description="Prueba",
    )
    closed_assembly(user)
    printed_statements(made, user)
    exported_register(user)
    api_client_with_key(user)
    build_lot(
        code="L-T-1",
        season=made.season,
        claim=made.certification,
        for_eu=False,
        receipts=[made.receipt_code],
        user=user,
    )
    return made


def printed_statements(delivery, user):
    """A finished print run of the season's statements, and one issued document to verify."""
    from certification import pack_runs, printing

    run = printing.start_statement_run(season=delivery.season, user=user)
    printing.print_statements.call(run.pk, printing.members_to_print(delivery.season))
    pack_runs.build_pack.call(pack_runs.start_pack_run(season=delivery.season, user=user).pk)


def api_client_with_key(user):
    """An institution with a key, so its page and the key's revocation open something real."""
    from datetime import timedelta

    from django.utils import timezone

    from api import services

    client = services.create_client(name="Compradora de prueba", kind="buyer", scopes=["register"], user=user)
    services.issue_key(client=client, expires_on=timezone.localdate() + timedelta(days=30), user=user)


def exported_register(user):
    """A finished export of the register, so its progress page and its file open."""
    from coop import exports

    exports.build_register_export.call(exports.start_register_export(fmt="csv", user=user).pk)


def closed_assembly(user):
    """A held and closed assembly with one withdrawn motion, so every assembly page and document opens."""
    from assemblies import services
    from tests.assemblies.factories import check_in_many, convene, make_rules

    make_rules()
    assembly = convene(user)
    check_in_many(assembly, user, assembly.roll_size)
    services.open_session(assembly=assembly, call="first", user=user)
    motion = services.draft_motion(
        assembly=assembly,
        kind="resolution",
        title="Informe del consejo",
        majority="simple",
        method="hands",
        user=user,
    )
    services.cancel_motion(motion=motion, reason="Se verá en la próxima asamblea", user=user)
    services.close_assembly(assembly=assembly, user=user)
    # The letters of a run made before the assembly was held, with their file.
    from assemblies.letters import letters_folder

    letters_folder().mkdir(parents=True, exist_ok=True)
    (letters_folder() / "codigos-voto-prueba.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    LetterRun.objects.create(
        assembly=assembly,
        requested_by=user,
        status="done",
        total=1,
        done=1,
        filename="codigos-voto-prueba.zip",
    )


def test_every_url_is_in_the_policy_and_declares_the_same_roles():
    found = dict(walk(get_resolver().url_patterns))
    missing = sorted(set(found) - set(POLICY))
    assert not missing, f"URLs without an access rule in tests/test_access.py: {missing}"
    stale = sorted(set(POLICY) - set(found))
    assert not stale, f"Rules for URLs that no longer exist: {stale}"
    for name, pattern in found.items():
        declared = getattr(pattern.callback, "minka_roles", None)
        assert declared is not None, f"{name} has no role_required/public decorator"
        assert declared == POLICY[name][0], f"{name} declares {declared}, policy says {POLICY[name][0]}"


# Who knocks: anonymous, an inactive user of each role (whose session Django no longer honours), a
# signed-in user holding no role, and each role.
NO_ROLE = "sin rol"


def inactive(role: str) -> str:
    return f"inactivo {role}"


PRINCIPALS = ("anonymous", *(inactive(r) for r in sorted(ALL_ROLES)), NO_ROLE, *sorted(ALL_ROLES))
# Each URL is asked with GET, with POST carrying a CSRF token and with POST without one.
REQUESTS = (("get", True), ("post", True), ("post", False))
# A file (a PDF, a spreadsheet, an archive, GeoJSON) is fetched with GET only: a POST there is 405.
DOWNLOAD = re.compile(r"\.(pdf|xlsx|zip|geojson)$")


def reverse_name_path(name: str) -> str:
    """The URL pattern of a URL name, as written in its urls.py."""
    return str(dict(walk(get_resolver().url_patterns))[name].pattern)


# Cookies a probe may set that say nothing about who is signed in.
HARMLESS_COOKIES = {"messages", "csrftoken"}


def expected_problem(name: str, method: str, csrf: bool, principal: str, response) -> str | None:
    """What is wrong with ``response`` to ``method`` on URL ``name`` by ``principal``; None if nothing."""
    allowed, opened_with = POLICY[name]
    status = response.status_code
    location = response.get("Location", "")
    to_login = status == 302 and location.startswith(reverse("login"))
    if status >= 500:
        return "server error"
    if method == "post" and not csrf:
        # Refused by the CSRF check before any view: the same page for everyone.
        return None if status == 403 and response.context["csrf_failed"] else "a POST without token passed"
    if allowed == PUBLIC:
        if method == opened_with:
            return None if status < 400 else "a public page refused"
        return None if status < 500 else "server error"
    if principal == "anonymous" or principal.startswith("inactivo"):
        return None if to_login else "not sent to sign in"
    if principal == NO_ROLE or principal not in allowed:
        return None if status == 403 else "not refused"
    if to_login:
        return "an allowed role sent to sign in"
    if method == opened_with:
        # 422: let in; the page says why the file cannot be made (an EUDR plot without geometry).
        return None if status in (200, 302, 422) else "an allowed role not let in"
    if method == "get":
        return None if status == 405 else "a POST-only page answered GET"
    if DOWNLOAD.search(reverse_name_path(name)):
        return None if status == 405 else "a file download answered POST"
    # POST to a page opened by GET: its form, refused, or handled as GET; never «not allowed».
    return None if status != 403 else "an allowed role refused"


@pytest.fixture
def probe_clients(fresh_role_clients, make_user):
    """Signed-in clients for every principal, made anew whenever a probe changed who one of them is
    (signed out, turned into a booth, language switched)."""
    from django.test import Client

    others = {inactive(role): make_user(role, username=f"off_{role}", is_active=False) for role in ALL_ROLES}
    others[NO_ROLE] = make_user(None, username="sin_rol")

    def make():
        clients = fresh_role_clients()
        for principal, user in others.items():
            client = Client()
            client.force_login(user)
            assert client.session["_auth_user_id"] == str(user.pk)  # a real session, ignored when inactive
            clients[principal] = client
        assert set(clients) == set(PRINCIPALS)
        return clients

    return make


def cookies(client) -> dict:
    return {key: morsel.value for key, morsel in client.cookies.items() if key not in HARMLESS_COOKIES}


def state(client) -> tuple:
    """What a probe may have changed about who a client is: its cookies, and what its session holds
    (regenerated recovery codes wait in the session until the user says they saved them)."""
    return cookies(client), frozenset(client.session.keys())


@pytest.mark.django_db
def test_every_url_with_every_method_by_everyone(probe_clients, member, delivery, record_property):
    """Every named URL × (GET, POST with token, POST without) × (anonymous, an inactive user of each
    role, a user without a role, each role): anonymous and inactive users are sent to sign in (public
    pages open), a user without a role and roles the policy keeps out get 403, a POST without a CSRF
    token gets 403, allowed roles get in, and nothing answers 500."""
    started = time.process_time()
    clients = probe_clients()
    snapshot = {principal: state(client) for principal, client in clients.items()}
    problems, probes, urls = [], 0, 0
    # Resolved before any probe: a POST that is let in may add a row (a second register export).
    targets = [
        (name, reverse(name, kwargs=sample_kwargs(pattern, member, delivery)))
        for name, pattern in walk(get_resolver().url_patterns)
    ]
    for name, url in targets:
        urls += 1
        for method, csrf in REQUESTS:
            for principal in PRINCIPALS:
                client = clients[principal]
                without = "" if csrf else " without CSRF token"
                probe = f"{method.upper()}{without} {url} ({name}) by {principal}"
                client.handler.enforce_csrf_checks = not csrf
                try:
                    response = getattr(client, method)(url)
                except Exception as exc:  # the test client re-raises what would be a 500
                    raise AssertionError(f"{probe}: {type(exc).__name__}: {exc}") from exc
                finally:
                    client.handler.enforce_csrf_checks = False
                probes += 1
                problem = expected_problem(name, method, csrf, principal, response)
                if problem:
                    problems.append(
                        f"{probe}: {problem}, HTTP {response.status_code} {response.get('Location', '')}"
                    )
        if any(state(client) != snapshot[p] for p, client in clients.items()):
            clients = probe_clients()
            snapshot = {principal: state(client) for principal, client in clients.items()}
    assert not problems, "\n".join(problems)
    assert probes == urls * len(REQUESTS) * len(PRINCIPALS) and urls == len(POLICY)
    record_property("access_probes", probes)
    print(
        f"{probes} access probes: {urls} URLs × {len(REQUESTS)} requests × {len(PRINCIPALS)} users, "
        f"{time.process_time() - started:.1f} s of CPU"
    )


@pytest.mark.django_db
def test_only_administrators_reach_the_admin(role_clients, member, make_user):
    from django.test import Client

    # An administrator whose account was deactivated (still staff) and a user without a role.
    clients = dict(role_clients)
    for principal, user in (
        (inactive(ADMINISTRATOR), make_user(ADMINISTRATOR, username="off_admin", is_active=False)),
        (NO_ROLE, make_user(None, username="sin_rol")),
    ):
        clients[principal] = Client()
        clients[principal].force_login(user)
    urls = [reverse("admin:index")]
    superuser_only = set()
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        urls.append(url)
        if opts.app_label not in MINKA_APPS:
            # Accounts, roles and sign-in locks are managed by a superuser, so
            # an administrator cannot raise their own rights.
            superuser_only.add(url)
    urls.append(reverse("admin:coop_member_change", args=[member.pk]))
    urls.append(reverse("admin:coop_member_import"))
    for url in urls:
        for role, client in clients.items():
            response = client.get(url)
            if role == ADMINISTRATOR and url in superuser_only:
                assert response.status_code == 403, (url, role, response.status_code)
            elif role == ADMINISTRATOR:
                assert response.status_code in (200, 302), (url, role, response.status_code)
                if response.status_code == 302:
                    assert "/admin/login/" not in response["Location"], (url, role)
            else:
                # Django's admin sends anyone without access to its sign-in page.
                assert response.status_code == 302, (url, role, response.status_code)
                assert "/admin/login/" in response["Location"], (url, role)


@pytest.mark.django_db
def test_clerk_and_certifier_cannot_change_a_status(role_clients, member):
    url = reverse("coop:member_status_change", args=[member.code])
    for role in (CLERK, CERTIFIER, OVERSIGHT, BOARD):
        response = role_clients[role].post(url, {"status": "suspended", "effective_date": "2026-01-10"})
        assert response.status_code == 403
    member.refresh_from_db()
    assert member.status == "active"
    assert not member.status_changes.exists()


@pytest.mark.django_db
def test_failed_sign_ins_are_throttled(client, make_user):
    user = make_user(CLERK, username="acopiador1")
    url = reverse("login")
    for _ in range(5):
        response = client.post(url, {"username": user.username, "password": "equivocada"})
        assert response.status_code in (200, 429, 403)
    # Even the right password is refused while the lock lasts.
    response = client.post(url, {"username": user.username, "password": "clave-de-prueba-123"})
    assert response.status_code in (403, 429)
    assert "bloqueado" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_right_password_signs_in(client, make_user):
    user = make_user(CLERK, username="acopiador2")
    response = client.post(reverse("login"), {"username": user.username, "password": "clave-de-prueba-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
