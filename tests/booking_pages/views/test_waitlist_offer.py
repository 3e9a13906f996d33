"""The waitlist email's link (/daftar/tawaran/<token>/): the held place, until when, and one
button that books it; an expired, taken or other organiser's offer books nothing."""

from __future__ import annotations

import datetime as dt

from organizers.models import Booking, Slot, WaitlistEntry
from organizers.services.booking import changes, engine
from organizers.services.waitlist import join
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _offer(tenant: OrganizerFixture) -> tuple[WaitlistEntry, Slot]:
    with tenant_scope(tenant.tenant):
        programme, venue = a_programme(), a_venue(time_zone="Asia/Makassar")
        slot = a_slot(venue=venue, programme=programme, capacity=1)
        taken = engine.booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )
        day = slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        entry = join.waitlist_join(
            programme_id=programme.id,
            venue_id=venue.id,
            day=day,
            dose=1,
            person=a_person(name="Budi Waiting", email="budi@example.id"),
        )
        changes.booking_cancel(booking_id=taken.id)
        entry.refresh_from_db()
        return entry, slot


def test_the_offer_page_shows_the_place_and_one_press_books_it(tenant_a: OrganizerFixture) -> None:
    entry, slot = _offer(tenant_a)
    client = host_client(tenant_a.host)
    page = client.get(f"/daftar/tawaran/{entry.offer_token}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Budi Waiting" in text
    assert "WITA" in text  # held-until and arrival time in the venue's own zone

    done = client.post(f"/daftar/tawaran/{entry.offer_token}/", follow=True)

    assert done.status_code == 200
    with tenant_scope(tenant_a.tenant):
        booking = Booking.objects.get(full_name="Budi Waiting", status="active")
        assert booking.slot_id == slot.id
        assert Slot.objects.get(id=slot.id).booked == 1  # the held seat, not a second one
    assert booking.voucher_code in done.content.decode()
    again = client.post(f"/daftar/tawaran/{entry.offer_token}/")
    assert again.status_code == 404


def test_an_expired_or_foreign_offer_books_nothing(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    entry, slot = _offer(tenant_a)

    foreign = host_client(tenant_b.host).post(f"/daftar/tawaran/{entry.offer_token}/")
    assert foreign.status_code == 404
    with tenant_scope(tenant_a.tenant):
        WaitlistEntry.objects.filter(id=entry.id).update(
            offer_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        )
    expired = host_client(tenant_a.host).post(f"/daftar/tawaran/{entry.offer_token}/")

    assert expired.status_code == 404
    with tenant_scope(tenant_a.tenant):
        assert not Booking.objects.filter(full_name="Budi Waiting").exists()
        assert Slot.objects.get(id=slot.id).booked == 1  # still held until beat passes it on
