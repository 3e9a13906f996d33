"""The roster upload and the import's page: the upload answers at once with a redirect to the
import's page, which shows the progress (JSON for organizer_pages/roster_import.js; no inline
script) and then the report or the reason it failed, in the reader's language. A second upload
while one runs is refused on the form. The real worker imports an upload end to end."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from organizers.models import Programme, RosterEntry, RosterImport
from organizers.services.eligibility.roster_imports import roster_import_run, roster_import_start
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.conftest import OrganizerFixture, WorkerProcess, host_client
from tests.organizers.factories import a_programme
from tests.organizers.services.eligibility.test_roster_imports import roster_csv

SITI = "3273015403580002"
BUDI = "3173021705600011"


def _company(tenant: Tenant) -> Programme:
    with tenant_scope(tenant):
        return a_programme(name="Vaksinasi Karyawan", kind="company", uses_roster=True)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_upload_goes_to_its_page_which_shows_progress_then_the_report(
    tenant_a: OrganizerFixture, local_media: Path
) -> None:
    programme = _company(tenant_a.tenant)
    client = host_client(tenant_a.host, tenant_a.owner)
    url = f"/kelola/program/{programme.id}/karyawan/"
    csv = f"NIK;Nama;Nomor Karyawan\n{SITI};Siti Aminah;K1\n12345;Rusak;K2\n{BUDI};Budi;K3\n"

    response = client.post(url, {"file": _upload("daftar.csv", csv.encode())})

    with tenant_scope(tenant_a.tenant):
        job = RosterImport.objects.get(programme=programme)
        assert not RosterEntry.objects.exists()  # the job imports, not the request
    page_url = f"{url}impor/{job.id}/"
    assert response.status_code == 302
    assert response["Location"] == page_url
    queued = client.get(page_url)
    html = queued.content.decode()
    assert queued.status_code == 200
    assert "Menunggu giliran untuk mulai." in html
    assert f'data-progress-url="{page_url}kemajuan/"' in html
    assert '<script src="/static/organizer_pages/roster_import.js" defer></script>' in html
    assert "<script>" not in html  # scripts come from our host only (CSP)
    assert "script-src 'self'" in queued["Content-Security-Policy"]
    assert json.loads(client.get(f"{page_url}kemajuan/").content) == {
        "status": "queued",
        "status_label": "Menunggu mulai",
        "finished": False,
        "rows_read": 0,
        "summary": "Menunggu giliran untuk mulai.",
    }
    with tenant_scope(tenant_a.tenant):
        RosterImport.objects.filter(id=job.id).update(status="running", rows_read=1000)
    running = client.get(f"{page_url}kemajuan/")
    assert running["Content-Type"] == "application/json"
    assert json.loads(running.content)["summary"] == "Baris yang sudah dibaca: 1000."
    assert "Baris yang sudah dibaca: 1000." in client.get(page_url).content.decode()

    with tenant_scope(tenant_a.tenant):
        RosterImport.objects.filter(id=job.id).update(status="queued")
        assert roster_import_run(import_id=job.id) == "done"

    done = client.get(page_url).content.decode()
    assert "Hasil impor" in done
    assert "Ditambahkan: 2" in done
    assert "<strong>Baris 3</strong>: NIK tidak terdiri dari 16 angka (0-9)." in done
    assert "roster_import.js" not in done
    assert json.loads(client.get(f"{page_url}kemajuan/").content)["finished"] is True
    roster_page = client.get(url).content.decode()
    assert "3273••••••••0002" in roster_page
    assert SITI not in roster_page
    assert f'href="{page_url}"' in roster_page
    assert "Selesai (diimpor 2, tidak diimpor 1)" in roster_page


def test_a_second_upload_while_one_runs_is_refused_on_the_form(
    tenant_a: OrganizerFixture, local_media: Path
) -> None:
    programme = _company(tenant_a.tenant)
    client = host_client(tenant_a.host, tenant_a.owner)
    url = f"/kelola/program/{programme.id}/karyawan/"
    assert client.post(url, {"file": _upload("a.csv", roster_csv(2))}).status_code == 302

    second = client.post(url, {"file": _upload("b.csv", roster_csv(3))})

    assert second.status_code == 409
    assert "Impor daftar karyawan program ini sedang berjalan." in second.content.decode()
    with tenant_scope(tenant_a.tenant):
        assert RosterImport.objects.count() == 1


def test_a_failed_import_says_why_in_the_readers_language(
    tenant_a: OrganizerFixture, local_media: Path
) -> None:
    programme = _company(tenant_a.tenant)
    with tenant_scope(tenant_a.tenant):
        job = roster_import_start(
            programme,
            content=f"NIK,Nama\n{SITI},Si\x00ti\n".encode(),
            replace=False,
            started_by_id=None,
            started_by_email="",
        )
        assert roster_import_run(import_id=job.id) == "failed"
    client = host_client(tenant_a.host, tenant_a.owner)
    page_url = f"/kelola/program/{programme.id}/karyawan/impor/{job.id}/"

    indonesian = client.get(page_url).content.decode()
    client.cookies["__Host-sentra-language"] = "en"
    english = client.get(page_url).content.decode()

    assert "Impor gagal" in indonesian
    assert "File ini bukan file CSV atau Excel (.xlsx)." in indonesian
    assert "Daftar karyawan tetap seperti sebelum unggahan ini." in indonesian
    assert "The import failed" in english
    assert "This file is not a CSV or Excel (.xlsx) file." in english


def test_another_organisers_import_is_not_here(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, local_media: Path
) -> None:
    programme = _company(tenant_b.tenant)
    with tenant_scope(tenant_b.tenant):
        job = roster_import_start(
            programme, content=roster_csv(1), replace=False, started_by_id=None, started_by_email=""
        )
    alpha_programme = _company(tenant_a.tenant)
    client = host_client(tenant_a.host, tenant_a.owner)

    for programme_id in (programme.id, alpha_programme.id):
        base = f"/kelola/program/{programme_id}/karyawan/impor/{job.id}/"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}kemajuan/").status_code == 404
    beta = host_client(tenant_b.host, tenant_b.owner)
    assert beta.get(f"/kelola/program/{programme.id}/karyawan/impor/{job.id}/").status_code == 200


@pytest.mark.worker
def test_the_worker_imports_an_upload_while_its_page_shows_the_rows_read(
    celery_worker: WorkerProcess, alpha_committed: Tenant
) -> None:
    """The request answers before the import is done; the worker (a real Celery process, on
    the suite's broker and database) imports the file, the progress endpoint shows it, and the
    stored file is gone afterwards."""
    programme = _company(alpha_committed)
    client = host_client(f"{alpha_committed.slug}.localhost", _owner(alpha_committed))
    url = f"/kelola/program/{programme.id}/karyawan/"
    content = roster_csv(5_000)

    started = time.monotonic()
    response = client.post(url, {"file": _upload("daftar.csv", content)})
    answered = time.monotonic() - started

    assert response.status_code == 302
    progress_url = f"{response['Location']}kemajuan/"
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        progress = json.loads(client.get(progress_url).content)
        if not seen or seen[-1] != (progress["status"], progress["rows_read"]):
            seen.append((progress["status"], progress["rows_read"]))
        if progress["finished"]:
            break
        time.sleep(0.05)
    finished = time.monotonic() - started

    assert seen[-1] == ("done", 5_001), seen
    with tenant_scope(alpha_committed):
        job = RosterImport.objects.get(programme=programme)
        assert RosterEntry.objects.filter(programme=programme).count() == 5_000
    assert (job.status, job.added, job.file_key) == ("done", 5_000, "")
    assert not list((Path(settings.MEDIA_ROOT) / alpha_committed.storage_prefix).rglob("*.csv"))
    print(f"upload answered in {answered:.3f} s; import done after {finished:.2f} s; {seen}")
    assert answered < finished


def _owner(tenant: Tenant) -> object:
    from tenants.models import Membership

    return Membership.objects.get(tenant=tenant, role="owner").user
