"""The review queue: the index written by the services that change a status, the claim that
keeps two reviewers off one item (proven with real threads on committed data), decisions
only by the claim's holder, the queue oldest first with its filters and working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connections
from django.utils import timezone

from organizers.models import Venue
from organizers.services.venues import venue_create, venue_update
from tenants.context import tenant_scope
from tenants.errors import ConflictError, NotFoundError
from tenants.models import AuditEntry, ReviewItem, Tenant, User
from tenants.review_selectors import review_queue_list, working_days_between
from tenants.services.review_queue import (
    review_item_claim,
    review_item_decide,
    review_item_release,
)
from tests.conftest import OrganizerFixture
from tests.organizers.concurrency import run_at_once

WIB = dt.timezone(dt.timedelta(hours=7))


def _submitted(organizer: OrganizerFixture) -> ReviewItem:
    from tenants.services.lifecycle import organiser_submit

    Tenant.objects.filter(pk=organizer.tenant.pk).update(review_status="draft")
    organiser_submit(tenant=Tenant.objects.get(pk=organizer.tenant.pk), by=organizer.owner)
    return ReviewItem.objects.get(kind="organiser", tenant=organizer.tenant)


def _venue(organizer: OrganizerFixture, name: str = "Klinik Utama") -> Venue:
    with tenant_scope(organizer.tenant):
        return venue_create(
            name=name, address="Jl. Merdeka 1", city="Bandung", province="Jawa Barat"
        )


def test_a_new_venue_is_indexed_as_waiting(tenant_a: OrganizerFixture) -> None:
    venue = _venue(tenant_a)

    item = ReviewItem.objects.get(kind="venue", tenant=tenant_a.tenant, venue_id=venue.id)
    assert (item.name, item.state, item.province) == ("Klinik Utama", "pending", "Jawa Barat")


def test_claiming_a_submitted_organiser_starts_its_review(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    item = _submitted(tenant_a)

    claimed = review_item_claim(item_id=item.id, by=staff)

    assert (claimed.claimed_by_id, claimed.state) == (staff.id, "in_review")
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).review_status == "in_review"


def test_a_second_reviewer_cannot_claim_nor_decide(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    first = make_user("first@sentra.test", is_staff=True)
    second = make_user("second@sentra.test", is_staff=True)
    item = _submitted(tenant_a)
    review_item_claim(item_id=item.id, by=first)

    with pytest.raises(ConflictError) as claimed:
        review_item_claim(item_id=item.id, by=second)
    with pytest.raises(ConflictError) as decided:
        review_item_decide(item_id=item.id, by=second, decision="approve")

    assert (claimed.value.code, decided.value.code) == ("claimed_by_another", "not_claimed")
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).review_status == "in_review"
    assert ReviewItem.objects.get(id=item.id).claimed_by_id == first.id


def test_a_released_or_stale_claim_can_be_taken(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    first = make_user("first@sentra.test", is_staff=True)
    second = make_user("second@sentra.test", is_staff=True)
    item = _submitted(tenant_a)
    review_item_claim(item_id=item.id, by=first)

    review_item_release(item_id=item.id, by=first)
    assert review_item_claim(item_id=item.id, by=second).claimed_by_id == second.id

    ReviewItem.objects.filter(id=item.id).update(claimed_at=timezone.now() - dt.timedelta(hours=5))
    assert review_item_claim(item_id=item.id, by=first).claimed_by_id == first.id


def test_an_item_not_waiting_cannot_be_claimed(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    item = ReviewItem.objects.get(kind="organiser", tenant=tenant_a.tenant)  # approved

    with pytest.raises(NotFoundError):
        review_item_claim(item_id=item.id, by=staff)

    assert ReviewItem.objects.get(id=item.id).claimed_by_id is None


def test_the_claim_holder_decides_and_the_claim_ends(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    item = _submitted(tenant_a)
    review_item_claim(item_id=item.id, by=staff)

    decided = review_item_decide(
        item_id=item.id, by=staff, decision="request_changes", reason="NIB buram"
    )

    assert (decided.state, decided.claimed_by_id) == ("changes_requested", None)
    assert AuditEntry.objects.filter(tenant=tenant_a.tenant).latest("id").reason == "NIB buram"


def test_venue_decisions_through_the_queue(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    venue = _venue(tenant_a)
    item = ReviewItem.objects.get(kind="venue", venue_id=venue.id, tenant=tenant_a.tenant)
    review_item_claim(item_id=item.id, by=staff)

    review_item_decide(item_id=item.id, by=staff, decision="request_changes", reason="Foto")
    with tenant_scope(tenant_a.tenant):
        assert Venue.objects.get(id=venue.id).status == "changes_requested"
        # The organiser fixes the venue: it waits for review again.
        venue_update(venue=Venue.objects.get(id=venue.id), address="Jl. Merdeka 2")
        assert Venue.objects.get(id=venue.id).status == "pending"
    assert ReviewItem.objects.get(id=item.id).state == "pending"

    review_item_claim(item_id=item.id, by=staff)
    review_item_decide(item_id=item.id, by=staff, decision="approve")

    with tenant_scope(tenant_a.tenant):
        assert Venue.objects.get(id=venue.id).status == "approved"
    assert list(
        AuditEntry.objects.filter(target_type="organizers.venue", target_id=str(venue.id))
        .order_by("id")
        .values_list("action", "before", "after")
    ) == [
        (
            "venue.request_changes",
            {"status": "pending", "name": "Klinik Utama"},
            {"status": "changes_requested", "name": "Klinik Utama"},
        ),
        (
            "venue.approve",
            {"status": "pending", "name": "Klinik Utama"},
            {"status": "approved", "name": "Klinik Utama"},
        ),
    ]


def test_the_queue_is_oldest_first_and_filters(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    # Venues that earlier tests left waiting (committed) are not this test's.
    ReviewItem.objects.filter(kind="venue", tenant__in=[tenant_a.tenant, tenant_b.tenant]).delete()
    organiser = _submitted(tenant_a)
    bandung = _venue(tenant_b, "Bandung")
    jakarta = ReviewItem.objects.create(
        kind="venue",
        tenant=tenant_b.tenant,
        venue_id=987654,
        name="Jakarta",
        state="pending",
        province="DKI Jakarta",
        waiting_since=timezone.now() - dt.timedelta(days=10),
    )
    bandung_item = ReviewItem.objects.get(venue_id=bandung.id, tenant=tenant_b.tenant)

    # Only these two organisers' items: other tests may leave committed organisers behind.
    ours = {tenant_a.tenant.id, tenant_b.tenant.id}

    def ids(rows: list) -> list[int]:
        return [row.item.id for row in rows if row.item.tenant_id in ours]

    everything = ids(review_queue_list())
    venues = ids(review_queue_list(kind="venue"))
    in_jakarta = ids(review_queue_list(province="DKI Jakarta"))
    in_review = ids(review_queue_list(states=frozenset({"in_review"})))
    approved = {row.item.id for row in review_queue_list(states=frozenset({"approved"}))}

    assert everything == [jakarta.id, organiser.id, bandung_item.id]
    assert venues == [jakarta.id, bandung_item.id]
    assert in_jakarta == [jakarta.id]
    assert in_review == []
    assert ReviewItem.objects.get(kind="organiser", tenant=tenant_b.tenant).id in approved
    assert review_queue_list(province="DKI Jakarta")[0].overdue


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # Friday 09:00 to Monday 09:00 WIB: one working day, the weekend left out.
        (dt.datetime(2026, 12, 4, 9, tzinfo=WIB), dt.datetime(2026, 12, 7, 9, tzinfo=WIB), 1.0),
        # Monday 09:00 to Wednesday 21:00: two and a half.
        (dt.datetime(2026, 12, 7, 9, tzinfo=WIB), dt.datetime(2026, 12, 9, 21, tzinfo=WIB), 2.5),
        (dt.datetime(2026, 12, 5, 9, tzinfo=WIB), dt.datetime(2026, 12, 6, 9, tzinfo=WIB), 0.0),
    ],
)
def test_working_days(start: dt.datetime, end: dt.datetime, days: float) -> None:
    assert working_days_between(start, end) == pytest.approx(days)


def test_of_reviewers_claiming_at_once_exactly_one_wins(
    committed: Callable[[Callable], None], django_db_blocker: pytest.FixtureRequest
) -> None:
    alpha = Tenant.objects.get(slug="alpha")
    reviewers = [
        User.objects.create_user(f"racer{i}@sentra.test", "x", is_staff=True) for i in range(6)
    ]
    committed(lambda: User.objects.filter(id__in=[r.id for r in reviewers]).delete())
    item = ReviewItem.objects.create(
        kind="venue", tenant=alpha, venue_id=424242, name="Race", state="pending"
    )
    committed(lambda: ReviewItem.objects.filter(id=item.id).delete())

    def claim(index: int) -> str:
        try:
            review_item_claim(item_id=item.id, by=reviewers[index])
        except ConflictError as exc:
            return exc.code
        return "won"

    outcomes = run_at_once(6, claim)
    connections.close_all()

    assert outcomes == {"won": 1, "claimed_by_another": 5}
    winner = ReviewItem.objects.get(id=item.id).claimed_by_id
    assert winner in {r.id for r in reviewers}
