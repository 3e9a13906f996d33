"""Proving an email address with a 6-digit one-time code (booking pages). Tenant schema.

A company programme that admits people by their email domain must know the booker owns the
address: the booking pages email a code and wait for it before the booking is made.

The code goes out through the outbox (a Message of kind EMAIL_CODE, delivered by the same
Celery task as every other message). Neither the database nor the task ever holds the code:
the message's event_key carries a random nonce, and the code is an HMAC of this organiser and
that nonce under the server's secret, computed again when the email is written. The session
keeps only a keyed hash of the code bound to this organiser and address, its expiry and the
number of tries.

Sending is limited three ways: once a minute per session and address (a person asking again),
SENDS_PER_ADDRESS an hour to one address from any session or organiser (nobody's inbox is
flooded through us), and SENDS_PER_CLIENT an hour from one client address. Each send is
counted before it is made (proof_limits.failure_count_add, atomic on Redis).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from organizers.models import Message
from organizers.services.messages.event_keys import event_key, event_key_parts
from tenants.context import require_current_tenant
from tenants.errors import ApplicationError

CODE_SECONDS = 15 * 60
MAX_TRIES = 5
RESEND_SECONDS = 60
SENDS_PER_ADDRESS = 5
SENDS_PER_CLIENT = 20
SENDS_WINDOW_SECONDS = 3600


class EmailCodeError(ApplicationError):
    status_code = 400


class EmailCodeLimitError(EmailCodeError):
    status_code = 429


def _code_for(nonce: str) -> str:
    tenant = require_current_tenant()
    digest = salted_hmac("sentra.email-code", f"{tenant.uid}:{nonce}").hexdigest()
    return f"{int(digest[:15], 16) % 1_000_000:06d}"


def _hash(code: str, email: str) -> str:
    tenant = require_current_tenant()
    value = f"{tenant.uid}:{email.strip().lower()}:{code}"
    return salted_hmac("sentra.email-code.check", value).hexdigest()


def email_code_send(
    *,
    email: str,
    language: str,
    client: str,
    previous: dict[str, Any] | None = None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Record the code's email (delivered after the commit) and return the session state that
    checks it. A new code at most once a minute for the same address in a session
    (EmailCodeError `email_code_wait` otherwise), and within the hourly limits per address and
    per `client` (the client's IP address; `email_code_limit`, nothing sent). A new code
    replaces the old one and resets the tries."""
    email = email.strip().lower()
    if previous and previous.get("email") == email:
        wait = previous.get("sent_at", 0) + RESEND_SECONDS - now.timestamp()
        if wait > 0:
            raise EmailCodeError(
                _("A code was sent less than a minute ago. Wait %(seconds)d seconds and try again.")
                % {"seconds": int(wait) + 1},
                code="email_code_wait",
            )
    _sends_within_limits(email=email, client=client)
    nonce = secrets.token_urlsafe(18)
    with transaction.atomic():
        Message.objects.create(
            kind=Message.Kind.EMAIL_CODE,
            event_key=event_key(Message.Kind.EMAIL_CODE, nonce),
            to_email=email,
            language=language or "id",
            created_at=now,
        )
        from organizers.services.messages.relay import outbox_wake_after_commit

        outbox_wake_after_commit()
    return {
        "tenant": str(require_current_tenant().uid),
        "email": email,
        "hash": _hash(_code_for(nonce), email),
        "sent_at": now.timestamp(),
        "expires_at": now.timestamp() + CODE_SECONDS,
        "tries": 0,
    }


def _sends_within_limits(*, email: str, client: str) -> None:
    from organizers.services.eligibility.proof_limits import failure_count_add

    to_address = failure_count_add(f"email-code-to:{email}", window_seconds=SENDS_WINDOW_SECONDS)
    from_client = failure_count_add(
        f"email-code-from:{client}", window_seconds=SENDS_WINDOW_SECONDS
    )
    if to_address > SENDS_PER_ADDRESS or from_client > SENDS_PER_CLIENT:
        raise EmailCodeLimitError(
            _(
                "Too many codes were asked for. Try again in an hour, or ask the organiser "
                "for help."
            ),
            code="email_code_limit",
        )


def email_code_check(*, state: dict[str, Any], email: str, code: str, now: dt.datetime) -> None:
    """Raise EmailCodeError unless `code` is the one sent to `email` (not expired, fewer than
    MAX_TRIES wrong tries). Counts the try in `state` (the caller saves it)."""
    if state.get("tenant") != str(require_current_tenant().uid) or state.get("email") != (
        email.strip().lower()
    ):
        raise EmailCodeError(_("Ask for a new code."), code="email_code_missing")
    if state.get("tries", 0) >= MAX_TRIES:
        raise EmailCodeError(
            _("Too many wrong codes. Ask for a new code and try again."),
            code="email_code_too_many_tries",
        )
    if now.timestamp() >= state.get("expires_at", 0):
        raise EmailCodeError(
            _("This code has expired (a code works for 15 minutes). Ask for a new code."),
            code="email_code_expired",
        )
    state["tries"] = state.get("tries", 0) + 1
    given = "".join(ch for ch in code if ch.isdigit())
    if not hmac.compare_digest(_hash(given, email), state.get("hash", "")):
        left = MAX_TRIES - state["tries"]
        if left <= 0:
            raise EmailCodeError(
                _("Too many wrong codes. Ask for a new code and try again."),
                code="email_code_too_many_tries",
            )
        raise EmailCodeError(
            _("This code is not right. Check the email and try again (%(left)d tries left).")
            % {"left": left},
            code="email_code_wrong",
        )


def email_code_content(message: Message) -> Any:
    """The email with the code (messages.content.message_content calls this for EMAIL_CODE)."""
    from organizers.services.messages.content import EmailContent

    (nonce,) = event_key_parts(message.event_key, kind=Message.Kind.EMAIL_CODE)
    code = _code_for(nonce)
    return EmailContent(
        subject=_("Your code: %(code)s") % {"code": code},
        headline=_("Confirm your email address"),
        paragraphs=[
            _("Enter this code on the booking page to confirm your email address: %(code)s")
            % {"code": code},
            _(
                "The code works for 15 minutes. Did you not try to book a vaccination? Then you "
                "can ignore this email."
            ),
        ],
    )
