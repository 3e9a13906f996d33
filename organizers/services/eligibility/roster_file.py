"""Reading a company programme's roster file into rows, or refusing it as a whole.

The organiser uploads a CSV (UTF-8 with or without BOM; comma, semicolon or tab) or an XLSX
file with the columns NIK, employee number, name, email (Indonesian headers too: NIK, Nomor
Karyawan / NIP, Nama, Email). The file is recognised by its content, not its name.

A file that cannot be read (not CSV/XLSX, too large, too many rows, no NIK or name column) is
refused as a whole (RosterFileError): nothing is written. Checking and importing the rows it
gives is roster.py's work. roster_file_check is the cheap part, done while the organiser
waits for the upload; roster_file_read reads every row, in the background job
(roster_imports.py), and tells it how far it got.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from organizers.nik import nik_clean
from organizers.services.eligibility.roster_problems import RosterProblem
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
# How often roster_file_read reports the rows read so far (the import's progress).
PROGRESS_EVERY = 1_000
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
    """The file as a whole cannot be imported; nothing was written. `problem` is what the
    import record keeps (a code and numbers); `message` its words in the active language."""

    def __init__(self, problem: RosterProblem) -> None:
        super().__init__(problem.text, code=problem.code)
        self.problem = problem


@dataclass(frozen=True)
class RosterRow:
    """A non-empty data row, numbered as the spreadsheet numbers it (the header is row 1)."""

    number: int
    nik: str
    employee_number: str
    full_name: str
    email: str
    nik_was_number: bool = False


def _refuse(code: str, **params: int) -> RosterFileError:
    return RosterFileError(RosterProblem(code, params))


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
        raise _refuse("roster_no_header")
    return found


def _is_zip(content: bytes) -> bool:
    """An XLSX file is a zip archive; anything starting like one is read as XLSX (and refused
    as a damaged Excel file if it is not one)."""
    return content.startswith(b"PK\x03\x04")


_MARKUP_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<svg", b"{", b"[")


def _looks_like_markup(content: bytes) -> bool:
    """An HTML, XML, SVG or JSON file named .csv."""
    start = content.removeprefix(b"\xef\xbb\xbf").lstrip()[:100].lower()
    return start.startswith(_MARKUP_STARTS)


def _csv_rows(content: bytes) -> Iterator[list[object]]:
    if b"\x00" in content:  # anywhere: PostgreSQL refuses NUL in text (MAX_BYTES bounds it)
        raise _not_a_table()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("roster_not_utf8") from None
    if _looks_like_markup(content):
        raise _not_a_table()
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    except csv.Error:
        raise _refuse("roster_bad_csv") from None


def _xlsx_archive_check(content: bytes) -> None:
    """The zip opens, holds a workbook, and unpacks to a bounded size: reads the zip's
    directory only (milliseconds), not the sheet."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise zipfile.BadZipFile
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("roster_bad_xlsx") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse("roster_unpacks_too_large", max=MAX_UNPACKED_BYTES // (1024 * 1024))


def _xlsx_rows(content: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    _xlsx_archive_check(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise _refuse("roster_bad_xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _too_many_rows() -> RosterFileError:
    return _refuse("roster_too_many_rows", max=MAX_ROWS)


def _not_a_table() -> RosterFileError:
    return _refuse("roster_not_a_table")


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


def _size_check(content: bytes) -> None:
    if not content:
        raise _refuse("roster_empty")
    if len(content) > MAX_BYTES:
        raise _refuse("roster_too_large")


def roster_file_check(content: bytes) -> str:
    """The checks that cost little (size, kind, an Excel file's archive opens), made while the
    organiser waits for the upload: the file's content type (CSV_TYPE or XLSX_TYPE), or
    RosterFileError. Reading the rows (roster_file_read) is the background job's."""
    _size_check(content)
    if _is_zip(content):
        _xlsx_archive_check(content)
        return XLSX_TYPE
    if _looks_like_markup(content):
        raise _not_a_table()
    return CSV_TYPE


def roster_file_read(
    content: bytes, *, progress: Callable[[int], None] | None = None
) -> tuple[list[RosterRow], set[str]]:
    """Every non-empty data row and the columns the file has, or RosterFileError (nothing
    written). `progress` is told the number of rows read (blank ones too) every PROGRESS_EVERY
    rows and once at the end."""
    _size_check(content)
    source = _xlsx_rows(content) if _is_zip(content) else _csv_rows(content)
    columns: dict[str, int] | None = None
    rows: list[RosterRow] = []
    number = 0
    for number, values in enumerate(source, start=1):
        if number > MAX_ROWS_READ:
            raise _too_many_rows()
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS for value in values):
            raise _refuse("roster_cell_too_long", row=number, max=MAX_CELL_CHARACTERS)
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
        raise _refuse("roster_empty")
    if progress is not None:
        progress(number)
    return rows, set(columns)


ROSTER_FORMATS_HELP = gettext_lazy(
    "CSV (UTF-8, comma or semicolon) or Excel .xlsx, at most 5 MB and 50,000 rows. First row: "
    "NIK, Nomor Karyawan, Nama, Email."
)
