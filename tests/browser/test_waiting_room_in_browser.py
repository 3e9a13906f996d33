"""The waiting room (config/admission.py) in a real browser on a phone: a worker that has as
many page requests in progress as it may (here: none at all, SENTRA_ADMISSION_PER_THREAD=0)
tells people plainly to wait, shows their place in line, keeps it when they reload (a later
arrival stays behind them) and reloads by itself, under the pages' Content-Security-Policy
(no inline script)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import LiveServer, live_server
from tests.browser.test_booking_in_browser import check_accessibility

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def busy_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One worker (one waiting room) that admits no booking page."""
    log = tmp_path_factory.getbasetemp() / "busy-server.log"
    with live_server(log, workers=1, env={"SENTRA_ADMISSION_PER_THREAD": "0"}) as server:
        yield server


def _place(page: object) -> str:
    return page.locator("#place strong").inner_text()


def test_a_person_waits_keeps_their_place_and_the_page_reloads_by_itself(
    busy_server: LiveServer, phone: object, chromium: object
) -> None:
    problems: list[str] = []
    phone.on("console", lambda message: problems.append(message.text))
    answer = phone.goto(busy_server.url("alpha.localhost", "/daftar/periksa/"))

    assert answer.status == 503
    assert answer.headers["retry-after"] == "1"
    assert phone.locator("html").get_attribute("lang") == "id"
    assert phone.get_by_role("heading", level=1).inner_text() == (
        "Mohon tunggu: banyak orang sedang mendaftar"
    )
    assert _place(phone) == "1"
    assert "Belum ada pendaftaran yang dibuat untuk Anda." in phone.locator("main").inner_text()
    ticket = {cookie["name"]: cookie for cookie in phone.context.cookies()}["__Host-sentra-queue"]
    assert ticket["secure"] is True
    assert ticket["httpOnly"] is True
    assert ticket["domain"] == "alpha.localhost"

    # Someone else arrives: behind her.
    other = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        later = other.new_page()
        later.goto(busy_server.url("alpha.localhost", "/daftar/periksa/"))
        assert _place(later) == "2"

        # She reloads: still first, not behind the one who came after her.
        _reload(phone)
        assert _place(phone) == "1"
        # The page reloads by itself (a meta refresh, first in line: every second).
        with phone.expect_navigation(url=re.compile(r"/daftar/periksa/$"), timeout=10_000):
            pass
        assert _place(phone) == "1"
        assert _place(later) == "2"
    finally:
        other.close()

    # Last, as its fetch may stand in line as someone new: axe-core on the same page held
    # still. Without its Refresh header the page does not reload under the check (the header
    # is what reloads it; the page itself has no timer).
    def without_refresh(route: object) -> None:
        # Fetched by Playwright's driver, which does not resolve *.localhost as Chromium does.
        answer = route.fetch(
            url=route.request.url.replace("alpha.localhost", "127.0.0.1"),
            headers={**route.request.headers, "host": f"alpha.localhost:{busy_server.port}"},
        )
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "refresh"}
        route.fulfill(response=answer, headers=headers)

    phone.route("**/daftar/periksa/", without_refresh)
    _reload(phone)
    check_accessibility(phone, "waiting-room-360-id")
    # A refresh still in flight must not reach the handler once the test is over.
    phone.unroute_all(behavior="ignoreErrors")

    csp_problems = [text for text in problems if "Content Security Policy" in text]
    assert csp_problems == []


def _reload(page: object) -> None:
    """Reload as a person would. The waiting room also reloads itself every second, and a
    reload that meets its own refresh is aborted by the browser: so reload just after one of
    its own refreshes (a second to spare), and should they still meet, the page that loads is
    the same page: wait for it."""
    from playwright.sync_api import Error as PlaywrightError

    with page.expect_navigation(url=re.compile(r"/daftar/periksa/$"), timeout=10_000):
        pass
    try:
        page.reload()
    except PlaywrightError as exc:
        if not any(sign in str(exc) for sign in ("ERR_ABORTED", "Not attached", "detached")):
            raise
        page.wait_for_load_state()
