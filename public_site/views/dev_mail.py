"""A local-only mail viewer (/dev/mail/ on the root domain, only with DEBUG): the embedded
defaults write every email to files under var/mail/ (Django's file backend: raw MIME), which a
person cannot read comfortably. This page lists them and shows the HTML (with its inline QR
code), the plain text and the attachments (PDF, calendar file) to open or download.

Every view answers 404 unless DEBUG is on (local settings only; production refuses DEBUG) and
the client is on the loopback interface: no sign-in, so it shows this computer's own outgoing
mail to this computer only, even when `./sentra run` listens on a network address."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
FILE_NAME = re.compile(r"^[\w.-]+\.log$")
LIST_LIMIT = 200
# The people who run Sentra locally read times as in Jakarta, not the UTC of the Date header.
LOCAL_ZONE = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class StoredMail:
    file: str
    index: int
    message: EmailMessage

    @property
    def url(self) -> str:
        return reverse("dev_mail_detail", args=[self.file, self.index])

    @property
    def sent_at(self) -> str:
        """The Date header in Jakarta time, e.g. "Kamis, 26 November 2026, 23:54 WIB"."""
        header = self.message["Date"]
        moment = getattr(header, "datetime", None)
        if not isinstance(moment, dt.datetime):
            return str(header or "")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return f"{date_format(moment.astimezone(LOCAL_ZONE), 'l, j F Y, H:i')} WIB"


def _mail_dir(request: HttpRequest) -> Path:
    if not settings.DEBUG or not _from_this_computer(request):
        raise Http404("local only")
    return Path(settings.EMAIL_FILE_PATH)


def _from_this_computer(request: HttpRequest) -> bool:
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _read(path: Path) -> list[EmailMessage]:
    chunks = [chunk.strip(b"\n") for chunk in path.read_bytes().split(SEPARATOR)]
    return [
        email.message_from_bytes(chunk, policy=email.policy.default) for chunk in chunks if chunk
    ]


def _stored(request: HttpRequest, file: str, index: int) -> StoredMail:
    folder = _mail_dir(request)
    if not FILE_NAME.match(file) or not (folder / file).is_file():
        raise Http404("no such file")
    messages = _read(folder / file)
    if not 0 <= index < len(messages):
        raise Http404("no such message")
    return StoredMail(file, index, messages[index])


def dev_mail_list(request: HttpRequest) -> HttpResponse:
    folder = _mail_dir(request)
    files = sorted(
        (path for path in folder.glob("*.log") if FILE_NAME.match(path.name)),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )[:LIST_LIMIT]
    mails = [
        StoredMail(path.name, index, message)
        for path in files
        for index, message in enumerate(_read(path))
    ]
    return render(request, "public_site/dev_mail_list.html", {"mails": mails[:LIST_LIMIT]})


def dev_mail_detail(request: HttpRequest, file: str, index: int) -> HttpResponse:
    stored = _stored(request, file, index)
    message = stored.message
    parts = list(message.walk())
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    html = html_part.get_content() if html_part is not None else ""
    attachments = []
    for number, part in enumerate(parts):
        if part.is_multipart():
            continue
        url = reverse("dev_mail_part", args=[file, index, number])
        content_id = (part["Content-ID"] or "").strip("<>")
        if content_id:  # inline images: point the HTML's cid: links at this page's part
            html = html.replace(f"cid:{content_id}", url)
        if part.get_filename():
            attachments.append(
                {"name": part.get_filename(), "type": part.get_content_type(), "url": url}
            )
    return render(
        request,
        "public_site/dev_mail_detail.html",
        {
            "mail": stored,
            "subject": message["Subject"],
            "to": message["To"],
            "sender": message["From"],
            "date": stored.sent_at,
            "html": html,
            "text": text_part.get_content() if text_part is not None else "",
            "attachments": attachments,
        },
    )


def dev_mail_part(request: HttpRequest, file: str, index: int, number: int) -> HttpResponse:
    parts = list(_stored(request, file, index).message.walk())
    if not 0 <= number < len(parts) or parts[number].is_multipart():
        raise Http404("no such part")
    part = parts[number]
    response = HttpResponse(part.get_payload(decode=True), content_type=part.get_content_type())
    if part.get_filename():
        disposition = "inline" if part.get_content_type() == "application/pdf" else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{part.get_filename()}"'
    response["Content-Security-Policy"] = "sandbox"
    return response
