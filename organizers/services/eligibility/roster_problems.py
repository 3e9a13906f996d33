"""What a refused roster, or a refused row of one, says: one code per problem, worded here.

A roster import keeps its outcome (organizers.models.RosterImport) as codes with numbers only
(a row number, a limit), never a value from the file: the record holds no NIK, name or email
address, and each reader sees the words in their own language when the page is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tenants.errors import UserText

# The file as a whole (organizers.services.eligibility.roster_file and roster.py), and the
# background job that imports it (roster_imports.py).
_FILE: dict[str, UserText] = {
    "roster_company_only": _("A roster is for company programmes only."),
    "roster_empty": _("The file is empty. Nothing was imported."),
    "roster_too_large": _(
        "The file is larger than 5 MB. Split it into smaller files. Nothing was imported."
    ),
    "roster_unpacks_too_large": _(
        "This Excel file unpacks to more than %(max)d MB, too much for a roster. "
        "Split it, or save it as CSV. Nothing was imported."
    ),
    "roster_too_many_rows": _(
        "The file has more than %(max)d rows. Split it into smaller files. Nothing was imported."
    ),
    "roster_not_a_table": _(
        "This file is not a CSV or Excel (.xlsx) file. Upload the roster as CSV or XLSX."
    ),
    "roster_not_utf8": _(
        'The file is not a UTF-8 CSV file. In Excel choose Save As, "CSV UTF-8", or '
        "upload the .xlsx file. Nothing was imported."
    ),
    "roster_bad_csv": _("The CSV file is damaged (a quote is not closed). Nothing was imported."),
    "roster_bad_xlsx": _(
        "The Excel file could not be read. Save it again as .xlsx. Nothing was imported."
    ),
    "roster_no_header": _(
        "The first row must name the columns: NIK, Nama (name), and optionally Nomor "
        "Karyawan (employee number) and Email. Nothing was imported."
    ),
    "roster_cell_too_long": _(
        "Row %(row)d has a cell longer than %(max)d characters: this is not a "
        "roster. Nothing was imported."
    ),
    "roster_conflict": _(
        'Some employee numbers clash with people already on the roster. Tick "replace '
        'the whole roster" or correct the numbers. Nothing was imported.'
    ),
    "roster_import_worker_lost": _(
        "The import stopped before it finished (the server running it was restarted). "
        "Nothing was imported. Upload the file again."
    ),
    "roster_import_error": _(
        "The import failed because of a fault on our side. Nothing was imported. Upload the "
        "file again in a few minutes."
    ),
}

# One row of the file (roster.py). The NIK's own rules are organizers.nik's; these say which
# rule a row broke without repeating its digits.
_ROW: dict[str, UserText] = {
    "nik_format": _("The NIK is not 16 digits (0-9)."),
    "nik_province": _("The NIK does not start with the code of a province."),
    "nik_birth_date": _("Digits 7 to 12 of the NIK are not a date of birth."),
    "nik_serial": _("The last four digits of the NIK are 0000, which no NIK has."),
    "nik_invalid": _("The NIK is not valid."),
    "nik_was_number": _(
        "Excel stored this NIK as a number and may have changed its last digits: "
        "format the NIK column as Text and type it again."
    ),
    "nik_repeated": _("The same NIK is already in row %(row)d."),
    "name_missing": _("The name is missing."),
    "name_too_long": _("The name is longer than 200 characters."),
    "employee_number_too_long": _("The employee number is longer than 40 characters."),
    "employee_number_repeated": _("The same employee number is already in row %(row)d."),
    "employee_number_taken": _(
        "The employee number already belongs to someone else on the roster, who stays on it."
    ),
    "email_invalid": _("The email address is not valid."),
    "email_too_long": _("The email address is too long."),
}


@dataclass(frozen=True)
class RosterProblem:
    """A problem by code, with the numbers its words need (a row, a limit): nothing else."""

    code: str
    params: Mapping[str, int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """In the active language."""
        return roster_problem_text(self.code, self.params)

    def as_json(self) -> list[object]:
        return [self.code, dict(self.params)]

    @classmethod
    def from_json(cls, value: object) -> RosterProblem:
        code, params = value if isinstance(value, list | tuple) else (str(value), {})
        return cls(str(code), {str(k): int(v) for k, v in dict(params or {}).items()})


def roster_problem_text(code: str, params: Mapping[str, int] | None = None) -> str:
    """The words for a problem code, in the active language. A code from a newer release than
    this one reads as the general failure rather than a 500."""
    template = _FILE.get(code) or _ROW.get(code)
    if template is None:
        template = _FILE["roster_import_error"]
    return str(template) % dict(params or {}) if params else str(template)
