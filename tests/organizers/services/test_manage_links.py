"""Manage-booking links: one-time, signed, tenant-bound; only a hash of the nonce is stored."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from organizers.models import Booking, ManageLink
from organizers.services.booking.engine import booking_create
from organizers.services.manage_links import (
    manage_link_consume,
    manage_link_create,
    manage_link_token_create,
)
from tenants.context import tenant_scope
from tenants.errors import NotFoundError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _booking() -> Booking:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme)
    booked = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    return Booking.objects.select_related("slot").get(id=booked.id)


def test_link_is_an_absolute_url_on_the_organisers_host_and_opens_its_booking(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking()
        url = manage_link_create(booking)
        token = re.fullmatch(rf"https?://{tenant_a.host}(:\d+)?/janji/masuk/([\w-]+)/", url)[2]

        opened = manage_link_consume(token)

        assert opened.id == booking.id
        link = ManageLink.objects.get(booking=booking)
        assert link.used_at is not None
        assert token not in link.nonce_hash  # only a hash of the nonce is kept
        assert link.expires_at <= timezone.now() + dt.timedelta(days=30)


def test_a_link_works_once(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        token = manage_link_token_create(_booking())
        manage_link_consume(token)

        with pytest.raises(NotFoundError) as again:
            manage_link_consume(token)

    assert again.value.code == "manage_link_used"


def test_an_expired_link_is_refused_and_not_spent(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking()
        token = manage_link_token_create(booking)

        with pytest.raises(NotFoundError) as late:
            manage_link_consume(token, now=timezone.now() + dt.timedelta(days=31))

        assert late.value.code == "manage_link_expired"
        assert ManageLink.objects.get(booking=booking).used_at is None


def test_link_expires_after_the_slot_even_within_thirty_days(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _booking()  # the slot is in two days
        token = manage_link_token_create(booking)

        with pytest.raises(NotFoundError) as late:
            manage_link_consume(token, now=booking.slot.ends_at + dt.timedelta(days=2))

    assert late.value.code == "manage_link_expired"


def test_link_of_another_organiser_is_refused(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_b.tenant):
        token = manage_link_token_create(_booking())

    with tenant_scope(tenant_a.tenant), pytest.raises(NotFoundError) as refused:
        manage_link_consume(token)

    assert refused.value.code == "manage_link_invalid"
    with tenant_scope(tenant_b.tenant):
        assert ManageLink.objects.get().used_at is None


@pytest.mark.parametrize("mangle", ["flip", "truncate", "garbage", "empty"])
def test_a_forged_or_mangled_link_is_refused(tenant_a: OrganizerFixture, mangle: str) -> None:
    with tenant_scope(tenant_a.tenant):
        token = manage_link_token_create(_booking())
        forged = {
            "flip": token[:10] + ("A" if token[10] != "A" else "B") + token[11:],
            "truncate": token[:-4],
            "garbage": "%%%not-base64%%%",
            "empty": "",
        }[mangle]

        with pytest.raises(NotFoundError) as refused:
            manage_link_consume(forged)

        assert refused.value.code == "manage_link_invalid"
        assert ManageLink.objects.get().used_at is None
