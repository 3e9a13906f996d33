"""Reading a company programme's roster file into rows, or refusing it as a whole.

The organiser uploads a CSV (UTF-8 with or without BOM; comma, semicolon or tab) or an XLSX
file with the columns NIK, employee number, name, email (Indonesian headers too: NIK, Nomor
Karyawan / NIP, Nama, Email). The file is recognised by its content, not its name.

A file that cannot be read (not CSV/XLSX, too large, too many rows, no NIK or name column) is
refused as a whole (RosterFileError): nothing is written. Checking and importing the rows it
gives is roster.py's work.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizers.nik import nik_clean
from tenants.errors import ApplicationError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
# Every row read counts, blank ones too: a sheet of a million empty rows held a web thread for
# 20 s before. Room for blank lines between people, not for a million of them.
MAX_ROWS_READ = MAX_ROWS + 5_000
# No field of a roster is longer (a name, a NIK, an email address): a longer cell is a wrong
# file, and one huge cell cost 140 MB of memory.
MAX_CELL_CHARACTERS = 1_000
MAX_COLUMNS = 30
# An .xlsx is a zip: 5 MB can unpack to gigabytes, and openpyxl keeps every shared string in
# memory. A 50,000-row roster unpacks to well under this.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

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
class RosterRow:
    """A non-empty data row, numbered as the spreadsheet numbers it (the header is row 1)."""

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
    if b"\x00" in content:  # anywhere: PostgreSQL refuses NUL in text (MAX_BYTES bounds it)
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


def _too_many_rows() -> RosterFileError:
    return _refuse(
        _("The file has more than %(max)d rows. Split it into smaller files. Nothing was imported.")
        % {"max": MAX_ROWS},
        "roster_too_many_rows",
    )


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


def roster_file_read(content: bytes) -> tuple[list[RosterRow], set[str]]:
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
    rows: list[RosterRow] = []
    for number, values in enumerate(source, start=1):
        if number > MAX_ROWS_READ:
            raise _too_many_rows()
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS for value in values):
            raise _refuse(
                _(
                    "Row %(row)d has a cell longer than %(max)d characters: this is not a "
                    "roster. Nothing was imported."
                )
                % {"row": number, "max": MAX_CELL_CHARACTERS},
                "roster_cell_too_long",
            )
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
            raise _too_many_rows()
        nik_text, nik_was_number = cells["nik"]
        rows.append(
            RosterRow(
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


ROSTER_FORMATS_HELP = gettext_lazy(
    "CSV (UTF-8, comma or semicolon) or Excel .xlsx, at most 5 MB and 50,000 rows. First row: "
    "NIK, Nomor Karyawan, Nama, Email."
)
