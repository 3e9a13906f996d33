"""One-time invite links to a company programme. Tenant schema.

The link is `/undangan/<token>/`. The token is derived, not stored: base64url of
HMAC-SHA256(SECRET_KEY, "<tenant uid>:<invite id>") cut to 32 characters, so the same invite
always gives the same link (the email can be re-rendered) and a token from one organiser means
nothing in another. Only sha256(token) is stored (`Invite.token_hash`) to find the invite.
The link works once (eligibility marks it used by the booking) and only for its invitee (the
booker's email must be the invite's email).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models import Invite, Message, Programme
from organizers.services.messages import outbox
from organizers.services.messages.event_keys import event_key
from tenants.context import require_current_tenant
from tenants.errors import ApplicationError, NotFoundError

TOKEN_LENGTH = 32
MAX_INVITES_PER_REQUEST = 500


def invite_token(invite: Invite) -> str:
    """The invite's link token (deterministic, tenant-bound). Tenant schema."""
    tenant = require_current_tenant()
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{tenant.uid}:{invite.id}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOKEN_LENGTH]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_find(token: str) -> Invite | None:
    """The invite this token belongs to (used, revoked or not), or None."""
    if not token or len(token) != TOKEN_LENGTH:
        return None
    return Invite.objects.select_related("programme").filter(token_hash=token_hash(token)).first()


def normalise_emails(text_or_list: str | list[str]) -> tuple[list[str], list[str]]:
    """(valid emails lower-cased and deduplicated in order, invalid entries as typed)."""
    items = (
        text_or_list.replace(",", "\n").replace(";", "\n").splitlines()
        if isinstance(text_or_list, str)
        else list(text_or_list)
    )
    valid: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for raw in items:
        email = raw.strip().strip("<>").strip()
        if not email:
            continue
        try:
            validate_email(email)
        except DjangoValidationError:
            invalid.append(raw.strip())
            continue
        email = email.lower()
        if email not in seen:
            seen.add(email)
            valid.append(email)
    return valid, invalid


def invites_create(programme: Programme, emails: str | list[str]) -> list[Invite]:
    """Create an invite per new email (deduplicated; an email that already holds an open invite
    of this programme is skipped) and record its email in the outbox. Refuses (nothing written)
    when an email is malformed or there is nothing to send."""
    if programme.kind != Programme.Kind.COMPANY:
        raise ApplicationError(
            _("Invites are for company programmes only."), code="invites_company_only"
        )
    valid, invalid = normalise_emails(emails)
    if invalid:
        raise ApplicationError(
            _("These are not email addresses: %(emails)s. Correct them and send again.")
            % {"emails": ", ".join(invalid[:10])},
            code="invalid_email",
            extra={"invalid": invalid},
        )
    if not valid:
        raise ApplicationError(
            _("Enter at least one email address, one per line."), code="no_email"
        )
    if len(valid) > MAX_INVITES_PER_REQUEST:
        raise ApplicationError(
            _("Send at most %(n)d invites at a time.") % {"n": MAX_INVITES_PER_REQUEST},
            code="too_many_invites",
        )
    open_emails = {
        e.lower()
        for e in Invite.objects.filter(
            programme=programme, used_at__isnull=True, revoked_at__isnull=True
        ).values_list("email", flat=True)
    }
    created: list[Invite] = []
    with transaction.atomic():
        for email in valid:
            if email in open_emails:
                continue
            # The token needs the id: insert with a unique placeholder, then store the real hash.
            invite = Invite.objects.create(
                programme=programme, email=email, token_hash=f"pending-{uuid.uuid4().hex}"
            )
            invite.token_hash = token_hash(invite_token(invite))
            invite.save(update_fields=["token_hash"])
            outbox.message_record(
                kind=Message.Kind.INVITE,
                invite=invite,
                event_key=event_key(Message.Kind.INVITE, invite.id),
            )
            created.append(invite)
    return created


def invite_revoke(programme: Programme, invite_id: int) -> Invite:
    """Revoke an unused invite of this programme (its link stops working)."""
    with transaction.atomic():
        invite = (
            Invite.objects.select_for_update().filter(programme=programme, id=invite_id).first()
        )
        if invite is None:
            raise NotFoundError()
        if invite.used_at is not None:
            raise ApplicationError(
                _("This invite has already been used for a booking; it cannot be revoked."),
                code="invite_used",
            )
        if invite.revoked_at is None:
            invite.revoked_at = timezone.now()
            invite.save(update_fields=["revoked_at"])
        return invite


def invite_status(invite: Invite) -> str:
    """'used', 'revoked' or 'sent'."""
    if invite.used_at is not None:
        return "used"
    if invite.revoked_at is not None:
        return "revoked"
    return "sent"
