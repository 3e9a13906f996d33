"""Only an approved organiser takes bookings through the API: a suspended one refuses them
with the organiser's reason, and takes them again once reinstated (tenants.services.lifecycle;
the one rule: Tenant.takes_bookings)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tenants.models import Tenant, User
from tenants.services.lifecycle import organiser_reinstate, organiser_suspend
from tests.api.conftest import Setup


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review", "changes_requested"])
def test_an_organiser_not_approved_takes_no_booking(api: Setup, state: str) -> None:
    Tenant.objects.filter(pk=api.tenant.tenant.pk).update(review_status=state)

    answer = api.book()
    organizer = api.client.get("/api/v1/organizer")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "organizer_not_approved"
    assert api.counters() == (0, 0)
    assert organizer.json()["accepting_bookings"] is False


def test_suspended_then_reinstated(api: Setup, make_user: Callable[..., User]) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    organiser_suspend(tenant=api.tenant.tenant, by=staff, reason="Izin kedaluwarsa")

    refused = api.book()
    organiser_reinstate(tenant=api.tenant.tenant, by=staff, reason="Izin baru disetujui")
    booked = api.book()

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "organizer_not_approved"
    assert booked.status_code == 201
    assert api.counters() == (1, 1)
