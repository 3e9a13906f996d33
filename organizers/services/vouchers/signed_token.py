"""The e-voucher: what a person shows at the venue. Tenant schema (reads only).

- A **token** signed with Ed25519 (`SENTRA_VOUCHER_SIGNING_KEY`) that anyone with the public key
  checks without the database: a check-in phone offline, another service. It is bound to the
  organiser (tenant uid) and to its purpose (a signing context), and it expires after the slot.
  Binary, not JSON, so that the QR code stays small (about 150 characters, a version 8 code).
- The **short code** (`booking.voucher_code`, e.g. K7QM-2XPA) to read out at the desk.
- The **QR code** (PNG) holding the token, the **PDF voucher** and the **calendar file** (.ics).

Rendering is in-process and fast (see `manage.py bench_voucher`): the QR code is made once with
a fixed mask, its PNG serves the email and the PDF, and the PDF uses a core font (no font
embedding).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import struct
import uuid
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF
from PIL import Image

from organizers.models import Booking, Dose, Venue
from organizers.personal_data import mask_nik, unseal
from organizers.selectors import vaccine_brand_names
from tenants.context import require_current_tenant
from tenants.errors import NotFoundError

TOKEN_VERSION = 1
# The signature covers this context too: a signature made for something else never verifies.
_SIGNING_CONTEXT = b"sentra/e-voucher/v1\x00"
_HEADER = struct.Struct(">B16s8sIIIB")  # version, tenant uid, code, start, expiry, venue, dose
_SIGNATURE_BYTES = 64
# The token stays valid this long after the slot ends (late arrivals on the same day).
TOKEN_GRACE = dt.timedelta(hours=12)
# Minutes since this moment number the calendar event's versions (RFC 5545 SEQUENCE).
_SEQUENCE_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DEFAULT_COLOUR = "#0b5d50"  # Sentra's (site.css --brand); the organiser's when it chose one
ZONE_NAMES = {choice.value: choice.label for choice in Venue.TimeZone}


class VoucherTokenError(NotFoundError):
    """The token does not verify: bad signature or shape (`voucher_token_invalid`), another
    organiser's (`voucher_token_other_tenant`) or past its expiry (`voucher_token_expired`)."""


@dataclass(frozen=True)
class VoucherClaims:
    tenant_uid: uuid.UUID
    voucher_code: str
    starts_at: dt.datetime  # UTC
    expires_at: dt.datetime  # UTC
    venue_id: int
    dose: int
    brand: str


@dataclass(frozen=True)
class VoucherFiles:
    token: str
    qr_png: bytes
    pdf: bytes
    ics: str


# --- The signed token -------------------------------------------------------------------------


