"""Test harness. The test database is created once per run with the public tenant and two
organiser tenants ("alpha" and "beta"), committed; every test then runs in a transaction that
is rolled back, whichever schemas it touched.

Never use pytest-django's `transactional_db` or `live_server` here: their flush would truncate
the public schema under the session's tenants. Tests that need committed data (a real worker,
a real browser) use `committed` below, which removes what it made.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings

from tenants.context import public_scope
from tenants.models import Membership, Tenant, User

T = TypeVar("T")
ROOT_HOST = "localhost"
PASSWORD = "a-long-test-passphrase-1"


@dataclass(frozen=True)
class OrganizerFixture:
    tenant: Tenant
    host: str
    owner: User


@pytest.fixture(scope="session")
def django_db_setup(
    django_test_environment: None,
    django_db_blocker: pytest.FixtureRequest,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Create the test database for every run, whichever tests were selected.

    pytest-django's own fixture sets up only the databases that the selected tests request
    through `db`; tests that work on committed data (real worker, real browser) do not, and
    would otherwise meet the development database. `django_db_modify_db_settings` names the
    database per pytest-xdist worker (test_<name>_gw0, _gw1): each worker has its own.
    """
    from allauth.account.models import EmailAddress
    from django.test.utils import setup_databases, teardown_databases

    from tenants.services.provisioning import tenant_provision
    from tenants.services.public_tenant import public_tenant_ensure, template_tenant_ensure

    for alias in ("default", "global"):
        # Rate-limit counters and the like from an earlier run; with Redis, this worker's keys
        # only (tests/worker_cache.py).
        caches[alias].clear()
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        public_tenant_ensure()
        template_tenant_ensure()  # organisers below are cloned from it, as in production
        for slug, name in (("alpha", "Alpha Clinic"), ("beta", "Beta Corp")):
            owner = User.objects.create_user(f"owner@{slug}.test", PASSWORD)
            EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
            tenant_provision(name=name, slug=slug, owner=owner, review_status="approved")
    yield
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
        connection.close()
        # Server and worker processes the suite started may still be closing their sessions.
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [test_database],
            )
        teardown_databases(config, verbosity=0)


def _test_tenant(slug: str) -> OrganizerFixture:
    from organizers.services.eligibility.attempts import refusals_key

    tenant = Tenant.objects.get(slug=slug)
    owner = Membership.objects.get(tenant=tenant, role="owner").user
    # The test client's refused eligibility checks from an earlier test (per address, 15 min).
    caches["global"].delete(refusals_key("127.0.0.1", tenant.uid))
    return OrganizerFixture(tenant=tenant, host=f"{slug}.{ROOT_HOST}", owner=owner)


@pytest.fixture
def tenant_a(db: None) -> OrganizerFixture:
    return _test_tenant("alpha")


@pytest.fixture
def tenant_b(db: None) -> OrganizerFixture:
    return _test_tenant("beta")


