"""Roster imports as background jobs. Tenant schema.

A 50,000-row roster takes 11 to 40 s to read, check and write (ADR 0011 has the figures):
too long for a web thread. So:

1. roster_import_start (the upload's request): the cheap checks (roster_file_check: size,
   kind, an Excel archive opens), the file into the organiser's storage (tenants.storage), a
   RosterImport row "queued", and the job queued after the commit. At most one import per
   programme is queued or running: the partial unique constraint decides a race between two
   uploads, and the second is refused (RosterImportBusyError).
2. roster_import_run (the Celery task organizers.tasks.roster_import_run): claims the row
   (queued -> running), reads the file with roster.roster_import_plan, writing the rows read
   every roster_file.PROGRESS_EVERY rows in a statement of its own (autocommit: the import's
   page sees it), then writes the roster and marks the import done in ONE transaction
   (roster.roster_import_write): a roster is never half imported. A refused file, or any
   fault, marks it failed with a problem code and leaves the roster as it was. The stored file
   is deleted when the job ends, either way.
3. A job whose worker died (killed, restarted, out of memory) stops reporting progress:
   roster_imports_expire_stale marks it failed ("upload it again") once its heartbeat is
   older than RUNNING_STALE_AFTER (QUEUED_STALE_AFTER for one that never started), and
   deletes its file. It runs when the roster pages are shown and before each upload, so a
   dead job never blocks the next, and from beat every 5 minutes, so a file with people's
   NIKs does not wait in storage for someone to look. The task is acknowledged when it starts
   (not acks_late): a redelivered job would race the expiry, and the organiser is told to
   upload again instead. Should a slow job still be alive, its next progress report or its
   final transaction sees the import failed and stops without writing.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models import Programme, RosterImport
from organizers.services.eligibility import roster_file
from organizers.services.eligibility.roster import (
    RosterImportReport,
    roster_import_plan,
    roster_import_write,
)
from organizers.services.eligibility.roster_file import RosterFileError
from organizers.services.eligibility.roster_problems import RosterProblem
from tenants.context import enqueue_after_commit
from tenants.errors import ConflictError
from tenants.storage import tenant_file_delete, tenant_file_open, tenant_file_save

logger = logging.getLogger(__name__)

# A running job reports every PROGRESS_EVERY rows (a fraction of a second) and spends a few
# seconds checking and writing 50,000 rows: five minutes of silence is a dead worker.
RUNNING_STALE_AFTER = dt.timedelta(minutes=5)
# A queue that has not started a job in 15 minutes has lost it, or will start it after the
# organiser has given up: either way, asking for the file again is the honest answer.
QUEUED_STALE_AFTER = dt.timedelta(minutes=15)
REFUSED_ROWS_KEPT = 1_000
_ACTIVE = (RosterImport.Status.QUEUED, RosterImport.Status.RUNNING)


class RosterImportBusyError(ConflictError):
    """Another import of this programme is queued or running."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "An import of this programme's roster is already running. Wait until it "
                "finishes (its page shows how far it is), then upload again."
            ),
            code="roster_import_running",
        )


class _ExpiredError(Exception):
    """The import was marked failed while this job ran (roster_imports_expire_stale)."""


def roster_import_start(
    programme: Programme,
    *,
    content: bytes,
    replace: bool,
    started_by_id: int | None,
    started_by_email: str,
) -> RosterImport:
    """Check the file cheaply, store it, record the import and queue its job (after the
    commit). Tenant schema. RosterFileError for a file refused at once (nothing stored),
    RosterImportBusyError while another import of `programme` is queued or running."""
    from organizers.tasks import roster_import_run as job_task

    if programme.kind != Programme.Kind.COMPANY:
        raise RosterFileError(RosterProblem("roster_company_only"))
    content_type = roster_file.roster_file_check(content)
    roster_imports_expire_stale(programme=programme)
    if RosterImport.objects.filter(programme=programme, status__in=_ACTIVE).exists():
        raise RosterImportBusyError()
    stored = tenant_file_save(category="roster-imports", content=content, content_type=content_type)
    try:
        with transaction.atomic():
            job = RosterImport.objects.create(
                programme=programme,
                replace=replace,
                file_key=stored.key,
                file_size=stored.size,
                started_by_id=started_by_id,
                started_by_email=started_by_email,
            )
            enqueue_after_commit(job_task, job.id)
    except IntegrityError:  # another upload won the race (roster_import_one_at_a_time)
        tenant_file_delete(key=stored.key)
        raise RosterImportBusyError() from None
    except Exception:  # no import row names the file: nothing else would delete it
        tenant_file_delete(key=stored.key)
        raise
    return job