@cache
def _private_key(seed_b64: str) -> Ed25519PrivateKey:
    seed = base64.b64decode(seed_b64, validate=True)
    if len(seed) != 32:
        raise ValueError("SENTRA_VOUCHER_SIGNING_KEY must be base64 of 32 random bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _signing_key() -> Ed25519PrivateKey:
    return _private_key(settings.SENTRA_VOUCHER_SIGNING_KEY)


def voucher_public_key() -> bytes:
    """The raw 32-byte public key, for verifiers that have no database (check-in devices)."""
    return _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def voucher_token_issue(booking: Booking) -> str:
    """The signed token of a booking, for the current organiser. Tenant schema."""
    tenant = require_current_tenant()
    slot = booking.slot
    expires = slot.ends_at + TOKEN_GRACE
    code = booking.voucher_code.replace("-", "").encode("ascii")
    brand = booking.vaccine_brand.encode("ascii")
    payload = (
        _HEADER.pack(
            TOKEN_VERSION,
            uuid.UUID(str(tenant.uid)).bytes,
            code,
            int(slot.starts_at.timestamp()),
            int(expires.timestamp()),
            slot.venue_id,
            booking.dose,
        )
        + bytes([len(brand)])
        + brand
    )
    signature = _signing_key().sign(_SIGNING_CONTEXT + payload)
    return _b64url(payload + signature)


def voucher_token_verify(
    token: str,
    *,
    tenant_uid: uuid.UUID | str,
    now: dt.datetime | None = None,
    public_key: bytes | None = None,
) -> VoucherClaims:
    """Check a token without the database. Raises VoucherTokenError (a NotFoundError)."""
    invalid = VoucherTokenError(
        gettext_lazy("This voucher is not valid."), code="voucher_token_invalid"
    )
    try:
        raw = _unb64url(token.strip())
    except (ValueError, TypeError):
        raise invalid from None
    if len(raw) < _HEADER.size + 1 + _SIGNATURE_BYTES:
        raise invalid
    payload, signature = raw[:-_SIGNATURE_BYTES], raw[-_SIGNATURE_BYTES:]
    key = (
        Ed25519PublicKey.from_public_bytes(public_key)
        if public_key is not None
        else _signing_key().public_key()
    )
    try:
        key.verify(signature, _SIGNING_CONTEXT + payload)
    except InvalidSignature:
        raise invalid from None
    version, uid, code, start, expiry, venue_id, dose = _HEADER.unpack_from(payload)
    brand_length = payload[_HEADER.size]
    brand = payload[_HEADER.size + 1 :]
    if version != TOKEN_VERSION or len(brand) != brand_length:
        raise invalid
    if uuid.UUID(bytes=uid) != uuid.UUID(str(tenant_uid)):
        raise VoucherTokenError(
            gettext_lazy("This voucher is for another organiser."),
            code="voucher_token_other_tenant",
        )
    expires_at = dt.datetime.fromtimestamp(expiry, tz=dt.UTC)
    if (now or timezone.now()) >= expires_at:
        raise VoucherTokenError(
            gettext_lazy("This voucher has expired."), code="voucher_token_expired"
        )
    text = code.decode("ascii")
    return VoucherClaims(
        tenant_uid=uuid.UUID(bytes=uid),
        voucher_code=f"{text[:4]}-{text[4:]}",
        starts_at=dt.datetime.fromtimestamp(start, tz=dt.UTC),
        expires_at=expires_at,
        venue_id=venue_id,
        dose=dose,
        brand=brand.decode("ascii"),
    )


# --- What the person reads ----------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherFacts:
    """The voucher's facts as a person reads them, in the active language and the venue's
    local time."""

    organizer_name: str
    full_name: str
    nik_masked: str
    venue_name: str
    venue_address: str
    date: str  # "Kamis, 26 November 2026"
    time: str  # "09:00-09:30 WIB"
    dose: str
    brand: str
    code: str


def voucher_facts(booking: Booking, *, brand_names: dict[str, str] | None = None) -> VoucherFacts:
    """Call inside translation.override(<the person's language>). Tenant schema."""
    slot = booking.slot
    venue = slot.venue
    zone = ZoneInfo(venue.time_zone)
    starts, ends = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    names = brand_names if brand_names is not None else vaccine_brand_names()
    return VoucherFacts(
        organizer_name=require_current_tenant().name,
        full_name=booking.full_name,
        nik_masked=mask_nik(unseal(booking.nik_sealed, field="nik")),
        venue_name=venue.name,
        venue_address=", ".join(part for part in (venue.address, venue.city) if part),
        date=formats.date_format(starts, "l, j F Y"),
        time=f"{starts:%H:%M}-{ends:%H:%M} {ZONE_NAMES.get(venue.time_zone, venue.time_zone)}",
        dose=str(Dose(booking.dose).label),
        brand=names.get(booking.vaccine_brand, booking.vaccine_brand),
        code=booking.voucher_code,
    )


# A fixed mask pattern: choosing the "best" of the eight costs about 6 ms in pure Python for a
# version 8 code, and scanners read any mask (the choice only avoids rare ambiguous patterns).
QR_MASK = 2


def voucher_qr(token: str) -> segno.QRCode:
    return segno.make(token, error="m", micro=False, mask=QR_MASK, boost_error=False)


_DARK_TO_BLACK = bytes([255, 0]) + bytes(254)  # module value 1 (dark) -> 0 (black)


def voucher_qr_png(token: str | segno.QRCode, *, scale: int = 5, border: int = 4) -> bytes:
    """The QR code holding the token, as a black-and-white PNG (the email's inline image and
    the PDF's). Pillow writes it in C: about 0.2 ms, against 1.5 ms for segno's own writer."""
    code = voucher_qr(token) if isinstance(token, str) else token
    size = len(code.matrix) + 2 * border
    quiet = b"\xff" * border
    rows = [b"\xff" * size] * border
    rows += [quiet + bytes(row).translate(_DARK_TO_BLACK) + quiet for row in code.matrix]
    rows += [b"\xff" * size] * border
    image = Image.frombytes("L", (size, size), b"".join(rows)).convert("1")
    buffer = io.BytesIO()
    image.resize((size * scale, size * scale), Image.Resampling.NEAREST).save(buffer, "PNG")
    return buffer.getvalue()


def _latin1(text: str) -> str:
    """The PDF's core font covers Latin-1 (all of Indonesian); anything else is replaced."""
    text = text.replace("\u2022", "*").replace("\u2013", "-").replace("\u2014", "-")
    return text.encode("latin-1", "replace").decode("latin-1")


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def voucher_pdf(
    facts: VoucherFacts, *, qr_png: bytes, colour: str = DEFAULT_COLOUR, ink: str = "#ffffff"
) -> bytes:
    """An A5 voucher: who, where, when, what to bring, the QR code and the code. Call inside
    translation.override(<the person's language>)."""
    pdf = FPDF(format=(148, 210), unit="mm")  # A5
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(_latin1(f"E-voucher {facts.code}"))
    pdf.set_author(_latin1(facts.organizer_name))
    pdf.set_creator("Sentra")
    pdf.add_page()
    width = pdf.w - 2 * pdf.l_margin
    pdf.set_fill_color(*_rgb(colour))
    pdf.rect(0, 0, pdf.w, 24, style="F")
    pdf.set_text_color(*_rgb(ink))
    pdf.set_font("helvetica", "B", 15)
    pdf.set_xy(pdf.l_margin, 6)
    pdf.cell(width, 7, _latin1(facts.organizer_name))
    pdf.set_font("helvetica", "", 10)
    pdf.set_xy(pdf.l_margin, 14)
    pdf.cell(width, 5, _latin1(_("Vaccination e-voucher")))
    pdf.set_text_color(0, 0, 0)
    rows = (
        (_("Name"), facts.full_name),
        (_("NIK"), facts.nik_masked),
        (_("Date"), facts.date),
        (_("Time"), facts.time),
        (_("Venue"), facts.venue_name),
        (_("Address"), facts.venue_address),
        (_("Dose"), facts.dose),
        (_("Vaccine"), facts.brand),
    )
    pdf.set_xy(pdf.l_margin, 30)
    for label, value in rows:
        pdf.set_font("helvetica", "", 8)
        pdf.set_x(pdf.l_margin)
        pdf.cell(width, 4, _latin1(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "B", 11)
        text = _latin1(value)
        if pdf.get_string_width(text) < width:  # one line: cell() is much cheaper
            pdf.cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    qr_size = 50.0
    qr_top = pdf.get_y() + 2
    qr_left = (pdf.w - qr_size) / 2
    # The PNG made for the email (5 px per module, no smoothing needed): embedding it costs
    # about 1 ms, drawing the modules as rectangles about 3 ms.
    pdf.image(io.BytesIO(qr_png), x=qr_left, y=qr_top, w=qr_size, h=qr_size)
    pdf.set_xy(pdf.l_margin, qr_top + qr_size + 2)
    pdf.set_font("courier", "B", 18)
    pdf.cell(width, 9, facts.code, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    pdf.multi_cell(
        width,
        4.5,
        _latin1(
            _(
                "Bring your KTP (identity card) and show this QR code or read out the code "
                "at the venue. Please arrive on time."
            )
        ),
        align="C",
    )
    return bytes(pdf.output())


# --- The calendar file --------------------------------------------------------------------------


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    """Lines longer than 75 octets are folded (CRLF and a space), never inside a UTF-8
    character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = 74  # continuation lines start with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def voucher_ics(
    booking: Booking,
    facts: VoucherFacts,
    *,
    now: dt.datetime | None = None,
    cancelled: bool = False,
) -> str:
    """An RFC 5545 calendar with one event, times in UTC. The UID is the booking's, so a new
    time replaces the old event in the person's calendar. Call inside translation.override.

    cancelled: the same event as METHOD:CANCEL / STATUS:CANCELLED, one sequence above any
    voucher sent up to this minute (no voucher goes out after a cancellation), so the person's
    calendar removes it."""
    now = now or timezone.now()
    sequence = int((now - _SEQUENCE_EPOCH).total_seconds() // 60) + (1 if cancelled else 0)
    tenant = require_current_tenant()
    slot = booking.slot
    summary = _("Vaccination: %(dose)s, %(brand)s") % {"dose": facts.dose, "brand": facts.brand}
    description = "\n".join(
        (
            _("Voucher code: %(code)s") % {"code": facts.code},
            _("Time: %(date)s, %(time)s") % {"date": facts.date, "time": facts.time},
            _("Bring your KTP (identity card)."),
            facts.organizer_name,
        )
    )
    lines = (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sentra//E-voucher//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:CANCEL" if cancelled else "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}-{tenant.uid}@sentra",
        f"DTSTAMP:{_ics_time(now)}",
        # Rescheduling sends the event again under the same UID: a higher sequence replaces it.
        f"SEQUENCE:{sequence}",
        f"DTSTART:{_ics_time(slot.starts_at)}",
        f"DTEND:{_ics_time(slot.ends_at)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(f'{facts.venue_name}, {facts.venue_address}')}",
        f"DESCRIPTION:{_ics_text(description)}",
        "STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


def voucher_files(
    booking: Booking,
    *,
    brand_names: dict[str, str] | None = None,
    colour: str = DEFAULT_COLOUR,
    ink: str = "#ffffff",
) -> tuple[VoucherFacts, VoucherFiles]:
    """Everything of a booking's voucher, in the booking's language. Tenant schema."""
    with translation.override(booking.language or "id"):
        facts = voucher_facts(booking, brand_names=brand_names)
        token = voucher_token_issue(booking)
        qr_png = voucher_qr_png(token)
        files = VoucherFiles(
            token=token,
            qr_png=qr_png,
            pdf=voucher_pdf(facts, qr_png=qr_png, colour=colour, ink=ink),
            ics=voucher_ics(booking, facts),
        )
    return facts, files
