"""The local mail viewer (/dev/mail/ on the root domain): the voucher email written by the file
backend of ./sentra run can be read, with its QR code, PDF and calendar file. Off unless DEBUG."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.test import Client

from organizers.models import Message
from organizers.services.booking.engine import booking_create
from organizers.services.messages import outbox
from tenants.context import tenant_scope
from tests.conftest import ROOT_HOST, OrganizerFixture, host_client
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def a_voucher_mailed_to(folder: Path, tenant: OrganizerFixture, settings: object) -> Message:
    """Books a slot and delivers its voucher email with the file backend (as ./sentra run
    does) into `folder`; returns the voucher message."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    with tenant_scope(tenant.tenant):
        programme = a_programme()
        slot = a_slot(venue=a_venue(), programme=programme)
        booking = booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )
        message = Message.objects.select_related("booking").get(booking_id=booking.id)
        outbox.message_deliver(message_id=message.id)
    return message


def _voucher_written_to(folder: Path, tenant: OrganizerFixture, settings: object) -> str:
    return a_voucher_mailed_to(folder, tenant, settings).booking.voucher_code


def test_voucher_email_reads_with_its_qr_code_pdf_and_calendar(
    tenant_a: OrganizerFixture, settings: object, tmp_path: Path
) -> None:
    code = _voucher_written_to(tmp_path, tenant_a, settings)
    settings.DEBUG = True
    client = host_client(ROOT_HOST)

    listing = client.get("/dev/mail/").content.decode()
    detail_url = re.search(r'href="(/dev/mail/[^"]+/0/)"', listing)[1]
    detail = client.get(detail_url).content.decode()
    part_urls = dict(re.findall(r'<a href="(/dev/mail/[^"]+/\d+/)">([^<]+)</a>', detail))
    by_name = {name: url for url, name in part_urls.items()}
    pdf = client.get(by_name[f"e-voucher-{code}.pdf"])
    ics = client.get(by_name[f"vaksinasi-{code}.ics"])

    assert f"E-voucher vaksinasi Anda: {code}" in listing
    assert "Puskesmas Cempaka" in detail
    assert "cid:voucher-qr" not in detail  # the inline QR code points at its part here
    qr_url = re.search(r"src=&quot;(/dev/mail/[^&]+)&quot;", detail)[1]
    assert client.get(qr_url).content.startswith(b"\x89PNG")
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"BEGIN:VCALENDAR\r\n" in ics.content


def test_mail_viewer_is_off_without_debug(
    tenant_a: OrganizerFixture, settings: object, tmp_path: Path
) -> None:
    _voucher_written_to(tmp_path, tenant_a, settings)
    settings.DEBUG = False
    client = host_client(ROOT_HOST)
    name = next(tmp_path.iterdir()).name

    assert client.get("/dev/mail/").status_code == 404
    assert client.get(f"/dev/mail/{name}/0/").status_code == 404


def test_mail_viewer_answers_only_this_computer(
    tenant_a: OrganizerFixture, settings: object, tmp_path: Path
) -> None:
    """`./sentra run` may listen on a network address (SENTRA_BIND): the mail of this computer
    stays on this computer."""
    _voucher_written_to(tmp_path, tenant_a, settings)
    settings.DEBUG = True
    name = next(tmp_path.iterdir()).name
    neighbour = Client(HTTP_HOST=ROOT_HOST, secure=True, REMOTE_ADDR="192.168.1.23")
    here = Client(HTTP_HOST=ROOT_HOST, secure=True, REMOTE_ADDR="::1")

    assert neighbour.get("/dev/mail/").status_code == 404
    assert neighbour.get(f"/dev/mail/{name}/0/").status_code == 404
    assert here.get("/dev/mail/").status_code == 200


def test_mail_viewer_refuses_paths_outside_the_mail_folder(
    settings: object, tmp_path: Path, db: None
) -> None:
    settings.DEBUG = True
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    (tmp_path / "mail").mkdir()
    (tmp_path / "secret.log").write_text("Subject: secret\n\nnot mail")
    client = host_client(ROOT_HOST)

    assert client.get("/dev/mail/..%2Fsecret.log/0/").status_code == 404
    assert client.get("/dev/mail/secret.log/0/").status_code == 404


def test_mail_dates_read_in_jakarta_time(
    tenant_a: OrganizerFixture, settings: object, tmp_path: Path
) -> None:
    _voucher_written_to(tmp_path, tenant_a, settings)
    settings.DEBUG = True
    client = host_client(ROOT_HOST)
    raw = next(tmp_path.iterdir()).read_bytes()
    sent = email.message_from_bytes(raw, policy=email.policy.default)["Date"].datetime
    assert sent.tzinfo is None  # "-0000": UTC, as Django writes it
    local = sent.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Asia/Jakarta"))

    listing = client.get("/dev/mail/").content.decode()
    detail = client.get(re.search(r'href="(/dev/mail/[^"]+/0/)"', listing)[1]).content.decode()

    shown = f"{local.day} {MONTHS_ID[local.month - 1]} {local.year}, {local:%H:%M} WIB"
    assert shown in listing
    assert re.search(rf"Terkirim: \w+, {shown}", detail)  # with the day of the week
    assert sent.strftime("%a, %d %b %Y") not in detail  # not the raw header any more
    assert '<pre class="mail-text">' in detail  # wraps on a phone (site.css)


MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