def roster_import_run(*, import_id: int) -> str:
    """The job (organizers.tasks.roster_import_run): import the stored file, see the module
    docstring. Tenant schema; autocommit outside the final transaction. Returns the status it
    ended with, or "skipped" for an import that was not waiting (a second delivery)."""
    now = timezone.now()
    claimed = RosterImport.objects.filter(id=import_id, status=RosterImport.Status.QUEUED).update(
        status=RosterImport.Status.RUNNING, started_at=now, progress_at=now
    )
    if not claimed:
        return "skipped"
    job = RosterImport.objects.select_related("programme").get(id=import_id)
    try:
        with tenant_file_open(key=job.file_key) as stored:
            content = stored.read(roster_file.MAX_BYTES + 1)
        plan = roster_import_plan(
            job.programme,
            content=content,
            replace=job.replace,
            progress=lambda rows: _progress(import_id, rows),
        )
        del content
        with transaction.atomic():
            locked = RosterImport.objects.select_for_update().get(id=import_id)
            if locked.status != RosterImport.Status.RUNNING:
                raise _ExpiredError
            _done(locked, roster_import_write(plan))
        return RosterImport.Status.DONE
    except _ExpiredError:
        return RosterImport.Status.FAILED
    except RosterFileError as exc:
        _fail(import_id, exc.problem)
        return RosterImport.Status.FAILED
    except Exception:
        logger.exception("roster import %s failed", import_id)
        _fail(import_id, RosterProblem("roster_import_error"))
        return RosterImport.Status.FAILED
    finally:
        _file_forget(job)


def _progress(import_id: int, rows_read: int) -> None:
    """One autocommitted statement: the import's page sees it at once."""
    reported = RosterImport.objects.filter(id=import_id, status=RosterImport.Status.RUNNING).update(
        rows_read=rows_read, progress_at=timezone.now()
    )
    if not reported:
        raise _ExpiredError


def _done(job: RosterImport, report: RosterImportReport) -> None:
    job.status = RosterImport.Status.DONE
    job.rows_imported = report.imported
    job.rows_refused = len(report.errors)
    job.added, job.updated = report.added, report.updated
    job.unchanged, job.removed = report.unchanged, report.removed
    job.refused_rows = [
        {"row": error.row, "problems": [problem.as_json() for problem in error.problems]}
        for error in report.errors[:REFUSED_ROWS_KEPT]
    ]
    job.finished_at = job.progress_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "rows_imported",
            "rows_refused",
            "added",
            "updated",
            "unchanged",
            "removed",
            "refused_rows",
            "finished_at",
            "progress_at",
        ]
    )


def _fail(import_id: int, problem: RosterProblem) -> bool:
    """Queued or running -> failed with `problem`. False when it had already ended."""
    now = timezone.now()
    return bool(
        RosterImport.objects.filter(id=import_id, status__in=_ACTIVE).update(
            status=RosterImport.Status.FAILED,
            failure_code=problem.code,
            failure_params=dict(problem.params),
            finished_at=now,
            progress_at=now,
        )
    )


def _file_forget(job: RosterImport) -> None:
    """Delete the stored file (the import keeps no copy of the roster). A storage or database
    fault is logged, not raised: the import's outcome stands."""
    if not job.file_key:
        return
    try:
        tenant_file_delete(key=job.file_key)
        RosterImport.objects.filter(id=job.id).update(file_key="")
    except Exception:
        logger.exception("roster import %s: the stored file was not deleted", job.id)


def roster_imports_expire_stale(*, programme: Programme | None = None) -> int:
    """Mark failed the imports (of `programme`, or of every programme: beat's sweep,
    organizers.tasks.roster_imports_expire_all) whose job has stopped reporting (see the module
    docstring) and delete their files. Tenant schema. Returns how many."""
    now = timezone.now()
    imports = RosterImport.objects.all()
    if programme is not None:
        imports = imports.filter(programme=programme)
    stale = imports.filter(
        Q(status=RosterImport.Status.RUNNING, progress_at__lt=now - RUNNING_STALE_AFTER)
        | Q(status=RosterImport.Status.QUEUED, created_at__lt=now - QUEUED_STALE_AFTER)
    )
    expired = 0
    for job in stale:
        if _fail(job.id, RosterProblem("roster_import_worker_lost")):
            expired += 1
            _file_forget(job)
    return expired
