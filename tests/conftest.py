import pytest
from django.contrib.auth.models import Group

from ledger.triggers import drop_triggers
from toolkit.append_only_triggers import drop_append_only_triggers
from toolkit.roles import ALL_ROLES


@pytest.fixture
def make_user(django_user_model):
    """A signed-in-able user holding the given role (or none)."""

    def make(role: str | None = None, username: str | None = None, **extra):
        username = username or f"user_{role or 'none'}"
        user = django_user_model.objects.create_user(
            username=username, password="clave-de-prueba-123", **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
            if role == "administrador":
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        return user

    return make


@pytest.fixture
def coop(db):
    """A small cooperative ready to buy cocoa (tests/acopio/factories.py)."""
    from tests.acopio.factories import make_coop

    return make_coop()


@pytest.fixture
def deliver(coop, admin_user_minka):
    """Record a delivery with sensible defaults (María, dry grade I, 100 kg gross, 1 kg tare)."""
    from tests.acopio.factories import record

    def make(**overrides):
        return record(coop, admin_user_minka, **overrides)

    return make


@pytest.fixture
def admin_user_minka(make_user):
    return make_user("administrador", username="admin_minka")


@pytest.fixture
def role_users(make_user):
    return {role: make_user(role, username=f"u_{role}") for role in sorted(ALL_ROLES)}


@pytest.fixture
def fresh_role_clients(role_users):
    """Make a new set of signed-in clients (one per role, plus anonymous) on each call."""
    from django.test import Client

    def make():
        clients = {"anonymous": Client()}
        for role, user in role_users.items():
            c = Client()
            c.force_login(user)
            clients[role] = c
        return clients

    return make


@pytest.fixture
def role_clients(fresh_role_clients):
    """One logged-in Django test client per role, plus anonymous."""
    return fresh_role_clients()


def verified_device(user):
    """A confirmed authenticator for a user who needs the second step (toolkit/two_factor.py)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Minka", confirmed=True)


def current_code(device) -> str:
    """The six digits an authenticator app shows now for ``device`` (RFC 6238, as the phone computes it)."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_step(monkeypatch):
    """force_login stands for a finished sign-in: for administration, board and treasury that is the
    password and the code, so their session is verified by an authenticator as after a real code.
    Signing in with the password (client.login, the sign-in page) stays a first step only."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from toolkit.two_factor import required_for

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if required_for(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests create many users and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _uploads_of_this_test_only(settings, tmp_path):
    # Tests run in parallel processes; each keeps its stashed uploads apart so a test that counts
    # them sees only its own.
    settings.MINKA_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _ledger_triggers_step_aside_for_flush(request, django_db_blocker):
    """After a test that commits, Django empties every table (DELETE on SQLite, TRUNCATE on
    PostgreSQL), which the append-only triggers refuse. They are dropped just for that flush; its
    post_migrate signal puts them back (ledger.triggers.ensure_triggers and
    toolkit.append_only_triggers.ensure_append_only_triggers)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    commits = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if commits:
        with django_db_blocker.unblock():
            drop_triggers()
            drop_append_only_triggers()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL, a second database alias «replica» on the same server (a test mirror of the
    default database, as DATABASE_REPLICA_URL makes one): tests/test_replica.py routes report reads
    to it. Nothing reads from it unless a test turns the router to it (MINKA_REPORT_DATABASE)."""
    from copy import deepcopy

    from django.db import connections

    default = connections.settings["default"]
    if default["ENGINE"] == "django.db.backends.postgresql" and "replica" not in connections.settings:
        replica = deepcopy(default)
        replica["TEST"] = {**replica.get("TEST", {}), "MIRROR": "default"}
        connections.settings["replica"] = replica
