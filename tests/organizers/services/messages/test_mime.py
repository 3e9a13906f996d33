"""The email a message becomes: text and HTML, the QR code inline, the PDF and calendar
attached, and the organiser's colour, contact and reply-to address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core import mail

from organizers.models import Message
from organizers.services.messages import outbox
from organizers.services.vouchers.rendering import voucher_qr_png
from organizers.services.vouchers.signed_token import voucher_token_issue, voucher_token_verify
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.messages.factories import NIK, book, parsed_email
from tests.organizers.services.vouchers.file_readers import ics_lines, pdf_text


def test_voucher_email_in_indonesian_with_both_parts_attachments_and_the_qr_inline(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book()
        message = Message.objects.get(booking=booking)

        status = outbox.message_deliver(message_id=message.id)

        token = voucher_token_issue(booking)
        expected_qr = voucher_qr_png(token)
    (sent,) = mail.outbox
    html = sent.alternatives[0].content
    assert status == "sent"
    assert sent.to == ["siti@example.id"]
    assert sent.subject == f"E-voucher vaksinasi Anda: {booking.voucher_code}"
    assert "Alpha Clinic" in sent.from_email
    for part in (sent.body, html):
        assert "Puskesmas Cempaka" in part
        assert "Jl. Cempaka 1" in part
        assert "10:00-10:30 WITA" in part
        assert "Dosis pertama" in part
        assert "Sinovac (CoronaVac)" in part
        assert "KTP" in part
        assert booking.voucher_code in part
        assert "3273••••••••0002" in part
        assert NIK not in part
        assert f"http://{tenant_a.host}:8000/janji/masuk/" in part
    assert sent.alternatives[0].mimetype == "text/html"
    assert 'src="cid:voucher-qr"' in html
    parsed = parsed_email(sent)
    assert parsed.get_content_type() == "multipart/mixed"
    related = next(p for p in parsed.walk() if p.get_content_type() == "multipart/related")
    qr = next(p for p in related.walk() if p.get_content_type() == "image/png")
    assert qr["Content-ID"] == "<voucher-qr>"
    assert qr.get_content() == expected_qr  # the QR holds exactly the token that verifies
    voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)
    files = {p.get_filename(): p for p in parsed.iter_attachments() if p.get_filename()}
    pdf = files[f"e-voucher-{booking.voucher_code}.pdf"].get_content()
    assert pdf.startswith(b"%PDF")
    assert "Siti Aminah" in pdf_text(pdf)
    ics = files[f"vaksinasi-{booking.voucher_code}.ics"]
    assert ics.get_content_type() == "text/calendar"
    fields = dict(line.split(":", 1) for line in ics_lines(ics.get_payload(decode=True).decode()))
    assert fields["DTSTART"] == booking.slot.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with tenant_scope(tenant_a.tenant):
        message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.sent_at is not None


def test_email_carries_the_organisers_colour_and_contact(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    from organizers.services.branding.editing import branding_draft, branding_update

    with tenant_scope(tenant_a.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            branding_update(
                draft=branding_draft(
                    primary_colour="#7b1fa2",
                    contact_email="halo@alpha.test",
                    contact_phone="0812 3456 7890",
                )
            )
        booking = book()
        outbox.message_deliver(message_id=Message.objects.get(booking=booking).id)

    (sent,) = mail.outbox
    html = sent.alternatives[0].content
    assert "background:#7b1fa2" in html
    assert "halo@alpha.test" in sent.body
    assert "https://wa.me/6281234567890" in sent.body
    assert sent.reply_to == ["halo@alpha.test"]
