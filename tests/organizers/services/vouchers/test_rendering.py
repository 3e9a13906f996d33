"""The e-voucher's files: the QR code holds the token that verifies (also when scanned from the
printed PDF), and the PDF names the person, the venue, the local time, the dose and the code in
the booking's language."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from organizers.services.vouchers.rendering import voucher_files, voucher_qr, voucher_qr_png
from organizers.services.vouchers.signed_token import voucher_token_issue, voucher_token_verify
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.vouchers.file_readers import pdf_text
from tests.organizers.services.vouchers.voucher_bookings import a_booking


def test_qr_code_holds_the_token_that_verifies(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = a_booking()
        _facts, files = voucher_files(booking)
        token = voucher_token_issue(booking)

    # Ed25519 signatures are deterministic: the voucher's QR is exactly the QR of this token.
    assert files.token == token
    assert files.qr_png == voucher_qr_png(token)
    assert files.qr_png.startswith(b"\x89PNG\r\n\x1a\n")
    assert voucher_qr(token).designator.endswith("-M")
    voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)


def test_qr_code_in_the_pdf_scans_as_the_token(tenant_a: OrganizerFixture, tmp_path: Path) -> None:
    """With zbar and poppler installed (not on every machine): the printed voucher scans."""
    if not (shutil.which("zbarimg") and shutil.which("pdftoppm")):
        pytest.skip("zbarimg and pdftoppm are not installed")
    with tenant_scope(tenant_a.tenant):
        _facts, files = voucher_files(a_booking())
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
    voucher_token_verify(scanned.stdout.strip(), tenant_uid=tenant_a.tenant.uid)


def test_pdf_voucher_names_the_person_venue_local_time_dose_and_code(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = a_booking(time_zone="Asia/Makassar")
        facts, files = voucher_files(booking)

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
        booking = a_booking(language="en")
        _facts, files = voucher_files(booking)

    text = pdf_text(files.pdf)
    assert "Vaccination e-voucher" in text
    assert "Bring your KTP" in text
    assert "Please arrive on time." in " ".join(text.split())  # the closing words, all of them
