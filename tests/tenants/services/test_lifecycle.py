"""The organiser's lifecycle: every transition from every state, allowed or refused; the
audit entry and the email of each; nothing written on a refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import translation

from tenants.models import AuditEntry, ReviewItem, Tenant, User
from tenants.services import lifecycle
from tenants.services.lifecycle import TRANSITIONS, TransitionNotAllowedError
from tenants.services.lifecycle_emails import lifecycle_email_deliver
from tests.conftest import OrganizerFixture

SERVICES: dict[str, Callable[..., Tenant]] = {
    "submit": lifecycle.organiser_submit,
    "review_start": lifecycle.organiser_review_start,
    "approve": lifecycle.organiser_approve,
    "request_changes": lifecycle.organiser_request_changes,
    "reject": lifecycle.organiser_reject,
    "suspend": lifecycle.organiser_suspend,
    "reinstate": lifecycle.organiser_reinstate,
}
REASONED = {"request_changes", "reject", "suspend", "reinstate"}
CASES = [
    (action, state, state in sources, target)
    for action, (sources, target, _reason) in TRANSITIONS.items()
    for state in Tenant.ReviewStatus.values
]


def _in_state(organizer: OrganizerFixture, state: str) -> Tenant:
    Tenant.objects.filter(pk=organizer.tenant.pk).update(review_status=state)
    return Tenant.objects.get(pk=organizer.tenant.pk)


def _call(action: str, tenant: Tenant, by: User) -> Tenant:
    if action in REASONED:
        return SERVICES[action](tenant=tenant, by=by, reason="NIB tidak terbaca")
    return SERVICES[action](tenant=tenant, by=by)


def test_every_transition_has_a_service() -> None:
    assert set(SERVICES) == set(TRANSITIONS)


@pytest.mark.parametrize(("action", "state", "allowed", "target"), CASES)
def test_transition_from_each_state(
    tenant_a: OrganizerFixture,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Callable,
    action: str,
    state: str,
    allowed: bool,
    target: str,
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    tenant = _in_state(tenant_a, state)
    entries = AuditEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=False) as emails:
        if allowed:
            _call(action, tenant, staff)
        else:
            with pytest.raises(TransitionNotAllowedError) as refused:
                _call(action, tenant, staff)

    after = Tenant.objects.get(pk=tenant.pk)
    if not allowed:
        assert refused.value.code == "wrong_state"
        assert after.review_status == state
        assert AuditEntry.objects.count() == entries
        assert emails == []
        return
    assert after.review_status == target
    assert after.takes_bookings is (target == "approved")
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor_id, entry.before, entry.after) == (
        f"organiser.{action}",
        staff.id,
        {"review_status": state},
        {"review_status": target},
    )
    assert entry.reason == ("NIB tidak terbaca" if action in REASONED else "")
    assert len(emails) == 1
    item = ReviewItem.objects.get(kind="organiser", tenant=tenant)
    assert (item.state, item.waiting_since) == (target, after.review_status_changed_at)


@pytest.mark.parametrize("action", sorted(REASONED))
def test_a_decision_that_needs_a_reason_is_refused_without_one(
    tenant_a: OrganizerFixture, make_user: Callable[..., User], action: str
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    sources, _target, _reason = TRANSITIONS[action]
    tenant = _in_state(tenant_a, sorted(sources)[0])

    with pytest.raises(TransitionNotAllowedError) as refused:
        SERVICES[action](tenant=tenant, by=staff, reason="   ")

    assert refused.value.code == "reason_required"
    assert Tenant.objects.get(pk=tenant.pk).review_status == sorted(sources)[0]
    assert not AuditEntry.objects.filter(tenant=tenant).exists()


def test_a_full_round_resubmitted_then_approved(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    tenant = _in_state(tenant_a, "draft")

    lifecycle.organiser_submit(tenant=tenant, by=tenant_a.owner)
    lifecycle.organiser_review_start(tenant=tenant, by=staff)
    lifecycle.organiser_request_changes(tenant=tenant, by=staff, reason="NPWP salah")
    lifecycle.organiser_submit(tenant=tenant, by=tenant_a.owner)
    lifecycle.organiser_review_start(tenant=tenant, by=staff)
    lifecycle.organiser_approve(tenant=tenant, by=staff)

    assert tenant.review_status == "approved"
    assert list(AuditEntry.objects.filter(tenant=tenant).values_list("action", "actor_email")) == [
        ("organiser.submit", "owner@alpha.test"),
        ("organiser.review_start", "reviewer@sentra.test"),
        ("organiser.request_changes", "reviewer@sentra.test"),
        ("organiser.submit", "owner@alpha.test"),
        ("organiser.review_start", "reviewer@sentra.test"),
        ("organiser.approve", "reviewer@sentra.test"),
    ]


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("id", "[Sentra] Perubahan diperlukan pada pengajuan Anda", "Alasan dari staf platform:"),
        ("en", "[Sentra] Changes are needed on your application", "Reason given by platform"),
    ],
)
def test_the_owner_is_emailed_in_their_language(
    tenant_a: OrganizerFixture,
    make_user: Callable[..., User],
    mailoutbox: list,
    language: str,
    subject: str,
    words: str,
) -> None:
    User.objects.filter(pk=tenant_a.owner.pk).update(language=language)
    staff = make_user("reviewer@sentra.test", is_staff=True)
    tenant = _in_state(tenant_a, "in_review")
    lifecycle.organiser_request_changes(tenant=tenant, by=staff, reason="NPWP tidak cocok")
    entry = AuditEntry.objects.latest("id")

    with translation.override("en"):  # the worker's language is not the owner's
        sent = lifecycle_email_deliver(entry_id=entry.id)

    assert sent == ["owner@alpha.test"]
    (email,) = mailoutbox
    assert email.to == ["owner@alpha.test"]
    assert email.subject == subject
    assert words in email.body
    assert "NPWP tidak cocok" in email.body
    assert "http://alpha.localhost" in email.body
