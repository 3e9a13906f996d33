"""Platform staff's decisions on a venue (the venue lives in its organiser's schema; its
review index row and the audit entry in the public schema). Only approved venues take
bookings (organizers.bookability)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenants.context import enqueue_after_commit, tenant_scope
from tenants.errors import NotFoundError
from tenants.models import Tenant, User
from tenants.services.audit import audit_record
from tenants.services.lifecycle import TransitionNotAllowedError

# decision -> (statuses it may start from, status it ends in, a reason is required); values
# of organizers.models.Venue.Status.
VENUE_DECISIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    "approve": (frozenset({"pending"}), "approved", False),
    "request_changes": (frozenset({"pending"}), "changes_requested", True),
    "reject": (frozenset({"pending"}), "rejected", True),
    "suspend": (frozenset({"approved"}), "suspended", True),
    "reinstate": (frozenset({"suspended"}), "approved", True),
}


def venue_decide(
    *, tenant: Tenant, venue_id: int, decision: str, by: User, reason: str = ""
) -> None:
    """Decide on one venue of `tenant`: runs in the tenant's schema (tenants.context), one
    transaction: lock the venue, check its status, change it, write the review index row and
    the audit entry; after commit, email the organiser's owners. Refusals change nothing."""
    from organizers.models import Venue
    from tenants.services.review_queue import review_item_venue_write
    from tenants.tasks import lifecycle_email_send

    if decision not in VENUE_DECISIONS:
        raise TransitionNotAllowedError(_("Unknown decision."), code="invalid")
    sources, target, reason_required = VENUE_DECISIONS[decision]
    reason = reason.strip()
    if reason_required and not reason:
        raise TransitionNotAllowedError(_("Give a reason."), code="reason_required")
    with tenant_scope(tenant), transaction.atomic():
        venue = Venue.objects.select_for_update().filter(id=venue_id).first()
        if venue is None:
            raise NotFoundError()
        before = venue.status
        if before not in sources:
            raise TransitionNotAllowedError(
                _("This venue is %(state)s: it cannot be changed this way now.")
                % {"state": venue.get_status_display()},
                code="wrong_state",
            )
        venue.status = target
        venue.save(update_fields=["status"])
        review_item_venue_write(
            tenant=tenant,
            venue_id=venue.id,
            name=venue.name,
            state=target,
            province=venue.province,
        )
        entry = audit_record(
            actor=by,
            action=f"venue.{decision}",
            target=venue,
            tenant=tenant,
            before={"status": before, "name": venue.name},
            after={"status": target, "name": venue.name},
            reason=reason,
        )
        enqueue_after_commit(lifecycle_email_send, entry.pk)
