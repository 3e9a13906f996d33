"""A roster import on a 360 px phone, in Bahasa Indonesia: the upload lands on the import's
page, whose script (organizer_pages/roster_import.js, from our host under the pages' CSP) shows
the rows read as the job reports them and the result once the job has ended, without the
person reloading. The job runs in this test's process, so each step is seen in turn."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from organizers.models import Programme, RosterImport
from organizers.services.eligibility import roster_imports
from organizers.services.eligibility.roster_imports import roster_import_run, roster_import_start
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.browser.conftest import LiveServer, screenshot, sign_in_to_kelola
from tests.browser.test_booking_in_browser import check_accessibility
from tests.organizers.factories import organizer_data_delete
from tests.organizers.services.eligibility.test_roster_imports import roster_csv

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "browser-roster@alpha.test"


def _fits_the_phone(page: object) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_import_page_follows_the_job_and_shows_the_result_on_a_phone(
    platform_server: LiveServer,
    phone: object,
    committed: Callable[[Callable], None],
    alpha_admin: Callable[[str], Tenant],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    tenant = alpha_admin(ADMIN_EMAIL)
    committed(lambda: organizer_data_delete(tenant))
    # This process starts the job itself (no broker): each state stays until the test moves on.
    monkeypatch.setattr(roster_imports, "enqueue_after_commit", lambda *args: None)
    with tenant_scope(tenant):
        programme = Programme.objects.create(
            name="Vaksinasi Karyawan", kind="company", uses_roster=True
        )
        job = roster_import_start(
            programme,
            content=roster_csv(3, extra="12345,Rusak\n"),
            replace=False,
            started_by_id=None,
            started_by_email=ADMIN_EMAIL,
        )
    page_url = f"/kelola/program/{programme.id}/karyawan/impor/{job.id}/"
    sign_in_to_kelola(phone, platform_server, ADMIN_EMAIL)

    phone.goto(platform_server.url("alpha.localhost", page_url))
    assert phone.get_by_role("heading", level=1).inner_text() == (
        "Impor daftar karyawan untuk Vaksinasi Karyawan"
    )
    status = phone.get_by_role("status")
    assert status.inner_text() == "Menunggu giliran untuk mulai."
    _fits_the_phone(phone)
    check_accessibility(phone, "roster-import-1-queued")

    # The job reports progress: the script shows it in the status line, the page stays.
    with tenant_scope(tenant):
        RosterImport.objects.filter(id=job.id).update(status="running", rows_read=2000)
    phone.get_by_text("Baris yang sudah dibaca: 2000.").wait_for(timeout=15_000)
    assert phone.locator("[data-progress-status]").inner_text() == "Sedang diimpor"
    assert phone.url.endswith(page_url)
    screenshot(phone, "roster-import-2-running")

    # The job ends: the script loads the page again, which shows the result.
    with tenant_scope(tenant):
        RosterImport.objects.filter(id=job.id).update(status="queued", rows_read=0)
        assert roster_import_run(import_id=job.id) == "done"
    phone.get_by_role("heading", name="Hasil impor").wait_for(timeout=15_000)
    result = phone.locator(".roster-import-report").inner_text()
    assert "Ditambahkan: 3" in result
    assert "Baris 5: NIK tidak terdiri dari 16 angka (0-9)." in result
    _fits_the_phone(phone)
    check_accessibility(phone, "roster-import-3-done")

    # A new upload from the roster page lands on its own import's page. The live server sends
    # its job to the broker: a worker this pytest process started may take it first.
    upload = tmp_path / "daftar.csv"
    upload.write_bytes(roster_csv(2))
    phone.get_by_role("link", name="Lihat daftar karyawan").click()
    phone.wait_for_url(re.compile(rf"/kelola/program/{programme.id}/karyawan/$"))
    assert "Selesai (diimpor 3, tidak diimpor 1)" in phone.locator(".roster-imports").inner_text()
    phone.get_by_label("File daftar karyawan").set_input_files(str(upload))
    phone.get_by_role("button", name="Unggah").click()
    phone.wait_for_url(re.compile(rf"/kelola/program/{programme.id}/karyawan/impor/\d+/$"))
    screenshot(phone, "roster-import-4-second-upload")
    with tenant_scope(tenant):
        second = RosterImport.objects.exclude(id=job.id).get(programme=programme)
        assert roster_import_run(import_id=second.id) in ("done", "skipped")
    phone.get_by_role("heading", name="Hasil impor").wait_for(timeout=30_000)
    assert "Tidak berubah: 2" in phone.locator(".roster-import-report").inner_text()
