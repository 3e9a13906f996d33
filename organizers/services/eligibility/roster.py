"""Importing a company programme's roster: who may book it. Tenant schema.

The file is read by roster_file.py: a file that cannot be read is refused as a whole, and
nothing is written. Otherwise:

- Each broken row is reported with its row number (as the spreadsheet numbers it: the header
  is row 1) and the reason; the good rows are imported.
- Re-importing updates the people already on the roster (matched by NIK) and adds the new ones.
  People missing from the new file stay, unless the organiser ticks "replace the whole roster":
  then they are removed (but never someone whose row is in the file, even a broken one).
- The NIK is stored sealed with its person key (blind index), never in clear.
- A row's problems are codes (roster_problems.py), worded when shown: the report keeps no
  value from the file.

roster_import_plan reads and checks (no writes); roster_import_write applies a plan in one
transaction, so a roster is never half imported. roster_import does both, for the shell and the
tests; the organiser's uploads run them in a background job (roster_imports.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizers.models import Programme, RosterEntry
from organizers.nik import nik_problems
from organizers.personal_data import person_key, seal
from organizers.services.eligibility.roster_file import (
    RosterFileError,
    RosterRow,
    roster_file_read,
)
from organizers.services.eligibility.roster_problems import RosterProblem
from tenants.errors import NotFoundError

_BATCH = 1000
_NIK_CODES = frozenset({"nik_format", "nik_province", "nik_birth_date", "nik_serial"})


@dataclass(frozen=True)
class RowError:
    row: int
    problems: tuple[RosterProblem, ...]

    @property
    def reason(self) -> str:
        """In the active language."""
        return " ".join(problem.text for problem in self.problems)


@dataclass
class RosterImportReport:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.added + self.updated + self.unchanged


def _row_problems(row: RosterRow) -> list[RosterProblem]:
    problems = []
    for problem in nik_problems(row.nik, date_of_birth=None):
        problems.append(
            RosterProblem(problem.code if problem.code in _NIK_CODES else "nik_invalid")
        )
    if problems and row.nik_was_number:
        problems.append(RosterProblem("nik_was_number"))
    if not row.full_name:
        problems.append(RosterProblem("name_missing"))
    elif len(row.full_name) > 200:
        problems.append(RosterProblem("name_too_long"))
    if len(row.employee_number) > 40:
        problems.append(RosterProblem("employee_number_too_long"))
    if row.email:
        try:
            validate_email(row.email)
        except DjangoValidationError:
            problems.append(RosterProblem("email_invalid"))
        if len(row.email) > 254:
            problems.append(RosterProblem("email_too_long"))
    return problems


@dataclass
class RosterImportPlan:
    """What an import will write (roster_import_plan), and the report so far."""

    programme: Programme
    rows: list[tuple[RosterRow, str]]
    existing: dict[str, RosterEntry]
    keep_only: set[str] | None
    columns: set[str]
    report: RosterImportReport


def roster_import(
    programme: Programme, *, content: bytes, replace: bool = False
) -> RosterImportReport:
    """Import a roster file into `programme` (see the module docstring). Raises RosterFileError
    (nothing written) when the file as a whole cannot be imported."""
    return roster_import_write(roster_import_plan(programme, content=content, replace=replace))


def roster_import_plan(
    programme: Programme,
    *,
    content: bytes,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RosterImportPlan:
    """Read and check a roster file for `programme`: every row's problems, what to add and
    update. Writes nothing. RosterFileError when the file as a whole cannot be imported.
    `progress` is told the rows read (roster_file.roster_file_read)."""
    if programme.kind != Programme.Kind.COMPANY:
        raise RosterFileError(RosterProblem("roster_company_only"))
    rows, columns = roster_file_read(content, progress=progress)
    report = RosterImportReport(rows=len(rows))
    existing = {e.person_key: e for e in RosterEntry.objects.filter(programme=programme)}
    number_holder = {
        e.employee_number.casefold(): e.person_key for e in existing.values() if e.employee_number
    }
    keys_in_file: set[str] = set()
    seen_nik: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    valid: list[tuple[RosterRow, str]] = []
    for row in rows:
        problems = _row_problems(row)
        # A row whose NIK is well formed names a person "in the file" even if it is broken.
        key = person_key(row.nik) if len(row.nik) == 16 and row.nik.isdigit() else ""
        if key:
            keys_in_file.add(key)
        if row.nik in seen_nik:
            problems.append(RosterProblem("nik_repeated", {"row": seen_nik[row.nik]}))
        elif row.nik:
            seen_nik[row.nik] = row.number
        number = row.employee_number.casefold()
        if number:
            if number in seen_number:
                problems.append(
                    RosterProblem("employee_number_repeated", {"row": seen_number[number]})
                )
            else:
                seen_number[number] = row.number
        if problems:
            report.errors.append(RowError(row.number, tuple(problems)))
            continue
        valid.append((row, key))
    # An employee number held by someone else who stays on the roster is a conflict.
    staying_elsewhere = set(existing) if not replace else keys_in_file
    respecified = {key for _row, key in valid}  # their numbers are rewritten by this import
    checked: list[tuple[RosterRow, str]] = []
    for row, key in valid:
        holder = number_holder.get(row.employee_number.casefold()) if row.employee_number else None
        if holder not in (None, key) and holder in staying_elsewhere and holder not in respecified:
            report.errors.append(RowError(row.number, (RosterProblem("employee_number_taken"),)))
            continue
        checked.append((row, key))
    report.errors.sort(key=lambda e: e.row)
    return RosterImportPlan(
        programme=programme,
        rows=checked,
        existing=existing,
        keep_only=keys_in_file if replace else None,
        columns=columns,
        report=report,
    )


def roster_import_write(plan: RosterImportPlan) -> RosterImportReport:
    """Apply a plan in one transaction (a savepoint inside the caller's): all of it or, on
    RosterFileError, nothing. A column the file does not have leaves that field as it was."""
    programme, rows, existing = plan.programme, plan.rows, plan.existing
    keep_only, report, columns = plan.keep_only, plan.report, plan.columns
    now = timezone.now()
    new: list[RosterEntry] = []
    changed: list[RosterEntry] = []
    for row, key in rows:
        entry = existing.get(key)
        if entry is None:
            new.append(
                RosterEntry(
                    programme=programme,
                    person_key=key,
                    nik_sealed=seal(row.nik, field="nik"),
                    employee_number=row.employee_number,
                    full_name=row.full_name,
                    email=row.email,
                    created_at=now,
                    updated_at=now,
                )
            )
            continue
        fields = (
            row.employee_number if "employee_number" in columns else entry.employee_number,
            row.full_name,
            row.email if "email" in columns else entry.email,
        )
        if (entry.employee_number, entry.full_name, entry.email) == fields:
            report.unchanged += 1
            continue
        entry.employee_number, entry.full_name, entry.email = fields
        entry.updated_at = now
        changed.append(entry)
    try:
        with transaction.atomic():
            if keep_only is not None:
                gone = [e.id for k, e in existing.items() if k not in keep_only]
                for start in range(0, len(gone), _BATCH):
                    RosterEntry.objects.filter(id__in=gone[start : start + _BATCH]).delete()
                report.removed = len(gone)
            # Clear numbers first so that two people may swap numbers in one import.
            if changed:
                RosterEntry.objects.filter(id__in=[e.id for e in changed]).update(
                    employee_number=""
                )
            RosterEntry.objects.bulk_update(
                changed,
                ["employee_number", "full_name", "email", "updated_at"],
                batch_size=_BATCH,
            )
            RosterEntry.objects.bulk_create(new, batch_size=_BATCH)
    except IntegrityError:
        report.removed = 0
        raise RosterFileError(RosterProblem("roster_conflict")) from None
    report.added = len(new)
    report.updated = len(changed)
    return report


def roster_entry_delete(programme: Programme, entry_id: int) -> None:
    deleted, _detail = RosterEntry.objects.filter(programme=programme, id=entry_id).delete()
    if not deleted:
        raise NotFoundError()
