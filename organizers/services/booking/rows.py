"""A booking row as the full path writes it: its voucher code (voucher_code_new, which the one
statement draws too) and the INSERT (insert_booking). Tenant schema. The person's columns come
from booking.person (person_columns, PERSON_COLUMNS)."""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction

from organizers.models import Booking
from organizers.services.booking.refusals import refusal_error

VOUCHER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read out by phone


def voucher_code_new() -> str:
    """Eight characters from a 30-letter alphabet (about 6.5e11 codes), from one random draw."""
    number = secrets.randbelow(len(VOUCHER_ALPHABET) ** 8)
    chars = []
    for _position in range(8):
        number, digit = divmod(number, len(VOUCHER_ALPHABET))
        chars.append(VOUCHER_ALPHABET[digit])
    return f"{''.join(chars[:4])}-{''.join(chars[4:])}"


_TYPED_AROUND_CODE = re.compile(r"[\s\-]+")
_CODE = re.compile(r"[A-Z0-9]{8}")


def voucher_code_canonical(typed: str) -> str | None:
    """A voucher code as stored ("ABCD-EFGH") from what a person typed or a URL carried:
    spaces, tabs and dashes anywhere, any case. None when it cannot be a code (wrong length,
    other characters, a NUL byte): the one form every look-up and every count of wrong tries
    uses, so " ABCD-EFGH" and "abcdefgh\t" are the same voucher."""
    code = _TYPED_AROUND_CODE.sub("", typed or "").upper()
    if not code.isascii() or not _CODE.fullmatch(code):
        return None
    return f"{code[:4]}-{code[4:]}"


def insert_booking(**fields: object) -> Booking:
    """INSERT in a savepoint; a second active booking for the person is refused by the unique
    constraint (the check that holds under concurrency), a voucher collision is retried."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Booking.objects.create(voucher_code=voucher_code_new(), **fields)
        except IntegrityError as exc:
            if "booking_one_active_per_person_dose" in str(exc):
                raise refusal_error("already_booked") from exc
            if "voucher_code" not in str(exc):
                raise
    raise RuntimeError("could not find a free voucher code")
