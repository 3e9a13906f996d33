"""Shapes of the booking API v1: input validation and output. No logic: services decide."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from organizers.models import Booking, Dose, Programme, Sex, Slot, Venue
from organizers.nik import nik_problems
from organizers.phone import phone_normalise
from organizers.services.booking.request import date_from_text, name_problem

if TYPE_CHECKING:
    from organizers.services.booking.statement import PlacedBooking, PlacedVenue

NIK_RE = re.compile(r"^[0-9]{16}$")  # ASCII only: full-width digits would be another HMAC key
MAX_ID = 2**63 - 1


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ("id", "name", "kind", "vaccine_brands", "doses")


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = (
            "id",
            "name",
            "address",
            "city",
            "province",
            "time_zone",
            "latitude",
            "longitude",
            "vaccine_brands",
        )


class SlotSerializer(serializers.ModelSerializer):
    """The shape of a day's slot for the OpenAPI schema; the list itself is built by
    PostgreSQL (organizers.selectors.slot_day_json), times in the venue's time zone."""

    remaining = serializers.IntegerField(read_only=True)
    remaining_by_dose = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text='Seats left for each dose: {"1": ..., "2": ..., "3": ...}; 0 for a '
        "dose the programme does not offer.",
    )
    bookable = serializers.BooleanField(
        read_only=True,
        help_text="The slot takes bookings now (programme active, venue approved, not started, "
        "booking window open, a seat left). A dose can be booked when this is true and its "
        "remaining_by_dose is above 0: the booking's own rule (organizers.bookability).",
    )

    class Meta:
        model = Slot
        fields = (
            "id",
            "starts_at",
            "ends_at",
            "vaccine_brand",
            "capacity",
            "remaining",
            "remaining_by_dose",
            "booking_opens_at",
            "booking_closes_at",
            "bookable",
        )


def nik_check(value: str) -> str:
    if not NIK_RE.fullmatch(value):
        raise serializers.ValidationError(_("A NIK has exactly 16 digits."))
    return value


def nik_rule_errors(data: dict[str, Any]) -> list[str]:
    """The NIK rules (province, encoded birth date and sex, serial) for a body whose fields are
    each valid: one message per mismatch, in the active language."""
    if "nik" not in data or "date_of_birth" not in data:
        return []
    problems = nik_problems(
        data["nik"], date_of_birth=data["date_of_birth"], sex=data.get("sex") or ""
    )
    return [problem.message for problem in problems]


def date_of_birth_check(value: dt.date) -> dt.date:
    if value > timezone.localdate() or value.year < 1900:
        raise serializers.ValidationError(_("Check the date of birth."))
    return value


class DateField(serializers.DateField):
    """YYYY-MM-DD in ASCII digits only (organizers.services.booking.request.date_from_text):
    DRF's own parsing also takes ISO week dates and other scripts' digits."""

    def to_internal_value(self, value: object) -> dt.date:
        parsed = date_from_text(value)
        if parsed is None:
            self.fail("invalid", format="YYYY-MM-DD")
        return parsed


class PersonSerializer(serializers.Serializer):
    nik = serializers.CharField(
        max_length=16,
        min_length=16,
        validators=[RegexValidator(r"^[0-9]{16}$", _("A NIK has exactly 16 digits."))],
        help_text="The 16 digits of the KTP; the region, date of birth and sex they encode "
        "must agree with the other fields.",
    )
    date_of_birth = DateField()
    full_name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True, default="")

    def validate_nik(self, value: str) -> str:
        return nik_check(value)

    def validate_date_of_birth(self, value: dt.date) -> dt.date:
        return date_of_birth_check(value)

    def validate_full_name(self, value: str) -> str:
        if (problem := name_problem(value)) is not None:
            raise serializers.ValidationError(problem)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = nik_rule_errors(attrs)
        if errors:
            raise serializers.ValidationError({"nik": errors})
        return attrs


