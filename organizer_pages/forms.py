"""Forms of the organiser's pages under /kelola/. They only parse what people typed; the rules
live in organizers.services, whose refusals the views put back next to the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from organizers.geography import PROVINCE_CHOICES
from organizers.models import Dose, Programme, SlotTemplate, Venue
from tenants.errors import ApplicationError

DATE_WIDGET = {"type": "date"}
TIME_WIDGET = {"type": "time"}
TIME_ZONE_CHOICES = [
    (Venue.TimeZone.WIB, "WIB (UTC+7)"),
    (Venue.TimeZone.WITA, "WITA (UTC+8)"),
    (Venue.TimeZone.WIT, "WIT (UTC+9)"),
]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs=TIME_WIDGET, format="%H:%M")


def _number_input() -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric"})


def add_service_errors(
    form: forms.Form, error: ApplicationError, *, default_field: str | None = None
) -> None:
    """Show a service's refusal next to the fields it names, else next to `default_field`, else
    above the form."""
    placed = False
    for field, messages in error.extra.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            if field in form.fields:
                form.add_error(field, message)
                placed = True
    if not placed:
        form.add_error(default_field, error.message)


class VenueForm(forms.Form):
    name = forms.CharField(label=_("Venue name"), max_length=200)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}))
    province = forms.ChoiceField(
        label=_("Province"), choices=[("", _("Choose a province")), *PROVINCE_CHOICES]
    )
    city = forms.CharField(label=_("City or regency"), max_length=100)
    # Text inputs: a phone's numeric keypad often has no minus sign, and most of Indonesia is
    # south of the equator.
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        widget=forms.TextInput,
        help_text=_("Optional, e.g. -6.914744 (from a map app)."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.TextInput,
        help_text=_("Optional, e.g. 107.609810."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=[("", _("Follow the province")), *TIME_ZONE_CHOICES],
        help_text=_("Keep 'Follow the province' unless the venue keeps another time."),
    )
    facility_code = forms.CharField(
        label=_("Ministry facility code"),
        required=False,
        max_length=30,
        help_text=_("The Ministry of Health's code for this health facility, if it has one."),
    )
    vaccine_brands = forms.MultipleChoiceField(
        label=_("Vaccines given here"), required=False, widget=forms.CheckboxSelectMultiple
    )
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=120)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, brand_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["vaccine_brands"]).choices = brand_choices


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Programme name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of programme"), choices=Programme.Kind.choices, widget=forms.RadioSelect
    )
    # Not required here: "at least one vaccine" is the service's rule, said next to the field.
    vaccine_brands = forms.MultipleChoiceField(
        label=_("Vaccines"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose at least one."),
    )
    doses = forms.TypedMultipleChoiceField(
        label=_("Doses offered"),
        required=False,
        coerce=int,
        choices=Dose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to offer every dose (first, second and booster)."),
    )
    is_active = forms.BooleanField(
        label=_("Active: takes new bookings"),
        required=False,
        help_text=_("Untick to stop new bookings. Bookings already made stay as they are."),
    )

    def __init__(self, *args: Any, brand_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["vaccine_brands"]).choices = brand_choices


class SlotTemplateForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), empty_label=None
    )
    first_day = forms.DateField(label=_("First day"), widget=_date_input())
    last_day = forms.DateField(label=_("Last day"), widget=_date_input())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        coerce=int,
        choices=[(number, name) for number, name in WEEKDAYS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    opens = forms.TimeField(label=_("Opens at"), widget=_time_input())
    closes = forms.TimeField(label=_("Closes at"), widget=_time_input())
    break1_start = forms.TimeField(label=_("Break 1 from"), required=False, widget=_time_input())
    break1_end = forms.TimeField(label=_("Break 1 until"), required=False, widget=_time_input())
    break2_start = forms.TimeField(label=_("Break 2 from"), required=False, widget=_time_input())
    break2_end = forms.TimeField(label=_("Break 2 until"), required=False, widget=_time_input())
    slot_minutes = forms.IntegerField(
        label=_("Slot length (minutes)"),
        min_value=5,
        max_value=600,
        widget=_number_input(),
        help_text=_("People choose an arrival time in steps of this length, e.g. 30."),
    )
    capacity_mode = forms.ChoiceField(
        label=_("Seats per slot"),
        choices=SlotTemplate.CapacityMode.choices,
        widget=forms.RadioSelect,
    )
    capacity = forms.IntegerField(
        label=_("Seats per slot (when you type it)"),
        required=False,
        min_value=1,
        widget=_number_input(),
    )
    lanes = forms.IntegerField(
        label=_("Vaccination lanes (when computed)"),
        required=False,
        min_value=1,
        max_value=100,
        widget=_number_input(),
    )
    minutes_per_injection = forms.IntegerField(
        label=_("Minutes per injection (when computed)"),
        required=False,
        min_value=1,
        max_value=120,
        widget=_number_input(),
        # The real multiplication sign reads better than an x for people who are not engineers.
        help_text=_("Seats per slot = lanes × (slot length ÷ minutes per injection)."),  # noqa: RUF001
    )
    capacity_dose1 = forms.IntegerField(
        label=_("Seats for dose 1"), required=False, min_value=0, widget=_number_input()
    )
    capacity_dose2 = forms.IntegerField(
        label=_("Seats for dose 2"), required=False, min_value=0, widget=_number_input()
    )
    capacity_dose3 = forms.IntegerField(
        label=_("Seats for the booster"), required=False, min_value=0, widget=_number_input()
    )
    vaccine_brand = forms.ChoiceField(label=_("Vaccine"))
    opens_days_before = forms.IntegerField(
        label=_("Booking opens this many days before"),
        min_value=0,
        max_value=90,
        widget=_number_input(),
    )
    opens_at_time = forms.TimeField(label=_("Booking opens at"), widget=_time_input())
    closes_hours_before = forms.IntegerField(
        label=_("Booking closes this many hours before the slot"),
        min_value=0,
        max_value=168,
        widget=_number_input(),
    )

    def __init__(
        self,
        *args: Any,
        programmes: QuerySet[Programme],
        brand_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme"]).queryset = programmes
        self.fields["programme"].help_text = format_html(
            '{} <a href="{}">{}</a>',
            _("Active programmes only."),
            reverse("programme_list"),
            _("Manage programmes"),
        )
        cast(forms.ChoiceField, self.fields["vaccine_brand"]).choices = brand_choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for number in (1, 2):
            start = cleaned.get(f"break{number}_start")
            end = cleaned.get(f"break{number}_end")
            if (start is None) != (end is None) and not self.has_error(f"break{number}_start"):
                missing = f"break{number}_end" if end is None else f"break{number}_start"
                self.add_error(missing, _("Give both the start and the end of the break."))
        return cleaned

    def breaks(self) -> list[tuple[dt.time, dt.time]]:
        pairs = (
            (
                self.cleaned_data.get(f"break{number}_start"),
                self.cleaned_data.get(f"break{number}_end"),
            )
            for number in (1, 2)
        )
        return [(start, end) for start, end in pairs if start is not None and end is not None]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for number in (1, 2):
            data.pop(f"break{number}_start")
            data.pop(f"break{number}_end")
        return {**data, "breaks": self.breaks()}


class SlotForm(forms.Form):
    capacity = forms.IntegerField(label=_("Seats"), min_value=0, widget=_number_input())
    is_closed = forms.BooleanField(
        label=_("Closed: nobody can book this slot"),
        required=False,
        help_text=_("People who have already booked keep their seats."),
    )
    booking_closes_at = forms.DateTimeField(
        label=_("Booking closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the venue's time."),
    )


class BlackoutDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=_date_input())
    venue = forms.ModelChoiceField(
        label=_("Venue"),
        queryset=Venue.objects.none(),
        required=False,
        empty_label=_("Every venue"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=120,
        help_text=_("e.g. Idul Fitri, or the venue is being renovated."),
    )

    def __init__(self, *args: Any, venues: QuerySet[Venue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["venue"]).queryset = venues