class LoopThread:
    """An asyncio event loop in a thread of its own, for tests that drive ASGI code. Not
    asyncio.run() in the test's thread: once a browser test has run, Playwright's sync API
    keeps a loop running there for the rest of the session."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.close()


class RelayWakes:
    """The outbox relay's channel, listened to on a connection opened as the relay opens its
    own (config.outbox_relay.relay_listen): the wakes sent from now on, by schema."""

    def __init__(self) -> None:
        from config.outbox_relay import relay_listen

        self.conn = relay_listen()

    def received(self, *, wait: float = 2.0, more: float = 0.3) -> list[str]:
        """Wait up to `wait` seconds for a first wake, then `more` for any others."""
        woken = [note.payload for note in self.conn.notifies(timeout=wait, stop_after=1)]
        if woken:
            woken += [note.payload for note in self.conn.notifies(timeout=more)]
        return woken


def outbox_wake_pending(schema: str) -> bool:
    """Whether the test's transaction will wake the outbox relay for `schema` when it commits
    (organizers.services.messages.relay: one wake per transaction and organiser)."""
    from django.db import connection

    return any(
        getattr(pending[1], "outbox_wake_for", None) == schema
        for pending in connection.run_on_commit
    )


@pytest.fixture
def relay_wakes(django_db_setup: None) -> Iterator[RelayWakes]:
    wakes = RelayWakes()
    yield wakes
    wakes.conn.close()


@pytest.fixture
def alpha_committed(committed: Callable[[Callable], None]) -> Tenant:
    """Tenant "alpha" for tests that commit data (threads, a worker, a server); its organiser
    data is deleted after the test."""
    from organizers.services.eligibility.attempts import refusals_key
    from tests.organizers.factories import organizer_data_delete

    tenant = Tenant.objects.get(slug="alpha")
    committed(lambda: organizer_data_delete(tenant))
    # Refused eligibility checks from 127.0.0.1 in earlier tests (kept 15 min, in Redis when
    # the suite runs with it) must not make this test's refusals a 429.
    caches["global"].delete(refusals_key("127.0.0.1", tenant.uid))
    return tenant


@pytest.fixture(autouse=True)
def _email_code_send_limits_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hourly limits on sending email codes count in the global cache for the whole run,
    and many tests send to the same address from 127.0.0.1: each test starts far from them.
    The tests of the limits set them back (tests/organizers/services/eligibility/
    test_email_codes.py, tests/booking_pages/views/test_person.py)."""
    from organizers.services.eligibility import email_codes

    monkeypatch.setattr(email_codes, "SENDS_PER_ADDRESS", 1_000_000)
    monkeypatch.setattr(email_codes, "SENDS_PER_CLIENT", 1_000_000)


@pytest.fixture(autouse=True)
def _booking_attempt_limits_apart() -> Iterator[None]:
    """The per-client and per-NIK limits on booking attempts count in this process, and many
    tests book from 127.0.0.1, often for the same NIK: each test starts with fresh counters far
    from the limits. The tests of the limits set them back (tests/organizers/services/booking/
    test_attempt_limits.py, tests/api/front/test_admission_parity.py, tests/booking_pages/views/
    test_review.py)."""
    from organizers.services.booking.attempt_limits import booking_attempts_forget

    booking_attempts_forget()
    with override_settings(
        SENTRA_BOOKING_ATTEMPTS_PER_CLIENT=1_000_000, SENTRA_BOOKING_ATTEMPTS_PER_NIK=1_000_000
    ):
        yield


@pytest.fixture(autouse=True)
def _an_empty_waiting_room(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django's admission gate (config/admission.py) keeps its waiting room for the process:
    each test starts with nobody in line."""
    from config import admission

    monkeypatch.setattr(admission, "DJANGO_GATE", admission.AdmissionGate())


@pytest.fixture(autouse=True)
def _back_to_public_schema() -> Iterator[None]:
    """A request through the test client leaves the connection on its tenant's schema (as the
    middleware does per request in production); each test starts from the public schema."""
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    """A request in English leaves English active in the thread (the language middleware
    activates per request, as production does); each test starts in the default language,
    whichever test ran before it on this pytest-xdist worker."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def local_media(tmp_path: Path) -> Iterator[Path]:
    """Uploaded files go to a temporary folder on disk (returned) instead of object storage."""
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield tmp_path


def host_client(host: str, user: User | None = None) -> Client:
    client = Client(HTTP_HOST=host, secure=True)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    from allauth.account.models import EmailAddress

    def make(email: str, *, is_staff: bool = False) -> User:
        user = User.objects.create_user(email, PASSWORD, is_staff=is_staff)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make


@pytest.fixture
def make_member(make_user: Callable[..., User]) -> Callable[..., User]:
    """A user who is a member of an organiser: make_member(tenant_a, "checkin_staff", email)."""

    def make(organizer: OrganizerFixture, role: str, email: str) -> User:
        user = make_user(email)
        Membership.objects.create(user=user, tenant=organizer.tenant, role=role)
        return user

    return make


