"""A company programme's roster: who may book it. Tenant schema.

The organiser uploads a CSV (UTF-8 with or without BOM; comma, semicolon or tab) or an XLSX
file with the columns NIK, employee number, name, email (Indonesian headers too: NIK, Nomor
Karyawan / NIP, Nama, Email). The file is recognised by its content, not its name.

- A file that cannot be read (not CSV/XLSX, too large, too many rows, no NIK or name column)
  is refused as a whole: nothing is written.
- Otherwise each broken row is reported with its row number (as the spreadsheet numbers it:
  the header is row 1) and the reason; the good rows are imported.
- Re-importing updates the people already on the roster (matched by NIK) and adds the new ones.
  People missing from the new file stay, unless the organiser ticks "replace the whole roster":
  then they are removed (but never someone whose row is in the file, even a broken one).
- The NIK is stored sealed with its person key (blind index), never in clear.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizers.models import Programme, RosterEntry
from organizers.nik import nik_clean, nik_problems
from organizers.personal_data import person_key, seal
from tenants.errors import ApplicationError, NotFoundError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 30
# An .xlsx is a zip: 5 MB can unpack to gigabytes, and openpyxl keeps every shared string in
# memory. A 50,000-row roster unpacks to well under this.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_BATCH = 1000

_HEADERS = {
    "nik": {"nik", "noktp", "nomorktp", "nomorindukkependudukan", "nikktp"},
    "employee_number": {
        "employeenumber",
        "employeeno",
        "employeeid",
        "nomorkaryawan",
        "nokaryawan",
        "nip",
        "nikkaryawan",
        "idkaryawan",
        "nomorindukpegawai",
        "nomorpegawai",
    },
    "full_name": {"name", "fullname", "nama", "namalengkap", "namasesuaiktp"},
    "email": {"email", "emailaddress", "alamatemail", "surel", "suratelektronik"},
}


class RosterFileError(ApplicationError):
    """The file as a whole cannot be imported; nothing was written."""


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


@dataclass(frozen=True)
class _Row:
    number: int
    nik: str
    employee_number: str
    full_name: str
    email: str
    nik_was_number: bool = False


def _refuse(message: str, code: str) -> RosterFileError:
    return RosterFileError(message, code=code)


def _header_key(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text or "").strip().lower())


def _column_map(header: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header[:MAX_COLUMNS]):
        key = _header_key(cell)
        for name, aliases in _HEADERS.items():
            if key in aliases and name not in found:
                found[name] = index
    if "nik" not in found or "full_name" not in found:
        raise _refuse(
            _(
                "The first row must name the columns: NIK, Nama (name), and optionally Nomor "
                "Karyawan (employee number) and Email. Nothing was imported."
            ),
            "roster_no_header",
        )
    return found


def _is_zip(content: bytes) -> bool:
    """An XLSX file is a zip archive; anything starting like one is read as XLSX (and refused
    as a damaged Excel file if it is not one)."""
    return content.startswith(b"PK\x03\x04")


def _csv_rows(content: bytes) -> Iterator[list[object]]:
    if b"\x00" in content[:4096]:
        raise _not_a_table()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            _(
                'The file is not a UTF-8 CSV file. In Excel choose Save As, "CSV UTF-8", or '
                "upload the .xlsx file. Nothing was imported."
            ),
            "roster_not_utf8",
        ) from None
    start = text.lstrip()[:100].lower()
    if start.startswith(("<!doctype", "<html", "<?xml", "<svg", "{", "[")):
        raise _not_a_table()
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    except csv.Error:
        raise _refuse(
            _("The CSV file is damaged (a quote is not closed). Nothing was imported."),
            "roster_bad_csv",
        ) from None


def _xlsx_rows(content: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    unreadable = _refuse(
        _("The Excel file could not be read. Save it again as .xlsx. Nothing was imported."),
        "roster_bad_xlsx",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise zipfile.BadZipFile
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(
            _(
                "This Excel file unpacks to more than %(max)d MB, too much for a roster. "
                "Split it, or save it as CSV. Nothing was imported."
            )
            % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)},
            "roster_too_large",
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _not_a_table() -> RosterFileError:
    return _refuse(
        _("This file is not a CSV or Excel (.xlsx) file. Upload the roster as CSV or XLSX."),
        "roster_not_a_table",
    )


def _text(value: object) -> tuple[str, bool]:
    """(the cell as text, whether it was a number)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else str(value)), True
    return str(value).strip(), False


def _read_rows(content: bytes) -> tuple[list[_Row], set[str]]:
    """Every non-empty data row and the columns the file has, or RosterFileError (nothing
    written)."""
    if not content:
        raise _refuse(_("The file is empty. Nothing was imported."), "roster_empty")
    if len(content) > MAX_BYTES:
        raise _refuse(
            _("The file is larger than 5 MB. Split it into smaller files. Nothing was imported."),
            "roster_too_large",
        )
    source = _xlsx_rows(content) if _is_zip(content) else _csv_rows(content)
    columns: dict[str, int] | None = None
    rows: list[_Row] = []
    for number, values in enumerate(source, start=1):
        if columns is None:
            if not any(_text(v)[0] for v in values):
                continue  # blank lines above the header
            columns = _column_map(list(values))
            continue
        cells = {
            name: _text(values[i]) if i < len(values) else ("", False)
            for name, i in columns.items()
        }
        if not any(text for text, _number in cells.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise _refuse(
                _(
                    "The file has more than %(max)d rows. Split it into smaller files. Nothing "
                    "was imported."
                )
                % {"max": MAX_ROWS},
                "roster_too_many_rows",
            )
        nik_text, nik_was_number = cells["nik"]
        rows.append(
            _Row(
                number=number,
                nik=nik_clean(nik_text),
                employee_number=cells.get("employee_number", ("", False))[0],
                full_name=" ".join(cells["full_name"][0].split()),
                email=cells.get("email", ("", False))[0].lower(),
                nik_was_number=nik_was_number,
            )
        )
    if columns is None:
        raise _refuse(_("The file is empty. Nothing was imported."), "roster_empty")
    return rows, set(columns)


def _row_problems(row: _Row) -> list[str]:
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
        raise _refuse(_("A roster is for company programmes only."), "roster_company_only")
    rows, columns = _read_rows(content)
    report = RosterImportReport(rows=len(rows))
    existing = {e.person_key: e for e in RosterEntry.objects.filter(programme=programme)}
    number_holder = {
        e.employee_number.casefold(): e.person_key for e in existing.values() if e.employee_number
    }
    keys_in_file: set[str] = set()
    seen_nik: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    valid: list[tuple[_Row, str]] = []
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
    checked: list[tuple[_Row, str]] = []
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
    rows: list[tuple[_Row, str]],
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
        raise _refuse(
            _(
                'Some employee numbers clash with people already on the roster. Tick "replace '
                'the whole roster" or correct the numbers. Nothing was imported.'
            ),
            "roster_conflict",
        ) from None
    report.added = len(new)
    report.updated = len(changed)


def roster_entry_delete(programme: Programme, entry_id: int) -> None:
    deleted, _detail = RosterEntry.objects.filter(programme=programme, id=entry_id).delete()
    if not deleted:
        raise NotFoundError()


ROSTER_FORMATS_HELP = gettext_lazy(
    "CSV (UTF-8, comma or semicolon) or Excel .xlsx, at most 5 MB and 50,000 rows. First row: "
    "NIK, Nomor Karyawan, Nama, Email."
)
