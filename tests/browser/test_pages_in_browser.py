"""What a person sees in a real browser on a phone-sized screen."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress

from tenants.context import public_scope
from tenants.models import Tenant, User
from tests.browser.conftest import LiveServer, screenshot, sign_in_to_kelola
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_landing_page_on_a_phone_in_bahasa_indonesia_then_english(
    platform_server: LiveServer, phone: object
) -> None:
    phone.goto(platform_server.url())

    assert phone.locator("html").get_attribute("lang") == "id"
    assert phone.get_by_role("heading", level=1).inner_text() == (
        "Pendaftaran vaksinasi, tanpa antre"
    )
    # The stylesheet is served (the brand colour) and nothing is wider than the phone's screen.
    header = phone.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 93, 80)"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "landing-360-id")

    with phone.expect_navigation():
        phone.get_by_role("button", name="English", exact=True).click()

    assert phone.get_by_role("heading", level=1).inner_text() == (
        "Vaccination registration, without the queue"
    )
    screenshot(phone, "landing-360-en")


def test_owner_signs_in_on_their_organiser_host_with_host_only_cookies(
    platform_server: LiveServer, phone: object, alpha_admin: Callable[[str], Tenant]
) -> None:
    alpha_admin("browser-owner@alpha.test")

    sign_in_to_kelola(phone, platform_server, "browser-owner@alpha.test")

    assert phone.get_by_role("heading", level=1).inner_text() == "Dasbor"
    assert "Alpha Clinic" in phone.locator(".brand").inner_text()
    screenshot(phone, "dashboard-360-id")
    cookies = {cookie["name"]: cookie for cookie in phone.context.cookies()}
    session = cookies["__Host-sentra-session"]
    assert session["domain"] == "alpha.localhost"  # host-only, not .localhost
    assert session["secure"] is True
    assert session["httpOnly"] is True

    # The same browser on another organiser's host is not signed in there.
    phone.goto(platform_server.url("beta.localhost", "/kelola/"))
    assert "/accounts/login/" in phone.url


def test_unknown_organiser_shows_a_helpful_page(platform_server: LiveServer, phone: object) -> None:
    response = phone.goto(platform_server.url("nosuchorganiser.localhost", "/"))

    assert response.status == 404
    assert phone.get_by_role("heading", level=1).inner_text() == "Penyelenggara tidak ditemukan"
    # the page is styled: its stylesheet loaded on this host too (not the 404 page instead)
    assert phone.evaluate("[...document.styleSheets].every(s => s.cssRules.length > 0)")
    screenshot(phone, "unknown-organiser-360")


def test_platform_staff_sets_up_totp_at_first_sign_in_then_reach_the_console_and_admin(
    platform_server: LiveServer, chromium: object, committed: Callable[[Callable], None]
) -> None:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    with public_scope():
        staff = User.objects.create_superuser("browser-staff@sentra.test", PASSWORD)
        EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    committed(lambda: User.objects.filter(email="browser-staff@sentra.test").delete())
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    page.goto(platform_server.url(path="/accounts/login/"))
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    # Sent to set up TOTP; allauth first asks for the password again.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Sandi").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Konfirmasi|Confirm")).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    screenshot(page, "staff-totp-setup")
    secret = page.locator("#authenticator_secret").input_value()
    counters = list(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name=re.compile("Aktifkan|Activate")).click()
    # Staff land on the review console (issue #12), told to keep their recovery codes.
    page.wait_for_url(re.compile(r"/staf/$"))
    assert page.get_by_text("Simpan kode pemulihan", exact=False).first.is_visible()
    screenshot(page, "staff-review-console")

    page.goto(platform_server.url(path="/admin/"))
    assert page.url.endswith("/admin/")
    screenshot(page, "staff-admin")
    assert page.locator('a[href="/admin/tenants/tenant/"]').count() >= 1
    screenshot(page, "staff-admin")
    context.close()


def test_pages_keep_to_their_content_security_policy(
    platform_server: LiveServer, phone: object
) -> None:
    """Nothing on the landing page or an organiser's booking home is refused by the policy (a
    refused style or script shows as a console error), the browser understands every feature of
    the Permissions-Policy, and both pages carry them."""
    refused: list[str] = []
    phone.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
        else None,
    )

    for url in (platform_server.url(), platform_server.url("alpha.localhost", "/")):
        response = phone.goto(url)
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy
        assert response.headers["cache-control"] == "no-store"
        assert "camera=(self)" in response.headers["permissions-policy"]

    assert refused == []
