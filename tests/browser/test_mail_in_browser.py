"""The local mail viewer (/dev/mail/) and the HTML email itself, on a 360 px phone: nothing
wider than the screen, the email readable at full width, labels apart from their values.

The live server runs without DEBUG (the viewer answers 404 there), so the viewer's page is
rendered by the Django test client and shown in the browser with the live server's CSS."""

from __future__ import annotations

from pathlib import Path

import pytest

from organizers.services.messages import mime
from tenants.context import tenant_scope
from tests.browser.conftest import LiveServer, screenshot
from tests.conftest import ROOT_HOST, OrganizerFixture, host_client
from tests.public_site.test_dev_mail import a_voucher_mailed_to

pytestmark = pytest.mark.browser


def _voucher_email(tenant: OrganizerFixture, settings: object, folder: Path) -> str:
    """The voucher email's HTML, and the viewer's detail page for it."""
    message = a_voucher_mailed_to(folder, tenant, settings)
    with tenant_scope(tenant.tenant):
        return mime.message_email(message).alternatives[0].content


def _on_the_live_server(html: str, server: LiveServer) -> str:
    return html.replace('href="/static/', f'href="{server.url(path="/static/")}')


def test_the_mail_viewer_reads_on_a_phone(
    platform_server: LiveServer,
    phone: object,
    tenant_a: OrganizerFixture,
    settings: object,
    tmp_path: Path,
) -> None:
    _voucher_email(tenant_a, settings, tmp_path)
    settings.DEBUG = True
    client = host_client(ROOT_HOST)
    name = next(tmp_path.iterdir()).name
    detail = client.get(f"/dev/mail/{name}/0/").content.decode()

    phone.goto(platform_server.url())  # the live server's origin, for its stylesheet
    phone.set_content(_on_the_live_server(detail, platform_server), wait_until="load")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    text = phone.locator("pre.mail-text")
    assert text.evaluate("e => e.scrollWidth <= e.clientWidth")  # the long link wraps
    frame = phone.locator("iframe.mail-html").bounding_box()
    assert frame["width"] >= 320  # the email's own width, not squeezed into a card
    assert frame["height"] >= 500
    screenshot(phone, "dev-mail-detail-360")


def test_the_html_email_keeps_labels_apart_from_values_at_360_px(
    phone: object, tenant_a: OrganizerFixture, settings: object, tmp_path: Path
) -> None:
    html = _voucher_email(tenant_a, settings, tmp_path)

    phone.set_content(html)

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    gaps = phone.evaluate(
        """() => [...document.querySelectorAll("table table table tr")].map(row => {
            const [label, value] = row.querySelectorAll("td");
            const text = document.createRange();
            text.selectNodeContents(label);
            return value.getBoundingClientRect().left + 0 - text.getBoundingClientRect().right;
        })"""
    )
    assert len(gaps) == 8
    assert min(gaps) >= 12, gaps  # "Tanggal" no longer touches "Jumat, 27 November 2026"
    screenshot(phone, "email-html-360")
