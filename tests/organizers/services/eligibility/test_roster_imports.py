"""Roster imports as background jobs: the upload stores the file and queues the job; the job
reports its progress in commits of its own, writes the roster in one transaction at the end,
ends done or failed with a reason, and deletes the file; one import per programme at a time; a
job whose worker died is failed by its stale heartbeat. The job runs in-process here (the real
worker: tests/organizer_pages/views/test_roster_imports.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from django.utils import timezone, translation

from organizers.models import Programme, RosterEntry, RosterImport
from organizers.nik import nik_compose
from organizers.personal_data import person_key
from organizers.services.eligibility import roster_file, roster_imports
from organizers.services.eligibility.roster import roster_import
from organizers.services.eligibility.roster_file import RosterFileError
from organizers.services.eligibility.roster_imports import (
    RosterImportBusyError,
    roster_import_run,
    roster_import_start,
    roster_imports_expire_stale,
)
from organizers.services.eligibility.roster_problems import roster_problem_text
from organizers.tasks import roster_import_run as roster_import_task
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.conftest import OrganizerFixture, suite_database_url
from tests.organizers.factories import a_programme

SITI = "3273015403580002"
BUDI = "3173021705600011"


def roster_csv(count: int, *, extra: str = "") -> bytes:
    """A roster of `count` well-formed people (NIK, name), then `extra` lines."""
    born = dt.date(1980, 1, 2)
    lines = [f"{nik_compose(born, serial=n + 1)},Karyawan {n + 1}" for n in range(count)]
    return ("NIK,Nama\n" + "\n".join(lines) + "\n" + extra).encode()


@pytest.fixture
def company(tenant_a: OrganizerFixture, local_media: Path) -> Iterator[Programme]:
    with tenant_scope(tenant_a.tenant), translation.override("en"):
        yield a_programme(name="Vaksinasi Karyawan", kind="company", uses_roster=True)


@pytest.fixture
def queued_tasks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """For tests on committed data: the job's task is recorded instead of sent, so that a
    worker this pytest process may have started never runs it alongside the test."""
    sent: list[tuple[object, ...]] = []
    monkeypatch.setattr(roster_imports, "enqueue_after_commit", lambda *args: sent.append(args))
    return sent


def _start(programme: Programme, content: bytes, *, replace: bool = False) -> RosterImport:
    return roster_import_start(
        programme,
        content=content,
        replace=replace,
        started_by_id=1,
        started_by_email="owner@alpha.test",
    )


def _stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def test_an_upload_is_stored_and_queued_then_the_job_imports_it_and_deletes_the_file(
    company: Programme,
    local_media: Path,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    content = f"NIK,Nama,Email\n{SITI},Siti,siti@acme.co.id\n12345,Rusak,\n{BUDI},Budi,x\n"

    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[attr-defined]
        job = _start(company, content.encode())

    assert len(callbacks) == 1  # the task, sent after the commit
    assert (job.status, job.rows_read, job.started_by_email) == ("queued", 0, "owner@alpha.test")
    (stored,) = _stored_files(local_media)
    assert stored.read_bytes() == content.encode()
    assert not RosterEntry.objects.exists()  # nothing imported by the upload itself

    assert roster_import_run(import_id=job.id) == "done"

    job.refresh_from_db()
    assert (job.status, job.rows_read, job.rows_imported, job.rows_refused) == ("done", 4, 1, 2)
    assert (job.added, job.updated, job.unchanged, job.removed) == (1, 0, 0, 0)
    assert job.refused_rows == [
        {"row": 3, "problems": [["nik_format", {}]]},
        {"row": 4, "problems": [["email_invalid", {}]]},
    ]
    assert BUDI not in str(job.refused_rows)
    assert job.finished_at is not None
    assert job.file_key == ""
    assert _stored_files(local_media) == []
    assert list(RosterEntry.objects.values_list("person_key", flat=True)) == [person_key(SITI)]
    # A second delivery of the same task does nothing.
    assert roster_import_run(import_id=job.id) == "skipped"


def test_the_stored_key_starts_with_the_tenant_and_names_no_uploaded_file(
    company: Programme, tenant_a: OrganizerFixture
) -> None:
    job = _start(company, b"NIK,Nama\n")

    assert job.file_key.startswith(f"tenants/{tenant_a.tenant.uid}/roster-imports/")
    assert job.file_key.endswith(".csv")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "roster_empty"),
        (b"<!DOCTYPE html><html>NIK,Nama</html>", "roster_not_a_table"),
        (b"PK\x03\x04not really a zip", "roster_bad_xlsx"),
        (b"x" * (roster_file.MAX_BYTES + 1), "roster_too_large"),
    ],
    ids=["empty", "html", "broken-zip", "too-large"],
)
def test_what_is_cheap_to_see_is_refused_at_the_upload_with_nothing_stored(
    company: Programme, local_media: Path, content: bytes, code: str
) -> None:
    with pytest.raises(RosterFileError) as refused:
        _start(company, content)

    assert refused.value.code == code
    assert not RosterImport.objects.exists()
    assert _stored_files(local_media) == []


def test_a_public_programme_has_no_roster_import(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant), pytest.raises(RosterFileError) as refused:
        _start(a_programme(), roster_csv(1))
    assert refused.value.code == "roster_company_only"


def _roster_of_two(programme: Programme) -> list[str]:
    roster_import(programme, content=f"NIK,Nama\n{SITI},Siti\n{BUDI},Budi\n".encode())
    return sorted(RosterEntry.objects.values_list("full_name", flat=True))


@pytest.mark.parametrize(
    ("content", "code", "text"),
    [
        (
            roster_csv(300, extra=f"{SITI},Si\x00ti\n"),
            "roster_not_a_table",
            "This file is not a CSV or Excel (.xlsx) file.",
        ),
        (roster_csv(45), "roster_too_many_rows", "The file has more than 40 rows."),
        (
            roster_csv(3, extra=f"{SITI},{'A' * (roster_file.MAX_CELL_CHARACTERS + 1)}\n"),
            "roster_cell_too_long",
            "Row 5 has a cell longer than 1000 characters",
        ),
    ],
    ids=["nul-byte", "too-many-rows", "huge-cell"],
)
def test_a_file_refused_by_the_job_ends_failed_with_the_reason_and_the_roster_as_it_was(
    company: Programme,
    local_media: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    code: str,
    text: str,
) -> None:
    monkeypatch.setattr(roster_file, "MAX_ROWS", 40)
    before = _roster_of_two(company)
    job = _start(company, content, replace=True)

    assert roster_import_run(import_id=job.id) == "failed"

    job.refresh_from_db()
    assert (job.status, job.failure_code) == ("failed", code)
    assert text in roster_problem_text(job.failure_code, job.failure_params)
    assert sorted(RosterEntry.objects.values_list("full_name", flat=True)) == before
    assert job.file_key == ""
    assert _stored_files(local_media) == []


def test_the_reason_is_worded_in_the_readers_language(company: Programme) -> None:
    with translation.override("id"):
        assert roster_problem_text("roster_too_many_rows", {"max": 50_000}) == (
            "File berisi lebih dari 50000 baris. Bagi menjadi beberapa file yang lebih kecil. "
            "Tidak ada data yang diimpor."
        )
    with translation.override("en"):
        assert roster_problem_text("no_such_code") == roster_problem_text("roster_import_error")


def test_a_second_upload_is_refused_while_one_is_queued_or_running(
    company: Programme, local_media: Path
) -> None:
    first = _start(company, roster_csv(2))

    with pytest.raises(RosterImportBusyError) as refused:
        _start(company, roster_csv(3))
    RosterImport.objects.filter(id=first.id).update(status="running", progress_at=timezone.now())
    with pytest.raises(RosterImportBusyError):
        _start(company, roster_csv(3))

    assert refused.value.status_code == 409
    assert "already running" in refused.value.message
    assert list(RosterImport.objects.values_list("id", flat=True)) == [first.id]
    assert len(_stored_files(local_media)) == 1
    # Once it has ended, the next upload is taken.
    RosterImport.objects.filter(id=first.id).update(status="done")
    assert _start(company, roster_csv(3)).status == "queued"


def test_two_uploads_at_once_make_one_import(
    alpha_committed: Tenant, local_media: Path, queued_tasks: list[tuple[object, ...]]
) -> None:
    """Both pass the "already running?" look; the partial unique index lets one row in."""
    from tests.organizers.concurrency import run_at_once

    with tenant_scope(alpha_committed):
        programme = a_programme(kind="company", uses_roster=True)

    def upload(index: int) -> str:
        with tenant_scope(alpha_committed):
            try:
                _start(Programme.objects.get(id=programme.id), roster_csv(index + 1))
            except RosterImportBusyError as exc:
                return exc.code
            return "queued"

    outcomes = run_at_once(4, upload)

    assert outcomes == {"queued": 1, "roster_import_running": 3}
    with tenant_scope(alpha_committed):
        (job,) = RosterImport.objects.filter(programme_id=programme.id)
    assert [args[1:] for args in queued_tasks] == [(job.id,)]
    assert len(_stored_files(local_media)) == 1  # the losers' files are deleted


def test_progress_is_committed_as_the_job_reads_and_the_roster_changes_at_the_end(
    alpha_committed: Tenant,
    local_media: Path,
    monkeypatch: pytest.MonkeyPatch,
    queued_tasks: list[tuple[object, ...]],
) -> None:
    """Another connection (the import's page) sees the rows read go up while the roster is
    still the old one; then the whole new roster at once."""
    monkeypatch.setattr(roster_file, "PROGRESS_EVERY", 10)
    with tenant_scope(alpha_committed):
        programme = a_programme(kind="company", uses_roster=True)
        roster_import(programme, content=f"NIK,Nama\n{SITI},Siti\n".encode())
        job = _start(programme, roster_csv(35), replace=True)
    seen: list[tuple[str, int, int]] = []
    table = f'"{alpha_committed.schema_name}".organizers_rosterimport'
    roster = f'"{alpha_committed.schema_name}".organizers_rosterentry'
    report = roster_imports._progress

    with psycopg.connect(suite_database_url(), autocommit=True) as page:

        def look(import_id: int, rows_read: int) -> None:
            report(import_id, rows_read)
            status, read = page.execute(
                f"SELECT status, rows_read FROM {table} WHERE id = %s",  # noqa: S608
                [import_id],
            ).fetchone()
            (people,) = page.execute(
                f"SELECT count(*) FROM {roster} WHERE programme_id = %s",  # noqa: S608
                [programme.id],
            ).fetchone()
            seen.append((status, read, people))

        monkeypatch.setattr(roster_imports, "_progress", look)
        with tenant_scope(alpha_committed):
            assert roster_import_run(import_id=job.id) == "done"

    # 36 rows read: the header and 35 people; reported at 10, 20, 30 and at the end.
    assert seen == [("running", 10, 1), ("running", 20, 1), ("running", 30, 1), ("running", 36, 1)]
    with tenant_scope(alpha_committed):
        assert RosterEntry.objects.filter(programme=programme).count() == 35
        job.refresh_from_db()
    assert (job.status, job.rows_read, job.added, job.removed) == ("done", 36, 35, 1)


def test_a_job_whose_worker_died_is_failed_when_its_heartbeat_is_stale(
    company: Programme, local_media: Path
) -> None:
    job = _start(company, roster_csv(2))
    RosterImport.objects.filter(id=job.id).update(
        status="running",
        progress_at=timezone.now() - roster_imports.RUNNING_STALE_AFTER + dt.timedelta(seconds=5),
    )
    assert roster_imports_expire_stale(programme=company) == 0  # still within its time

    RosterImport.objects.filter(id=job.id).update(
        progress_at=timezone.now() - roster_imports.RUNNING_STALE_AFTER - dt.timedelta(seconds=1)
    )
    assert roster_imports_expire_stale(programme=company) == 1

    job.refresh_from_db()
    assert (job.status, job.failure_code, job.file_key) == (
        "failed",
        "roster_import_worker_lost",
        "",
    )
    assert "Upload the file again" in roster_problem_text(job.failure_code)
    assert _stored_files(local_media) == []
    assert _start(company, roster_csv(2)).status == "queued"  # no longer in the way


def test_a_job_that_never_started_is_failed_after_the_queue_wait(company: Programme) -> None:
    job = _start(company, roster_csv(2))
    RosterImport.objects.filter(id=job.id).update(
        created_at=timezone.now() - roster_imports.QUEUED_STALE_AFTER - dt.timedelta(seconds=1)
    )

    assert roster_imports_expire_stale(programme=company) == 1
    # Should the lost task arrive after all, it finds the import ended and does nothing.
    assert roster_import_run(import_id=job.id) == "skipped"
    assert not RosterEntry.objects.exists()


def test_a_slow_job_failed_as_stale_meanwhile_writes_nothing(
    company: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_file, "PROGRESS_EVERY", 5)
    before = _roster_of_two(company)
    job = _start(company, roster_csv(12), replace=True)
    report = roster_imports._progress

    def stale_after_first_report(import_id: int, rows_read: int) -> None:
        RosterImport.objects.filter(id=import_id).update(
            progress_at=timezone.now() - dt.timedelta(hours=1)
        )
        roster_imports_expire_stale(programme=company)
        report(import_id, rows_read)

    monkeypatch.setattr(roster_imports, "_progress", stale_after_first_report)

    assert roster_import_run(import_id=job.id) == "failed"
    job.refresh_from_db()
    assert (job.status, job.failure_code, job.rows_read) == (
        "failed",
        "roster_import_worker_lost",
        0,
    )
    assert sorted(RosterEntry.objects.values_list("full_name", flat=True)) == before


def test_a_fault_in_the_job_ends_failed_and_leaves_the_roster(
    company: Programme, monkeypatch: pytest.MonkeyPatch, local_media: Path
) -> None:
    before = _roster_of_two(company)
    job = _start(company, roster_csv(3), replace=True)

    def broken(plan: object) -> object:
        RosterEntry.objects.all().delete()  # part of the write, then a fault
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster_imports, "roster_import_write", broken)

    assert roster_import_run(import_id=job.id) == "failed"
    job.refresh_from_db()
    assert (job.status, job.failure_code) == ("failed", "roster_import_error")
    assert sorted(RosterEntry.objects.values_list("full_name", flat=True)) == before
    assert _stored_files(local_media) == []


def test_the_task_runs_the_job(company: Programme) -> None:
    job = _start(company, roster_csv(2))

    assert roster_import_task.run(job.id) == "done"
    assert RosterEntry.objects.filter(programme=company).count() == 2


def test_beat_fails_stale_imports_in_every_organiser(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, local_media: Path
) -> None:
    """Nobody opens the page: beat's sweep still fails the import and deletes the file."""
    from django.conf import settings

    from organizers.tasks import roster_imports_expire

    jobs = {}
    for organizer in (tenant_a, tenant_b):
        with tenant_scope(organizer.tenant):
            programme = a_programme(kind="company", uses_roster=True)
            job = _start(programme, roster_csv(2))
            RosterImport.objects.filter(id=job.id).update(
                status="running", progress_at=timezone.now() - dt.timedelta(hours=1)
            )
            jobs[organizer.tenant.slug] = job.id

    for organizer in (tenant_a, tenant_b):  # what roster_imports_expire_all sends to each
        with tenant_scope(organizer.tenant):
            assert roster_imports_expire.run() == 1
            assert RosterImport.objects.get(id=jobs[organizer.tenant.slug]).status == "failed"
    assert _stored_files(local_media) == []
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "organizers.tasks.roster_imports_expire_all" in scheduled