class BookingCreateSerializer(PersonSerializer):
    programme_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    slot_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    dose = serializers.ChoiceField(choices=Dose.choices)
    reserve_next_dose = serializers.BooleanField(required=False, default=False)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    employee_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    language = serializers.ChoiceField(
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
        required=False,
        help_text="Language of the answer and of every message to this person (default: the "
        "request's language).",
    )
    invite_token = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The token of an invite link (/undangan/<token>/) to a company programme.",
    )


class ProofSerializer(serializers.Serializer):
    date_of_birth = DateField()


class RescheduleSerializer(ProofSerializer):
    slot_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class WaitlistJoinSerializer(PersonSerializer):
    programme_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    venue_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    day = DateField()
    dose = serializers.ChoiceField(choices=Dose.choices)

    def validate_phone(self, value: str) -> str:
        """Stored as +62... (organizers.phone, the pages' rule); empty stays empty."""
        if not value.strip():
            return ""
        phone = phone_normalise(value)
        if phone is None:
            raise serializers.ValidationError(
                _("Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890.")
            )
        return phone


class BookingSerializer(serializers.Serializer):
    """The shape of a booking in responses (documentation; `booking_representation` builds it:
    at opening hour a ModelSerializer's field set-up cost more than the booking itself)."""

    voucher_code = serializers.CharField()
    status = serializers.CharField()
    dose = serializers.IntegerField()
    vaccine_brand = serializers.CharField()
    full_name = serializers.CharField()
    nik_masked = serializers.CharField()
    programme_id = serializers.IntegerField()
    venue = serializers.DictField()
    slot = serializers.DictField()
    next_dose = serializers.DictField(allow_null=True)
    created_at = serializers.DateTimeField()


class OrganizerSerializer(serializers.Serializer):
    """The shape of GET organizer (documentation; the view builds it)."""

    name = serializers.CharField()
    slug = serializers.CharField()
    accepting_bookings = serializers.BooleanField()
    programmes = ProgrammeSerializer(many=True)


class MembershipSerializer(serializers.Serializer):
    """The shape of GET me (documentation; the view builds it)."""

    email = serializers.EmailField()
    role = serializers.CharField()


class WaitlistPlaceSerializer(serializers.Serializer):
    """The shape of a waitlist place (documentation; the view builds it)."""

    status = serializers.CharField()
    position = serializers.IntegerField(help_text="1 for the first one waiting.")


def booking_representation(booking: Booking | PlacedBooking, *, nik_masked: str) -> dict[str, Any]:
    slot, venue = booking.slot, booking.slot.venue
    if hasattr(booking, "next_dose"):  # just booked: the service says what it reserved
        later = booking.next_dose
    else:
        # A BookedSeat always has next_dose: only a Booking reaches this line.
        later = booking.later_doses.filter(status="active").select_related("slot").first()  # type: ignore[union-attr]
    return {
        "voucher_code": booking.voucher_code,
        "status": booking.status,
        "dose": booking.dose,
        "vaccine_brand": booking.vaccine_brand,
        "full_name": booking.full_name,
        "nik_masked": nik_masked,
        "programme_id": booking.programme_id,
        "venue": {
            "id": venue.id,
            "name": venue.name,
            "address": venue.address,
            "time_zone": venue.time_zone,
        },
        "slot": {
            "id": slot.id,
            "starts_at": _iso(slot.starts_at, venue),
            "ends_at": _iso(slot.ends_at, venue),
        },
        "next_dose": None
        if later is None
        else {
            "voucher_code": later.voucher_code,
            "dose": later.dose,
            "slot_id": later.slot_id,
            "starts_at": _iso(later.slot.starts_at, venue),
        },
        "created_at": _iso(booking.created_at),
    }


def _iso(value: dt.datetime, venue: Venue | PlacedVenue | None = None) -> str:
    """ISO 8601 in the venue's own time zone (WIB, WITA or WIT): a slot at 07:00 WIT on the
    29th must not read as the 28th."""
    zone = ZoneInfo(venue.time_zone) if venue is not None else timezone.get_current_timezone()
    return value.astimezone(zone).isoformat()
