"""Roster import: CSV or XLSX, a row-by-row report, re-import updates, the NIK sealed; a file
that is not a table is refused with nothing written."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils import translation
from openpyxl import Workbook

from organizers.models import Programme, RosterEntry
from organizers.personal_data import person_key, unseal
from organizers.services.eligibility import roster_file
from organizers.services.eligibility.roster import roster_import
from organizers.services.eligibility.roster_file import RosterFileError
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme

SITI = "3273015403580002"  # 14-03-58, a woman
BUDI = "3173021705600011"  # 17-05-60, a man
ANI = "3578016101900003"  # 21-01-90, a woman


@pytest.fixture
def company(tenant_a: OrganizerFixture) -> Iterator[Programme]:
    with tenant_scope(tenant_a.tenant), translation.override("en"):
        yield a_programme(name="Vaksinasi Karyawan", kind="company", uses_roster=True)


def _csv(text: str, *, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + text).encode()


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_with_bom_semicolons_and_indonesian_headers(company: Programme) -> None:
    content = _csv(
        "Nama;NIK;Nomor Karyawan;Email\n"
        f"Siti Aminah;{SITI};K-001;Siti@Acme.co.id\n"
        f"Budi Santoso;{BUDI};K-002;\n",
        bom=True,
    )
    report = roster_import(company, content=content)

    assert (report.rows, report.added, report.errors) == (2, 2, [])
    siti = RosterEntry.objects.get(person_key=person_key(SITI))
    assert (siti.full_name, siti.employee_number, siti.email) == (
        "Siti Aminah",
        "K-001",
        "siti@acme.co.id",
    )
    assert unseal(siti.nik_sealed, field="nik") == SITI
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM organizers_rosterentry WHERE nik_sealed LIKE %s "
            "OR person_key LIKE %s",
            [f"%{SITI}%", f"%{SITI}%"],
        )
        assert cursor.fetchone()[0] == 0  # never in clear


def test_broken_rows_are_reported_by_row_number_and_good_rows_imported(
    company: Programme,
) -> None:
    content = _csv(
        "NIK,Employee number,Name,Email\n"
        f"{SITI},E1,Siti,siti@acme.co.id\n"  # row 2: good
        "12345,E2,Pendek,\n"  # row 3: format
        "9973015403580002,E3,Provinsi,\n"  # row 4: province
        "3273019903580002,E4,Tanggal,\n"  # row 5: date
        f"{SITI},E5,Kembar,\n"  # row 6: duplicate NIK
        f"{BUDI},E1,Nomor Sama,\n"  # row 7: duplicate employee number
        f"{ANI},E7,,\n"  # row 8: no name
        "\n"  # blank line: skipped
        "3578014101900003,E8,Email Salah,bukan-email\n"  # row 10: bad email
    )
    report = roster_import(company, content=content)

    assert report.added == 1
    reasons = {error.row: error.reason for error in report.errors}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 10]
    assert "16 digits" in reasons[3]
    assert "province" in reasons[4]
    assert "not a date" in reasons[5]
    assert "row 2" in reasons[6]
    assert "employee number is already in row 2" in reasons[7]
    assert "name is missing" in reasons[8]
    assert reasons[10] == "The email address is not valid."
    assert RosterEntry.objects.filter(programme=company).count() == 1
    # The reasons are kept with the import: nothing from the file is in them.
    everything = " ".join(reasons.values())
    for value in ("12345", "9973015403580002", "3273019903580002", "990358", SITI, "bukan"):
        assert value not in everything


def test_xlsx_with_numbers_and_broken_rows(company: Programme) -> None:
    content = _xlsx(
        [
            ["NIK", "NIP", "Nama Lengkap", "Email"],
            [SITI, "001", "Siti Aminah", "siti@acme.co.id"],
            [int(BUDI), 2, "Budi Santoso", None],  # a NIK typed as a number still works
            [3273015403580000, 3, "Angka Rusak", None],  # Excel ate the last digits
            [None, None, None, None],
        ]
    )
    report = roster_import(company, content=content)

    assert report.added == 2
    (error,) = report.errors
    assert error.row == 4
    assert "format the NIK column as Text" in error.reason
    budi = RosterEntry.objects.get(person_key=person_key(BUDI))
    assert budi.employee_number == "2"


def test_reimport_updates_and_adds_and_keeps_the_rest_unless_replacing(
    company: Programme,
) -> None:
    roster_import(
        company, content=_csv(f"NIK,Name,Employee number\n{SITI},Siti,E1\n{BUDI},Budi,E2\n")
    )

    report = roster_import(
        company, content=_csv(f"NIK,Name,Employee number\n{SITI},Siti Aminah,E9\n{ANI},Ani,E3\n")
    )

    assert (report.added, report.updated, report.unchanged, report.removed) == (1, 1, 0, 0)
    names = dict(RosterEntry.objects.values_list("full_name", "employee_number"))
    assert names == {"Siti Aminah": "E9", "Budi": "E2", "Ani": "E3"}

    replaced = roster_import(company, content=_csv(f"NIK,Name\n{ANI},Ani\n"), replace=True)

    assert (replaced.unchanged, replaced.removed) == (1, 2)
    assert list(RosterEntry.objects.values_list("full_name", flat=True)) == ["Ani"]


def test_replace_keeps_a_person_whose_row_is_broken(company: Programme) -> None:
    roster_import(company, content=_csv(f"NIK,Name\n{SITI},Siti\n{BUDI},Budi\n"))

    report = roster_import(company, content=_csv(f"NIK,Name,Email\n{SITI},,\n"), replace=True)

    assert [e.row for e in report.errors] == [2]
    assert report.removed == 1
    assert list(RosterEntry.objects.values_list("full_name", flat=True)) == ["Siti"]


def test_an_employee_number_held_by_someone_staying_is_a_row_error(company: Programme) -> None:
    roster_import(company, content=_csv(f"NIK,Name,NIP\n{SITI},Siti,E1\n"))

    report = roster_import(company, content=_csv(f"NIK,Name,NIP\n{BUDI},Budi,E1\n"))

    assert report.added == 0
    assert report.errors[0].reason == (
        "The employee number already belongs to someone else on the roster, who stays on it."
    )
    # Two people swapping numbers in one file is fine.
    roster_import(company, content=_csv(f"NIK,Name,NIP\n{BUDI},Budi,E2\n"))
    swap = roster_import(company, content=_csv(f"NIK,Name,NIP\n{SITI},Siti,E2\n{BUDI},Budi,E1\n"))
    assert swap.errors == []
    assert swap.updated == 2


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"<!DOCTYPE html><html><body>NIK,Nama</body></html>", "roster_not_a_table"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "roster_not_a_table"),
        (b"PK\x03\x04not really a zip", "roster_bad_xlsx"),
        ("NIK;Nama\n3273015403580002;Sîti\n".encode("latin-1"), "roster_not_utf8"),
        (b"Name,Phone\nSiti,0812\n", "roster_no_header"),
        (b"", "roster_empty"),
        (b'NIK,Nama\n"3273015403580002,Siti\n', "roster_bad_csv"),
    ],
)
def test_a_file_that_is_not_a_roster_is_refused_with_nothing_written(
    company: Programme, content: bytes, code: str
) -> None:
    roster_import(company, content=_csv(f"NIK,Name\n{BUDI},Budi\n"))
    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=content, replace=True)
    assert refused.value.code == code
    assert (
        "Nothing was imported" in refused.value.message or "CSV or Excel" in refused.value.message
    )
    assert list(RosterEntry.objects.values_list("full_name", flat=True)) == ["Budi"]


def test_a_damaged_xlsx_is_refused(company: Programme) -> None:
    good = _xlsx([["NIK", "Nama"], [SITI, "Siti"]])
    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=good[: len(good) // 2])
    assert refused.value.code == "roster_bad_xlsx"
    assert not RosterEntry.objects.exists()


def test_too_large_or_too_many_rows_writes_nothing(
    company: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_file, "MAX_ROWS", 2)
    many = _csv(f"NIK,Nama\n{SITI},Siti\n{BUDI},Budi\n{ANI},Ani\n")
    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=many)
    assert refused.value.code == "roster_too_many_rows"
    monkeypatch.setattr(roster_file, "MAX_BYTES", 10)
    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=many)
    assert refused.value.code == "roster_too_large"
    assert not RosterEntry.objects.exists()


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_read(company: Programme) -> None:
    """A zip bomb: a small upload whose shared strings would fill the worker's memory."""
    import io
    import zipfile

    content = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx([["NIK", "Nama"], [SITI, "Siti"]]))) as source,
        zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        bomb.writestr("xl/padding.xml", b" " * (roster_file.MAX_UNPACKED_BYTES + 1))
    assert len(content.getvalue()) < roster_file.MAX_BYTES

    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=content.getvalue())

    assert refused.value.code == "roster_unpacks_too_large"
    assert not RosterEntry.objects.exists()


