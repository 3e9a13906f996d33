"""The email a message becomes: plain text and HTML from the templates, the QR code and the
organiser's logo inline (cid:), the PDF and the calendar attached, sent from the organiser's
name. Tenant schema. What the email says is organizers.services.messages.content.
"""

from __future__ import annotations

from email.encoders import encode_base64
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.utils import translation

from organizers.models import Message
from organizers.services.branding.display import branding_for_email
from organizers.services.messages.content import EmailBranding, message_content


class _EmailWithInlineImages(EmailMultiAlternatives):
    """multipart/mixed [ multipart/related [ multipart/alternative [text, html], images ],
    attachments ]: the HTML shows the QR code by cid: and the files stay attachments."""

    def __init__(self, *args: Any, inline_images: list[MIMEImage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inline_images = inline_images

    def _create_alternatives(self, msg):  # Django's private hook, see EmailMultiAlternatives
        # Not in django-stubs (private); present in the pinned Django 5.2.
        msg = super()._create_alternatives(msg)  # type: ignore[misc]
        if not self.inline_images:
            return msg
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding)
        related.attach(msg)
        for image in self.inline_images:
            related.attach(image)
        return related


QR_CID = "voucher-qr"


def _email_branding() -> EmailBranding:
    """The organiser's colours, logo (inline, by cid:) and contact
    (organizers.services.branding); Sentra's colours when the organiser chose none."""
    found = branding_for_email()
    return EmailBranding(
        organizer_name=found["organizer_name"],
        colour=found["primary_colour"],
        ink=found["ink_colour"],
        text_colour=found["text_colour"],
        logo_png=found["logo_png"],
        logo_cid=found["logo_cid"] or "",
        contact_email=found["contact_email"] or "",
        contact_phone=found["contact_phone"] or "",
        whatsapp_url=found["whatsapp_url"] or "",
    )


def _sender(organizer_name: str) -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{organizer_name} via Sentra", address))


def message_email(message: Message) -> EmailMultiAlternatives:
    """The email of a message, in the message's language: plain text and HTML, the QR code
    inline (cid:), the PDF and calendar attached. Tenant schema."""
    with translation.override(message.language or "id"):
        branding = _email_branding()
        content = message_content(message, branding=branding)
        context = {"content": content, "branding": branding, "qr_cid": QR_CID}
        text = render_to_string("organizers/email/person.txt", context)
        html = render_to_string("organizers/email/person.html", context)
    images = []
    if content.qr_png is not None:
        images.append(_inline_png(content.qr_png, cid=QR_CID, filename="qr.png"))
    if branding.logo_png is not None:
        images.append(_inline_png(branding.logo_png, cid=branding.logo_cid, filename="logo.png"))
    email = _EmailWithInlineImages(
        subject=content.subject,
        body=text,
        from_email=_sender(branding.organizer_name),
        to=[message.to_email],
        reply_to=[branding.contact_email] if branding.contact_email else None,
        headers={"Auto-Submitted": "auto-generated"},
        inline_images=images,
    )
    email.attach_alternative(html, "text/html")
    for filename, payload, mimetype in content.attachments:
        if mimetype == "text/calendar":
            email.attach(_calendar_part(filename, payload))
        else:
            email.attach(filename, payload, mimetype)
    return email


def _inline_png(content: bytes, *, cid: str, filename: str) -> MIMEImage:
    image = MIMEImage(content, "png")
    image.add_header("Content-ID", f"<{cid}>")
    image.add_header("Content-Disposition", "inline", filename=filename)
    return image


def _calendar_part(filename: str, ics: bytes | str) -> MIMEBase:
    """Base64, so that the calendar's CRLF line endings (RFC 5545) arrive as they were. The
    part's method is the calendar's own (PUBLISH, or CANCEL for a cancellation)."""
    text = ics.decode() if isinstance(ics, bytes) else ics
    method = "CANCEL" if "\r\nMETHOD:CANCEL\r\n" in text else "PUBLISH"
    part = MIMEBase("text", "calendar", method=method, charset="utf-8")
    part.set_payload(ics.encode() if isinstance(ics, str) else ics)
    encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part
