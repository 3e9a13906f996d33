"""The review queue (public schema): the index of organisers and venues staff review, and the
claim that keeps two reviewers off one item.

The index (tenants.models.ReviewItem) is written by the services that change what it
indexes, in their transaction: the lifecycle's transitions (organisers), venue creation and
the venue decisions (venues, whose rows live in tenant schemas). The console reads only this
table: never a loop over tenant schemas at request time (DESIGN.md)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.errors import ConflictError, NotFoundError
from tenants.models import OrganizerSignup, ReviewItem, Tenant, User

# The states in which an item waits for platform staff; the queue shows these by default.
ORGANISER_WAITING = frozenset({Tenant.ReviewStatus.SUBMITTED, Tenant.ReviewStatus.IN_REVIEW})
VENUE_WAITING = frozenset({"pending"})
WAITING_STATES = ORGANISER_WAITING | VENUE_WAITING
# A claim nobody acted on for this long may be taken by another reviewer (someone went home).
CLAIM_EXPIRES = dt.timedelta(hours=4)


def _organisation_kind(tenant: Tenant) -> str:
    signup = OrganizerSignup.objects.filter(tenant=tenant).only("programme_kind").first()
    return signup.programme_kind if signup is not None else ""


def review_item_organiser_write(*, tenant: Tenant) -> ReviewItem:
    """Write the organiser's index row from the tenant as it is now (caller's transaction).
    A claim ends when the organiser stops waiting (a decision was made)."""
    defaults: dict[str, object] = {
        "name": tenant.name,
        "state": tenant.review_status,
        "waiting_since": tenant.review_status_changed_at,
        "organisation_kind": _organisation_kind(tenant),
    }
    if tenant.review_status not in ORGANISER_WAITING:
        defaults.update(claimed_by=None, claimed_at=None)
    item, _created = ReviewItem.objects.update_or_create(
        kind=ReviewItem.Kind.ORGANISER, tenant=tenant, venue_id=None, defaults=defaults
    )
    return item


def review_item_venue_write(
    *, tenant: Tenant, venue_id: int, name: str, state: str, province: str
) -> ReviewItem:
    """Write a venue's index row (any schema: the table is public). Called when a venue is
    created and whenever its status changes; `waiting_since` restarts when the state does."""
    existing = ReviewItem.objects.filter(
        kind=ReviewItem.Kind.VENUE, tenant=tenant, venue_id=venue_id
    ).first()
    defaults: dict[str, object] = {"name": name, "state": state, "province": province}
    if existing is None or existing.state != state:
        defaults["waiting_since"] = timezone.now()
    if state not in VENUE_WAITING:
        defaults.update(claimed_by=None, claimed_at=None)
    if existing is None:
        defaults["organisation_kind"] = _organisation_kind(tenant)
    item, _created = ReviewItem.objects.update_or_create(
        kind=ReviewItem.Kind.VENUE, tenant=tenant, venue_id=venue_id, defaults=defaults
    )
    return item


def review_item_claim(*, item_id: int, by: User) -> ReviewItem:
    """`by` claims the item, in one guarded UPDATE: of two reviewers claiming at once exactly
    one wins (the other's UPDATE re-reads the row after the winner commits and matches
    nothing), and the other gets ConflictError. Claiming again one's own claim is allowed; a
    claim older than CLAIM_EXPIRES can be taken over. Claiming a submitted organiser starts
    its review (organiser_review_start: submitted -> in_review)."""
    from tenants.services.lifecycle import organiser_review_start

    now = timezone.now()
    with transaction.atomic():
        won = (
            ReviewItem.objects.filter(id=item_id, state__in=WAITING_STATES)
            .filter(
                Q(claimed_by__isnull=True)
                | Q(claimed_by=by)
                | Q(claimed_at__lt=now - CLAIM_EXPIRES)
            )
            .update(claimed_by=by, claimed_at=now)
        )
        if not won:
            if not ReviewItem.objects.filter(id=item_id, state__in=WAITING_STATES).exists():
                raise NotFoundError(_("This item is not waiting for review."))
            raise ConflictError(
                _("Another reviewer has claimed this item."), code="claimed_by_another"
            )
        item = ReviewItem.objects.select_related("tenant").get(id=item_id)
        if item.kind == ReviewItem.Kind.ORGANISER and item.state == "submitted":
            organiser_review_start(tenant=item.tenant, by=by)
            item.refresh_from_db()
    return item


def review_item_release(*, item_id: int, by: User) -> None:
    """Give up one's own claim (an item another holds is left alone)."""
    ReviewItem.objects.filter(id=item_id, claimed_by=by).update(claimed_by=None, claimed_at=None)


def review_item_decide(*, item_id: int, by: User, decision: str, reason: str = "") -> ReviewItem:
    """A reviewer's decision on an item they hold the claim of: approve, request_changes,
    reject (organisers and venues), suspend, reinstate. Refused (ConflictError, nothing
    changed) when the claim is not theirs for a waiting item; suspend and reinstate act on an
    approved or suspended item and need no claim."""
    from tenants.services import lifecycle, venue_review

    item = ReviewItem.objects.select_related("tenant").filter(id=item_id).first()
    if item is None:
        raise NotFoundError()
    if item.state in WAITING_STATES and item.claimed_by_id != by.id:
        raise ConflictError(_("Claim this item before you decide."), code="not_claimed")
    if item.kind == ReviewItem.Kind.ORGANISER:
        services = {
            "approve": lifecycle.organiser_approve,
            "request_changes": lifecycle.organiser_request_changes,
            "reject": lifecycle.organiser_reject,
            "suspend": lifecycle.organiser_suspend,
            "reinstate": lifecycle.organiser_reinstate,
        }
        if decision not in services:
            raise ConflictError(_("Unknown decision."), code="invalid")
        services[decision](tenant=item.tenant, by=by, reason=reason)
    else:
        venue_review.venue_decide(
            tenant=item.tenant,
            venue_id=int(item.venue_id or 0),  # never empty for a venue: a check constraint
            decision=decision,
            by=by,
            reason=reason,
        )
    item.refresh_from_db()
    return item
