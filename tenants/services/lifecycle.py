"""The organiser's lifecycle: one service per transition (public schema).

    draft -> submitted -> in_review -> approved / changes_requested / rejected
    changes_requested -> submitted (the organiser fixes and resubmits)
    approved -> suspended -> approved (reinstated)

Each service, in one transaction: locks the tenant row, checks the current state (a refusal
changes nothing and raises TransitionNotAllowedError), moves it, updates the review queue's index
row (tenants.services.review_queue), appends the audit entry (who, what, before, after,
reason) and, after commit, emails the organiser's owners in their own language
(tenants.tasks.lifecycle_email_send). Only `approved` takes bookings (Tenant.takes_bookings).

A change is seen by the booking pages, API and rush front of every process within
TENANT_HOST_CACHE_SECONDS (the host -> tenant cache of tenants.middleware)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.context import enqueue_after_commit
from tenants.errors import ApplicationError
from tenants.models import Tenant, User
from tenants.services.audit import audit_record

Status = Tenant.ReviewStatus

# action -> (states it may start from, state it ends in, a reason is required)
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    "submit": (frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}), Status.SUBMITTED, False),
    "review_start": (frozenset({Status.SUBMITTED}), Status.IN_REVIEW, False),
    "approve": (frozenset({Status.IN_REVIEW}), Status.APPROVED, False),
    "request_changes": (frozenset({Status.IN_REVIEW}), Status.CHANGES_REQUESTED, True),
    "reject": (frozenset({Status.IN_REVIEW}), Status.REJECTED, True),
    "suspend": (frozenset({Status.APPROVED}), Status.SUSPENDED, True),
    "reinstate": (frozenset({Status.SUSPENDED}), Status.APPROVED, True),
}


class TransitionNotAllowedError(ApplicationError):
    """The organiser is not in a state this transition starts from, or a reason is missing."""

    status_code = 409


def _transition(*, tenant: Tenant, action: str, by: User | None, reason: str = "") -> Tenant:
    from tenants.services.review_queue import review_item_organiser_write

    sources, target, reason_required = TRANSITIONS[action]
    reason = reason.strip()
    if reason_required and not reason:
        raise TransitionNotAllowedError(_("Give a reason."), code="reason_required")
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = locked.review_status
        if before not in sources:
            raise TransitionNotAllowedError(
                _("This organiser is %(state)s: it cannot be changed this way now.")
                % {"state": Status(before).label if before in Status.values else before},
                code="wrong_state",
            )
        locked.review_status = target
        locked.review_status_changed_at = timezone.now()
        locked.save(update_fields=["review_status", "review_status_changed_at"])
        review_item_organiser_write(tenant=locked)
        entry = audit_record(
            actor=by,
            action=f"organiser.{action}",
            target=locked,
            before={"review_status": before},
            after={"review_status": target},
            reason=reason,
        )
        from tenants.tasks import lifecycle_email_send

        enqueue_after_commit(lifecycle_email_send, entry.pk)
    tenant.review_status = locked.review_status
    tenant.review_status_changed_at = locked.review_status_changed_at
    return locked


def organiser_submit(*, tenant: Tenant, by: User) -> Tenant:
    """The organiser's owner submits its application (draft or changes requested ->
    submitted). Called by the application's submit (applications.services), which checks
    first that the application is complete."""
    return _transition(tenant=tenant, action="submit", by=by)


def organiser_review_start(*, tenant: Tenant, by: User) -> Tenant:
    """A reviewer takes a submitted application (submitted -> in_review): the console's claim."""
    return _transition(tenant=tenant, action="review_start", by=by)


def organiser_approve(*, tenant: Tenant, by: User, reason: str = "") -> Tenant:
    """In review -> approved: the organiser takes bookings from now on."""
    return _transition(tenant=tenant, action="approve", by=by, reason=reason)


def organiser_request_changes(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    """In review -> changes requested, with the reason the owner reads; it resubmits."""
    return _transition(tenant=tenant, action="request_changes", by=by, reason=reason)


def organiser_reject(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    """In review -> rejected, with the reason. Final: the organiser never takes bookings."""
    return _transition(tenant=tenant, action="reject", by=by, reason=reason)


def organiser_suspend(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    """Approved -> suspended: no new bookings; existing bookings, vouchers and check-in keep
    working (they do not ask Tenant.takes_bookings)."""
    return _transition(tenant=tenant, action="suspend", by=by, reason=reason)


def organiser_reinstate(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    """Suspended -> approved: bookings open again."""
    return _transition(tenant=tenant, action="reinstate", by=by, reason=reason)
