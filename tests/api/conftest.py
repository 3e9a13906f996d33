"""Fixtures of the booking API tests: a tenant with a programme, a venue and a 2-seat slot."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from organizers.models import Booking, Programme, Slot, Venue
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_programme, a_slot, a_venue

PERSON = {
    "nik": "3273015403580002",
    "date_of_birth": "1958-03-14",
    "full_name": "Siti Aminah",
    "phone": "+6281234567890",
    "email": "siti@example.id",
}


@dataclass
class Setup:
    client: Client
    programme: Programme
    venue: Venue
    slot: Slot
    tenant: OrganizerFixture

    def post(self, path: str, body: object, **headers: str) -> object:
        return self.client.post(
            f"/api/v1/{path}", json.dumps(body), content_type="application/json", **headers
        )

    def book(self, **overrides: object) -> object:
        body = {**PERSON, "programme_id": self.programme.id, "slot_id": self.slot.id, "dose": 1}
        return self.post("bookings", {**body, **overrides})

    def counters(self) -> tuple[int, int]:
        with tenant_scope(self.tenant.tenant):
            self.slot.refresh_from_db()
            return self.slot.booked, Booking.objects.filter(status="active").count()


@pytest.fixture
def api(tenant_a: OrganizerFixture) -> Setup:
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), a_venue()
        slot = a_slot(venue=venue, programme=programme, capacity=2)
    return Setup(host_client(tenant_a.host), programme, venue, slot, tenant_a)