@pytest.fixture
def committed(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[Callable[[Callable], None]]:
    """Run code outside the test transaction (autocommit) so other processes see it. Register
    cleanups with the returned function; they run, in reverse, after the test."""
    cleanups: list[Callable[[], object]] = []
    with django_db_blocker.unblock():
        yield cleanups.append
        with public_scope():
            for cleanup in reversed(cleanups):
                cleanup()


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the groups into the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (--dist loadgroup), the tests that start a browser server or a Celery
    worker each run on one worker: those processes are started once per test worker, and a
    second copy would cost its start-up time, memory and database connections."""
    for item in items:
        group = next(
            (group for marker, group in _GROUPS_BY_MARKER if item.get_closest_marker(marker)),
            None,
        )
        if group is None and _opens_many_connections(item):
            group = "many-connections"
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


_GROUPS_BY_MARKER = (("browser", "browser"), ("worker", "celery-worker"))
# Files, or folders (ending in /), whose tests do: the front's connection pools.
_MANY_CONNECTIONS_PATHS = ("tests/api/front/",)


def _opens_many_connections(item: pytest.Item) -> bool:
    """Tests that open tens of PostgreSQL connections at once (threads racing through
    tests/organizers/concurrency.py, the front's pools) run one after another on one worker:
    side by side they could exceed the server's max_connections on a shared machine."""
    function = getattr(item, "function", None)
    if function is not None and "run_at_once" in function.__code__.co_names:
        return True
    return Path(item.path).relative_to(ROOT).as_posix().startswith(_MANY_CONNECTIONS_PATHS)


ROOT = Path(__file__).resolve().parent.parent


def pytest_report_header() -> list[str]:
    from config.env import redacted_url

    return [
        f"database: {redacted_url(os.environ.get('DATABASE_URL', '(settings default)'))}",
        f"broker: {os.environ.get('REDIS_URL') or 'filesystem transport'}",
    ]


def suite_database_url() -> str:
    """The URL of the test database, for the server and worker processes the suite starts."""
    settings_dict = connection.settings_dict
    host = quote(settings_dict["HOST"] or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgresql://{settings_dict['USER']}@{host}{port}/{settings_dict['NAME']}"


@dataclass(frozen=True)
class WorkerProcess:
    mail_dir: Path


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """A real Celery worker process on the suite's broker and test database, and the outbox
    relay process that hands it new messages."""
    from config.celery import app
    from tenants.tasks import report_schema

    database_url = suite_database_url()
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SENTRA_TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "SENTRA_TEST_EMAIL_DIR": str(mail_dir),
    }
    app.control.purge()  # messages left by an earlier, interrupted run
    log = (tmp_path_factory.getbasetemp() / "celery-worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The outbox relay hands new messages (e-vouchers) to the worker, as in `./sentra run`.
    relay = subprocess.Popen(
        [sys.executable, "-m", "config.outbox_relay"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert report_schema.delay().get(timeout=90) == "public"
        yield WorkerProcess(mail_dir=mail_dir)
    finally:
        for running in (relay, process):
            running.terminate()
        for running in (relay, process):
            try:
                running.wait(timeout=15)
            except subprocess.TimeoutExpired:
                running.kill()
        log.close()


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3 API server on this machine for the whole run: moto in server mode on a free
    port. The documents' code talks to it through boto3 exactly as it talks to AWS S3."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "sentra-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sentra-test")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield S3Server(endpoint_url=f"http://{host}:{port}")
    server.stop()


@pytest.fixture
def document_bucket(s3_server: S3Server) -> Iterator[str]:
    """A bucket of its own for the test on the run's S3 server, through the settings the
    production code reads (returned: its name)."""
    import uuid

    from documents import object_store

    bucket = f"sentra-test-{uuid.uuid4().hex[:12]}"
    with override_settings(
        SENTRA_S3_ENDPOINT_URL=s3_server.endpoint_url,
        SENTRA_S3_BUCKET=bucket,
        SENTRA_S3_CREATE_BUCKET=True,
        SENTRA_CLAMD_ADDRESS="",
    ):
        object_store._client()  # creates it, with its CORS rule
        yield bucket
