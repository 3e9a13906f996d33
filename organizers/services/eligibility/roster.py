"""Importing a company programme's roster: who may book it. Tenant schema.

The file is read by roster_file.py: a file that cannot be read is refused as a whole, and
nothing is written. Otherwise:

- Each broken row is reported with its row number (as the spreadsheet numbers it: the header
  is row 1) and the reason; the good rows are imported.
- Re-importing updates the people already on the roster (matched by NIK) and adds the new ones.
  People missing from the new file stay, unless the organiser ticks "replace the whole roster":
  then they are removed (but never someone whose row is in the file, even a broken one).
- The NIK is stored sealed with its person key (blind index), never in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizers.models import Programme, RosterEntry
from organizers.nik import nik_problems
from organizers.personal_data import person_key, seal
from organizers.services.eligibility.roster_file import (
    RosterFileError,
    RosterRow,
    roster_file_read,
)
from tenants.errors import NotFoundError

_BATCH = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


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


def _row_problems(row: RosterRow) -> list[str]:
    problems = []
    nik_issues = nik_problems(row.nik, date_of_birth=None)
    if nik_issues:
        reason = " ".join(p.message for p in nik_issues)
        if row.nik_was_number:
            reason += " " + _(
                "Excel stored this NIK as a number and may have changed its last digits: "
                "format the NIK column as Text and type it again."
            )
        problems.append(_("NIK %(nik)s: %(reason)s") % {"nik": row.nik or "-", "reason": reason})
    if not row.full_name:
        problems.append(_("The name is missing."))
    elif len(row.full_name) > 200:
        problems.append(_("The name is longer than 200 characters."))
    if len(row.employee_number) > 40:
        problems.append(_("The employee number is longer than 40 characters."))
    if row.email:
        try:
            validate_email(row.email)
        except DjangoValidationError:
            problems.append(_("%(email)s is not an email address.") % {"email": row.email})
        if len(row.email) > 254:
            problems.append(_("The email address is too long."))
    return problems


def roster_import(
    programme: Programme, *, content: bytes, replace: bool = False
) -> RosterImportReport:
    """Import a roster file into `programme` (see the module docstring). Raises RosterFileError
    (nothing written) when the file as a whole cannot be imported."""
    if programme.kind != Programme.Kind.COMPANY:
        raise RosterFileError(
            _("A roster is for company programmes only."), code="roster_company_only"
        )
    rows, columns = roster_file_read(content)
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
            problems.append(
                _("The same NIK is already in row %(row)d.") % {"row": seen_nik[row.nik]}
            )
        elif row.nik:
            seen_nik[row.nik] = row.number
        number = row.employee_number.casefold()
        if number:
            if number in seen_number:
                problems.append(
                    _("The same employee number is already in row %(row)d.")
                    % {"row": seen_number[number]}
                )
            else:
                seen_number[number] = row.number
        if problems:
            report.errors.append(RowError(row.number, " ".join(problems)))
            continue
        valid.append((row, key))
    # An employee number held by someone else who stays on the roster is a conflict.
    staying_elsewhere = set(existing) if not replace else keys_in_file
    respecified = {key for _row, key in valid}  # their numbers are rewritten by this import
    checked: list[tuple[RosterRow, str]] = []
    for row, key in valid:
        holder = number_holder.get(row.employee_number.casefold()) if row.employee_number else None
        if holder not in (None, key) and holder in staying_elsewhere and holder not in respecified:
            report.errors.append(
                RowError(
                    row.number,
                    _("Employee number %(number)s already belongs to %(name)s on the roster.")
                    % {"number": row.employee_number, "name": existing[holder].full_name},
                )
            )
            continue
        checked.append((row, key))
    report.errors.sort(key=lambda e: e.row)
    _write(programme, checked, existing, keys_in_file if replace else None, report, columns)
    return report


def _write(
    programme: Programme,
    rows: list[tuple[RosterRow, str]],
    existing: dict[str, RosterEntry],
    keep_only: set[str] | None,
    report: RosterImportReport,
    columns: set[str],
) -> None:
    """Write in one transaction. A column the file does not have leaves that field as it was."""
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
        raise RosterFileError(
            _(
                'Some employee numbers clash with people already on the roster. Tick "replace '
                'the whole roster" or correct the numbers. Nothing was imported.'
            ),
            code="roster_conflict",
        ) from None
    report.added = len(new)
    report.updated = len(changed)


def roster_entry_delete(programme: Programme, entry_id: int) -> None:
    deleted, _detail = RosterEntry.objects.filter(programme=programme, id=entry_id).delete()
    if not deleted:
        raise NotFoundError()
