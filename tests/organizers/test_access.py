"""The access gateways of an organiser's schema: each returns its object, and gives the same
NotFoundError for a missing id, for another organiser's id and for an object that belongs to
another parent ("not yours")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import models

from organizers.access import (
    access_age_rule_by_id,
    access_booking_by_id,
    access_bookings_by_ids,
    access_invite_by_id,
    access_programme_by_id,
    access_roster_entry_by_id,
    access_slot_by_id,
    access_slot_template_by_id,
    access_venue_by_id,
    access_waitlist_entry_by_id,
)
from organizers.models import (
    AgeRule,
    Invite,
    Programme,
    RosterEntry,
    SlotTemplate,
    Venue,
    WaitlistEntry,
)
from organizers.services.booking import engine
from tenants.context import tenant_scope
from tenants.errors import NotFoundError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _not_found(call: Callable[[], object]) -> str:
    with pytest.raises(NotFoundError) as refused:
        call()
    return str(refused.value.message)


def _id_only_elsewhere(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    make: Callable[[], models.Model],
    model: type[models.Model],
) -> int:
    """An id that exists in tenant_b's schema and not in tenant_a's (ids are per schema, so
    tenant_b makes rows until one has an id tenant_a does not hold)."""
    while True:
        with tenant_scope(tenant_b.tenant):
            made = make()
        with tenant_scope(tenant_a.tenant):
            if not model.objects.filter(id=made.pk).exists():
                return made.pk


def _template(venue: Venue, programme: Programme) -> SlotTemplate:
    return SlotTemplate.objects.create(
        venue=venue,
        programme=programme,
        first_day=dt.date(2030, 1, 7),
        last_day=dt.date(2030, 1, 11),
        weekdays=[0],
        opens=dt.time(8),
        closes=dt.time(12),
        slot_minutes=30,
        capacity=10,
        vaccine_brand="sinovac",
    )


def test_venues_slots_and_programmes(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), a_venue()
        slot = a_slot(venue=venue, programme=programme)
    elsewhere_venue = _id_only_elsewhere(tenant_a, tenant_b, a_venue, Venue)
    elsewhere_programme = _id_only_elsewhere(tenant_a, tenant_b, a_programme, Programme)
    with tenant_scope(tenant_a.tenant):
        assert access_venue_by_id(venue_id=venue.id) == venue
        assert access_slot_by_id(slot_id=slot.id) == slot
        assert access_programme_by_id(programme_id=programme.id) == programme
        assert access_programme_by_id(programme_id=programme.id, kind="public") == programme
        answers = {
            _not_found(lambda: access_venue_by_id(venue_id=elsewhere_venue)),
            _not_found(lambda: access_venue_by_id(venue_id=0)),
            _not_found(lambda: access_slot_by_id(slot_id=0)),
            _not_found(lambda: access_programme_by_id(programme_id=elsewhere_programme)),
            _not_found(lambda: access_programme_by_id(programme_id=programme.id, kind="company")),
        }
    assert len(answers) == 1  # one answer: missing, another organiser's, the wrong kind


def test_children_of_another_parent_are_not_found(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        programme, other = a_programme(kind="company"), a_programme(kind="company")
        venue, other_venue = a_venue(), a_venue(name="Lain")
        template = _template(venue, programme)
        rule = AgeRule.objects.create(programme=programme, opens_on=dt.date(2030, 1, 1))
        entry = RosterEntry.objects.create(
            programme=programme, person_key="k1", nik_sealed="x", full_name="Budi"
        )
        invite = Invite.objects.create(programme=programme, email="a@b.id", token_hash="h1")

        assert access_slot_template_by_id(venue_id=venue.id, template_id=template.id) == template
        assert access_age_rule_by_id(programme=programme, rule_id=rule.id) == rule
        assert access_roster_entry_by_id(programme=programme, entry_id=entry.id) == entry
        assert access_invite_by_id(programme=programme, invite_id=invite.id) == invite
        answers = {
            _not_found(
                lambda: access_slot_template_by_id(venue_id=other_venue.id, template_id=template.id)
            ),
            _not_found(lambda: access_slot_template_by_id(venue_id=venue.id, template_id=0)),
            _not_found(lambda: access_age_rule_by_id(programme=other, rule_id=rule.id)),
            _not_found(lambda: access_age_rule_by_id(programme=programme, rule_id=0)),
            _not_found(lambda: access_roster_entry_by_id(programme=other, entry_id=entry.id)),
            _not_found(lambda: access_roster_entry_by_id(programme=programme, entry_id=0)),
            _not_found(lambda: access_invite_by_id(programme=other, invite_id=invite.id)),
            _not_found(lambda: access_invite_by_id(programme=programme, invite_id=0)),
        }
    assert len(answers) == 1


def test_a_booking_opens_only_when_this_browser_proved_it(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        programme = a_programme()
        slot = a_slot(venue=a_venue(), programme=programme)
        booking = engine.booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )

        opened = access_booking_by_id(booking_id=booking.id, proven_ids=[booking.id])
        assert opened.id == booking.id
        assert [b.id for b in access_bookings_by_ids(booking_ids=[booking.id, 0])] == [booking.id]
        answers = {
            _not_found(lambda: access_booking_by_id(booking_id=booking.id, proven_ids=[])),
            _not_found(lambda: access_booking_by_id(booking_id=0, proven_ids=[0])),
            _not_found(lambda: access_waitlist_entry_by_id(entry_id=0)),
        }
        assert not WaitlistEntry.objects.exists()
    assert len(answers) == 1
