"""Browser tests: the platform served by a real server process on the test database, driven
by Playwright in Debian's Chromium (a test tool's own browser download is not possible here).
Screenshots land in var/test/screenshots for a person to look at."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.env import VAR_DIR
from tenants.context import public_scope
from tenants.models import Membership, Tenant, User
from tests.conftest import PASSWORD, suite_database_url

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("SENTRA_TEST_SCREENSHOTS") or VAR_DIR / "screenshots")


@dataclass(frozen=True)
class LiveServer:
    port: int

    def url(self, host: str = "localhost", path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def live_server(
    log_path: Path, *, workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """python -m config.serve on the suite's database, on a free port, until the block ends."""
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": suite_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SENTRA_PUBLIC_PORT": str(port),
        **(env or {}),
    }
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "config.serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop() -> None:
        # The whole group: SIGKILL to the supervisor alone would orphan its workers, which
        # keep the test database open.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()

    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                stop()
                raise RuntimeError(f"the live server did not start; see {log_path}") from None
            time.sleep(0.3)
    try:
        yield LiveServer(port=port)
    finally:
        stop()


@pytest.fixture(scope="session")
def platform_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.getbasetemp() / "live-server.log") as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("SENTRA_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is missing: ./sentra test installs Debian's chromium package")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium: object) -> Iterator[object]:
    """A 360 px wide phone screen, as most people who book use."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def alpha_admin(committed: Callable[[Callable], None]) -> Callable[[str], Tenant]:
    """Makes a committed administrator of "alpha" with a verified email (deleted after the
    test), for the live server to sign in; returns the tenant."""
    from allauth.account.models import EmailAddress

    def make(email: str) -> Tenant:
        with public_scope():
            tenant = Tenant.objects.get(slug="alpha")
            user = User.objects.create_user(email, PASSWORD)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            Membership.objects.create(user=user, tenant=tenant, role="admin")
        committed(lambda: User.objects.filter(email=email).delete())
        return tenant

    return make


def sign_in_to_kelola(page: object, server: LiveServer, email: str) -> None:
    """Open alpha's organiser pages, get sent to the sign-in form, sign in (in Bahasa
    Indonesia) and land back on /kelola/."""
    page.goto(server.url("alpha.localhost", "/kelola/"))
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(email)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Masuk")).click()
    page.wait_for_url(re.compile(r"/kelola/$"))


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
