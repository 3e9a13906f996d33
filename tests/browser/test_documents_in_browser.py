"""An organiser sends its NIB from /kelola/dokumen/ in Chromium: the page's script (a static
file under the pages' CSP) asks the API for a presigned POST, posts the file straight to the S3
server (moto in server mode, another origin, through its CORS rule), confirms; the worker's
check (run here) makes it received, and the page says so in Bahasa Indonesia."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from documents.models import Document
from documents.services import document_verify
from tenants.models import Tenant
from tests.browser.conftest import LiveServer, live_server, sign_in_to_kelola
from tests.browser.test_booking_in_browser import check_accessibility
from tests.conftest import S3Server
from tests.documents import samples

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "browser-documents@alpha.test"
BUCKET = "sentra-browser-documents"


@pytest.fixture
def documents_server(
    s3_server: S3Server, django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The platform pointed at the run's S3 server (a server of its own: the session's
    platform_server was started without one)."""
    env = {
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "SENTRA_S3_BUCKET": BUCKET,
        "SENTRA_S3_CREATE_BUCKET": "true",
        "AWS_ACCESS_KEY_ID": "sentra-test",
        "AWS_SECRET_ACCESS_KEY": "sentra-test",
    }
    log = tmp_path_factory.getbasetemp() / "documents-server.log"
    with live_server(log, workers=1, env=env) as server:
        yield server


def test_nib_goes_straight_to_s3_and_is_received(
    documents_server: LiveServer,
    s3_server: S3Server,
    phone: object,
    committed: Callable[[Callable], None],
    alpha_admin: Callable[[str], Tenant],
    tmp_path: Path,
) -> None:
    tenant = alpha_admin(ADMIN_EMAIL)
    committed(lambda: Document.objects.filter(tenant=tenant).delete())
    scan = tmp_path / "NIB scan (final).pdf"
    scan.write_bytes(samples.pdf())
    sign_in_to_kelola(phone, documents_server, ADMIN_EMAIL)

    phone.goto(documents_server.url("alpha.localhost", "/kelola/dokumen/"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Dokumen dan foto"
    check_accessibility(phone, "documents-1-form")
    phone.get_by_label("Dokumen", exact=True).select_option("nib")
    phone.get_by_label("Nomor dokumen").fill("9120001234567")
    phone.get_by_label("Diterbitkan oleh").fill("OSS RBA")
    phone.get_by_label(re.compile("^Berkas")).set_input_files(str(scan))
    phone.get_by_role("button", name="Kirim").click()
    phone.get_by_text("Terkirim. Berkas sedang diperiksa").wait_for(timeout=20_000)

    document = Document.objects.get(tenant=tenant)
    assert document.state == Document.State.VERIFYING
    assert document.key.startswith(f"tenants/{tenant.uid}/licence-documents/")
    with override_settings(SENTRA_S3_ENDPOINT_URL=s3_server.endpoint_url, SENTRA_S3_BUCKET=BUCKET):
        assert document_verify(document_id=document.id).state == Document.State.RECEIVED

    phone.goto(documents_server.url("alpha.localhost", "/kelola/dokumen/"))
    item = phone.locator("[data-document-state=received]")
    assert "9120001234567" in item.inner_text()
    assert "Diterima" in item.inner_text()
    check_accessibility(phone, "documents-2-received")
