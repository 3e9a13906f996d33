"""Forms of the booking pages (people who book, many of them elderly, on a phone). They parse and
check what people typed; the booking rules live in organizers.services.

Accessibility: Django (5.2) adds `aria-invalid` and `aria-describedby` (pointing at
`<id>_helptext` and `<id>_error`) to each input; the templates give the hint and the error
those ids (booking_pages/_field.html). Radio groups are fieldsets whose legend is the
question. `error_summary()` lists every error with the input it belongs to, for the summary at
the top of the page.

Date of birth: three boxes (day, month by name, year), not a date picker. Elderly people know
their date of birth by heart and type it faster than they scroll a picker; a month chosen by
name avoids day/month mix-ups; it works the same without JavaScript on every phone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from organizers.models import Dose, Programme, Sex
from organizers.nik import nik_clean, nik_problems
from organizers.phone import phone_normalise
from organizers.services.booking.request import name_problem
from organizers.services.booking.rows import voucher_code_canonical

# Which field each NIK problem belongs to (organizers.nik codes).
NIK_PROBLEM_FIELD = {
    "nik_format": "nik",
    "nik_province": "nik",
    "nik_serial": "nik",
    "nik_birth_date": "nik",
    "nik_sex": "sex",
}


class AccessibleForm(forms.Form):
    """A summary of errors for the top of the page, each linked to its input."""

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for each error, in the order of the fields on the page."""
        summary: list[tuple[str, str]] = []
        for message in self.non_field_errors():
            summary.append(("", str(message)))
        for name in self.fields:
            bound = self[name]
            anchor = bound.id_for_label or f"{bound.auto_id}_0"  # a radio group: its first
            for message in self.errors.get(name, []):
                summary.append((anchor, str(message)))
        return summary

    def date_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("dob_day", "dob_month", "dob_year") if name in self.fields]


def _date_of_birth_fields(form: forms.Form) -> None:
    form.fields["dob_day"] = forms.IntegerField(
        label=_("Day of birth"),
        min_value=1,
        max_value=31,
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "maxlength": 2,
                "size": 3,
                "autocomplete": "bday-day",
                "class": "short",
                "aria-required": "true",
            }
        ),
        error_messages={
            "required": _("Enter the day you were born."),
            "invalid": _("The day is a number from 1 to 31."),
        },
    )
    form.fields["dob_month"] = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Choose the month"))] + [(n, name) for n, name in MONTHS.items()],
        widget=forms.Select(attrs={"autocomplete": "bday-month", "aria-required": "true"}),
        error_messages={"required": _("Choose the month you were born.")},
    )
    form.fields["dob_year"] = forms.IntegerField(
        label=_("Year"),
        min_value=1900,
        max_value=2100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "maxlength": 4,
                "size": 5,
                "autocomplete": "bday-year",
                "class": "short",
                "aria-required": "true",
            }
        ),
        error_messages={
            "required": _("Enter the year you were born, e.g. 1958."),
            "invalid": _("The year has four digits, e.g. 1958."),
        },
    )


def _date_of_birth(form: forms.Form, cleaned: dict[str, Any]) -> dt.date | None:
    """The date from the three boxes, or None with the error on the day box."""
    day, month, year = cleaned.get("dob_day"), cleaned.get("dob_month"), cleaned.get("dob_year")
    if any(name in form.errors for name in ("dob_day", "dob_month", "dob_year")):
        return None
    if day is None and month is None and year is None:  # one message, not three
        form.add_error("dob_day", _("Enter the date of birth: day, month and year."))
        return None
    for name, value, message in (
        ("dob_day", day, _("Enter the day you were born.")),
        ("dob_month", month, _("Choose the month you were born.")),
        ("dob_year", year, _("Enter the year you were born, e.g. 1958.")),
    ):
        if value is None:
            form.add_error(name, message)
    if day is None or month is None or year is None:
        return None
    try:
        born = dt.date(year, month, day)
    except ValueError:
        form.add_error("dob_day", _("This date does not exist. Check the day and the month."))
        return None
    if born > timezone.localdate():
        form.add_error("dob_year", _("The date of birth cannot be in the future."))
        return None
    if born.year < 1900:
        form.add_error("dob_year", _("Check the year of birth."))
        return None
    return born