def test_a_public_programme_has_no_roster(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant), pytest.raises(RosterFileError):
        roster_import(a_programme(), content=_csv(f"NIK,Nama\n{SITI},Siti\n"))


def test_dates_in_the_roster_nik_are_checked_without_a_date_of_birth(company: Programme) -> None:
    # The roster has no date of birth: any real encoded date passes, day + 40 included.
    born = dt.date(1990, 1, 21)
    assert born.day + 40 == int(ANI[6:8])
    assert roster_import(company, content=_csv(f"NIK,Nama\n{ANI},Ani\n")).added == 1


def test_a_nul_byte_past_the_first_four_kilobytes_is_refused_with_nothing_written(
    company: Programme,
) -> None:
    """The start of a file was checked for NUL bytes, the rest not: a NUL in a name past 4 KB
    reached PostgreSQL (which refuses NUL in text) and gave a 500."""
    filler = "".join(f"3273015403580{n:03d},Orang {n}\n" for n in range(300))  # about 7 KB
    content = _csv(f"NIK,Nama\n{filler}{SITI},Si\x00ti\n")
    assert b"\x00" not in content[:4096]

    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=content)

    assert refused.value.code == "roster_not_a_table"
    assert not RosterEntry.objects.exists()


def test_a_sheet_of_blank_rows_is_refused_after_the_rows_a_roster_can_have(
    company: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blank rows count too: a million of them held a web thread for 20 s."""
    monkeypatch.setattr(roster_file, "MAX_ROWS_READ", 40)
    blank = [[""]] * 60
    content = _xlsx([["NIK", "Nama"], *blank, [SITI, "Siti"]])

    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=content)

    assert refused.value.code == "roster_too_many_rows"
    assert not RosterEntry.objects.exists()


def test_a_cell_longer_than_any_roster_field_refuses_the_file(company: Programme) -> None:
    huge = "A" * (roster_file.MAX_CELL_CHARACTERS + 1)

    with pytest.raises(RosterFileError) as refused:
        roster_import(company, content=_csv(f"NIK,Nama\n{SITI},{huge}\n"))

    assert refused.value.code == "roster_cell_too_long"
    assert "Row 2" in refused.value.message or "Baris 2" in refused.value.message
    assert not RosterEntry.objects.exists()
