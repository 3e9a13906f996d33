"""The e-voucher: a signed token that verifies without the database and only for its
organiser, the QR code holding it, the PDF and the calendar file."""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
import uuid
import zlib
from pathlib import Path

import pytest
from django.utils import timezone, translation

from organizers.models import Booking
from organizers.services import vouchers
from organizers.services.capacity import booking_create
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _booking(*, time_zone: str = "Asia/Jakarta", language: str = "id") -> Booking:
    """A first dose at 10:00 venue-local, three days from now."""
    from zoneinfo import ZoneInfo

    programme = a_programme()
    venue = a_venue(name="Puskesmas Cempaka", address="Jl. Cempaka 1", time_zone=time_zone)
    day = timezone.now().astimezone(ZoneInfo(time_zone)).date() + dt.timedelta(days=3)
    starts = dt.datetime.combine(day, dt.time(10, 0), ZoneInfo(time_zone))
    slot = a_slot(
        venue=venue,
        programme=programme,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        booking_closes_at=starts - dt.timedelta(hours=1),
    )
    person = a_person(nik="3273015403580002", name="Siti Aminah")
    person = type(person)(**{**person.__dict__, "language": language})
    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=person)
    return Booking.objects.select_related("slot__venue").get(id=booking.id)


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF: its content streams, inflated. Each stream is read by its
    /Length (binary data may itself end in a line break, which a delimiter search would cut)."""
    chunks = []
    for match in re.finditer(rb"/Length (\d+)\b[^>]*>>\s*stream\r?\n", pdf):
        stream = pdf[match.end() : match.end() + int(match.group(1))]
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "\n".join(chunks)


def ics_lines(text: str) -> list[str]:
    """RFC 5545 content lines: every line ends in CRLF, none longer than 75 octets; folded
    lines are joined again."""
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    assert "\n" not in text.replace("\r\n", "")
    unfolded: list[str] = []
    for line in physical:
        if line.startswith(" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return unfolded


def test_token_verifies_without_the_database_and_carries_the_booking(
    tenant_a: OrganizerFixture, django_assert_num_queries: object
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking()
        token = vouchers.voucher_token_issue(booking)

    with django_assert_num_queries(0):
        claims = vouchers.voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)

    assert claims.voucher_code == booking.voucher_code
    assert claims.starts_at == booking.slot.starts_at
    assert claims.starts_at.tzinfo == dt.UTC
    assert claims.venue_id == booking.slot.venue_id
    assert (claims.dose, claims.brand) == (1, "sinovac")
    assert claims.expires_at > booking.slot.ends_at
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) < 200  # a small QR code


def test_token_is_refused_for_another_organiser_tampered_or_expired(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking()
        token = vouchers.voucher_token_issue(booking)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[20] ^= 0x01  # one bit of the voucher code
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()

    with pytest.raises(vouchers.VoucherTokenError) as other:
        vouchers.voucher_token_verify(token, tenant_uid=tenant_b.tenant.uid)
    with pytest.raises(vouchers.VoucherTokenError) as changed:
        vouchers.voucher_token_verify(tampered, tenant_uid=tenant_a.tenant.uid)
    with pytest.raises(vouchers.VoucherTokenError) as late:
        vouchers.voucher_token_verify(
            token, tenant_uid=tenant_a.tenant.uid, now=booking.slot.ends_at + dt.timedelta(days=1)
        )
    with pytest.raises(vouchers.VoucherTokenError) as garbage:
        vouchers.voucher_token_verify("not-a-token", tenant_uid=tenant_a.tenant.uid)

    assert other.value.code == "voucher_token_other_tenant"
    assert changed.value.code == "voucher_token_invalid"
    assert late.value.code == "voucher_token_expired"
    assert garbage.value.code == "voucher_token_invalid"


def test_token_signed_with_another_key_is_refused(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking()
        token = vouchers.voucher_token_issue(booking)
    settings.SENTRA_VOUCHER_SIGNING_KEY = base64.b64encode(b"x" * 32).decode()

    with pytest.raises(vouchers.VoucherTokenError) as refused:
        vouchers.voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)

    assert refused.value.code == "voucher_token_invalid"


def test_a_verifier_with_only_the_public_key_accepts_the_token(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        token = vouchers.voucher_token_issue(_booking())
    public_key = vouchers.voucher_public_key()

    claims = vouchers.voucher_token_verify(
        token, tenant_uid=str(tenant_a.tenant.uid), public_key=public_key
    )

    assert isinstance(claims.tenant_uid, uuid.UUID)


def test_qr_code_holds_the_token_that_verifies(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking()
        _facts, files = vouchers.voucher_files(booking)
        token = vouchers.voucher_token_issue(booking)

    # Ed25519 signatures are deterministic: the voucher's QR is exactly the QR of this token.
    assert files.token == token
    assert files.qr_png == vouchers.voucher_qr_png(token)
    assert files.qr_png.startswith(b"\x89PNG\r\n\x1a\n")
    assert vouchers.voucher_qr(token).designator.endswith("-M")
    vouchers.voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)


def test_qr_code_in_the_pdf_scans_as_the_token(tenant_a: OrganizerFixture, tmp_path: Path) -> None:
    """With zbar and poppler installed (not on every machine): the printed voucher scans."""
    if not (shutil.which("zbarimg") and shutil.which("pdftoppm")):
        pytest.skip("zbarimg and pdftoppm are not installed")
    with tenant_scope(tenant_a.tenant):
        _facts, files = vouchers.voucher_files(_booking())
    (tmp_path / "voucher.pdf").write_bytes(files.pdf)

    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", str(tmp_path / "voucher.pdf"), str(tmp_path / "page")],
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(next(tmp_path.glob("page*.png")))],
        capture_output=True,
        text=True,
        check=True,
    )

    assert scanned.stdout.strip() == files.token
    vouchers.voucher_token_verify(scanned.stdout.strip(), tenant_uid=tenant_a.tenant.uid)


def test_pdf_voucher_names_the_person_venue_local_time_dose_and_code(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking(time_zone="Asia/Makassar")
        facts, files = vouchers.voucher_files(booking)

    text = pdf_text(files.pdf)
    assert files.pdf.startswith(b"%PDF")
    assert "Siti Aminah" in text
    assert "3273********0002" in text  # masked NIK, never the whole number
    assert "3273015403580002" not in text
    assert "Puskesmas Cempaka" in text
    assert "10:00-10:30 WITA" in text
    assert "Dosis" in text
    assert "Sinovac" in text
    assert "KTP" in text
    assert booking.voucher_code in text
    assert facts.time == "10:00-10:30 WITA"


def test_pdf_is_in_english_for_an_english_booking(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking(language="en")
        _facts, files = vouchers.voucher_files(booking)

    text = pdf_text(files.pdf)
    assert "Vaccination e-voucher" in text
    assert "Bring your KTP" in text


def test_calendar_file_is_rfc5545_with_utc_times_and_the_code(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking(time_zone="Asia/Jayapura")
        _facts, files = vouchers.voucher_files(booking)

    lines = ics_lines(files.ics)
    fields = dict(line.split(":", 1) for line in lines)
    starts = dt.datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    ends = dt.datetime.strptime(fields["DTEND"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert (lines[0], lines[-1]) == ("BEGIN:VCALENDAR", "END:VCALENDAR")
    assert starts == booking.slot.starts_at
    assert starts.hour == 1  # 10:00 WIT is 01:00 UTC
    assert ends == booking.slot.ends_at
    assert fields["UID"].startswith(f"booking-{booking.id}-")
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    assert booking.voucher_code in fields["DESCRIPTION"]
    assert "KTP" in fields["DESCRIPTION"]
    assert fields["LOCATION"].startswith("Puskesmas Cempaka\\, Jl. Cempaka 1")


def test_long_calendar_lines_fold_without_splitting_a_character() -> None:
    line = "DESCRIPTION:" + "é" * 100

    folded = vouchers._ics_fold(line)

    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line


def test_facts_use_indonesian_dates_by_default(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant), translation.override("id"):
        facts = vouchers.voucher_facts(_booking())

    assert re.search(r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d+ \w+ \d{4}", facts.date), (
        facts.date
    )
    assert facts.nik_masked == "3273••••••••0002"