class PersonForm(AccessibleForm):
    """Step "About the person": name, NIK, date of birth, sex, and which dose."""

    full_name = forms.CharField(
        label=_("Full name as on the KTP"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
        error_messages={"required": _("Enter the full name as written on the KTP.")},
    )
    nik = forms.CharField(
        label=_("NIK (16 digits on the KTP)"),
        max_length=40,
        help_text=_("The number at the top of the KTP or on the family card (Kartu Keluarga)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Enter the NIK: the 16 digits on the KTP.")},
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose male or female, as on the KTP.")},
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _date_of_birth_fields(self)
        # Fields in the order of the page.
        order = ["full_name", "nik", "dob_day", "dob_month", "dob_year", "sex"]
        doses = [dose for dose in Dose if programme.offers_dose(dose)]
        if len(doses) > 1:
            self.fields["dose"] = forms.TypedChoiceField(
                label=_("Which vaccination is this?"),
                coerce=int,
                widget=forms.RadioSelect,
                choices=[(int(d), d.label) for d in doses],
                initial=int(doses[0]),
                help_text=_("A second dose or a booster needs the earlier dose booked here."),
                error_messages={"required": _("Choose which vaccination this is.")},
            )
            order.append("dose")
        self.order_fields(order)
        self.doses = doses

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"]
        if (problem := name_problem(name)) is not None:
            raise forms.ValidationError(problem)
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        born = _date_of_birth(self, cleaned)
        cleaned["date_of_birth"] = born
        raw_nik = cleaned.get("nik")
        if raw_nik is not None:
            nik = nik_clean(raw_nik)
            for problem in nik_problems(nik, date_of_birth=born, sex=cleaned.get("sex", "")):
                field = NIK_PROBLEM_FIELD.get(problem.code, "nik")
                self.add_error(field if field in self.fields else "nik", problem.message)
            cleaned["nik"] = nik
        if "dose" not in self.fields:
            cleaned["dose"] = int(self.doses[0]) if self.doses else 1
        return cleaned


class ContactForm(AccessibleForm):
    """Step "How we reach you": phone, email, address, and the employee number when the
    programme asks for it."""

    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        help_text=_("For example 0812 3456 7890."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter a phone number we can call.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The e-voucher is sent here. A family member's address is fine."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter an email address for the e-voucher."),
            "invalid": _("Enter an email address like name@example.com."),
        },
    )
    address = forms.CharField(
        label=_("Home address"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        error_messages={"required": _("Enter the home address.")},
    )

    def __init__(
        self, *args: Any, programme: Programme, waitlist: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if waitlist:  # the offer of a place comes by email: say plainly why the address is needed
            email = self.fields["email"]
            email.help_text = _(
                "Required for the waiting list: when a place comes free, we offer it to you by "
                "email. A family member's address is fine."
            )
            email.error_messages["required"] = _(
                "Enter an email address: the waiting list offers places by email."
            )
        if programme.asks_employee_number:
            self.fields["employee_number"] = forms.CharField(
                label=_("Employee number"),
                max_length=40,
                help_text=_("As on your staff card or payslip."),
                error_messages={"required": _("Enter your employee number.")},
            )

    def clean_phone(self) -> str:
        phone = phone_normalise(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(
                _("Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890.")
            )
        return phone

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class EmailCodeForm(AccessibleForm):
    """The 6-digit code emailed to confirm an address (company programmes by email domain)."""

    code = forms.CharField(
        label=_("Code from the email"),
        max_length=12,
        help_text=_("6 digits. Check your spam folder if the email does not arrive."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": _("Enter the 6-digit code from the email.")},
    )

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if not ch.isspace())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("The code has 6 digits, like 123456."))
        return code


class ConsentForm(AccessibleForm):
    """Step "Check and agree": the consent to process health data (UU PDP)."""

    consent = forms.BooleanField(
        label=_(
            "I agree that the organiser uses this data, including health data, to vaccinate "
            "the people above, as explained here."
        ),
        error_messages={"required": _("Tick the box to agree, or the booking cannot be made.")},
    )


class ManageAccessForm(AccessibleForm):
    """Open a booking with its voucher code and the date of birth."""

    voucher_code = forms.CharField(
        label=_("Voucher code"),
        max_length=20,
        help_text=_("8 letters and numbers on the e-voucher, e.g. ABCD-2345."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages={"required": _("Enter the voucher code from the e-voucher.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _date_of_birth_fields(self)

    def clean_voucher_code(self) -> str:
        code = voucher_code_canonical(self.cleaned_data["voucher_code"])
        if code is None:
            raise forms.ValidationError(_("A voucher code has 8 letters and numbers."))
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        cleaned["date_of_birth"] = _date_of_birth(self, cleaned)
        return cleaned


class SlotChoiceForm(forms.Form):
    """An arrival time from the list on the page; the view checks it is still bookable."""

    slot = forms.IntegerField(
        error_messages={"required": _("Choose an arrival time.")}, min_value=1
    )
