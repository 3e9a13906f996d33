"""Managing a booking without an account (/janji/...): opened with the one-time link or the
voucher code and date of birth, then cancel, move or resend; another organiser's booking or
link never opens, and a refused attempt changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from organizers.models import Booking, ManageLink, Message, Slot
from organizers.services.booking import doses, engine
from organizers.services.manage_links import manage_link_token_create
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue

BORN = dt.date(1958, 3, 14)


@pytest.fixture
def booked(tenant_a: OrganizerFixture) -> dict[str, object]:
    with tenant_scope(tenant_a.tenant):
        programme = a_programme()
        venue = a_venue()
        slot = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=2))
        other = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=3))
        booking = engine.booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )
        token = manage_link_token_create(Booking.objects.select_related("slot").get(id=booking.id))
    return {"booking": booking, "slot": slot, "other": other, "token": token}


def _open_with_voucher(client: Client, booking: Booking, born: dt.date = BORN) -> object:
    return client.post(
        "/janji/",
        {
            "voucher_code": booking.voucher_code.lower().replace("-", " "),
            "dob_day": born.day,
            "dob_month": born.month,
            "dob_year": born.year,
        },
    )


def _opened(tenant: OrganizerFixture, booking: Booking) -> Client:
    """A visitor's client on the organiser's host that opened the booking with its voucher."""
    client = host_client(tenant.host)
    _open_with_voucher(client, booking)
    return client


def _day_of(tenant: OrganizerFixture, slot: Slot) -> dt.date:
    """The slot's day at its venue, as the manage pages' URLs write it."""
    with tenant_scope(tenant.tenant):
        return doses.slot_local_date(Slot.objects.select_related("venue").get(id=slot.id))


def _seats(tenant: OrganizerFixture, slot: Slot) -> int:
    with tenant_scope(tenant.tenant):
        return Slot.objects.get(id=slot.id).booked


def _messages(tenant: OrganizerFixture, kind: str) -> int:
    with tenant_scope(tenant.tenant):
        return Message.objects.filter(kind=kind).count()


def test_the_voucher_code_and_date_of_birth_open_the_booking(
    tenant_a: OrganizerFixture, booked
) -> None:
    client = host_client(tenant_a.host)
    booking = booked["booking"]

    response = _open_with_voucher(client, booking)

    assert response["Location"] == f"/janji/{booking.id}/"
    page = client.get(response["Location"]).content.decode()
    assert booking.voucher_code in page
    assert "3273••••••••" in page  # masked NIK
    assert "WIB" in page
    assert "Dosis pertama" in page or "First dose" in page


def test_a_wrong_date_of_birth_opens_nothing(tenant_a: OrganizerFixture, booked) -> None:
    client = host_client(tenant_a.host)
    booking = booked["booking"]

    response = _open_with_voucher(client, booking, born=dt.date(1960, 1, 1))

    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert client.get(f"/janji/{booking.id}/").status_code == 404


def test_the_one_time_link_opens_the_booking_once(tenant_a: OrganizerFixture, booked) -> None:
    client = host_client(tenant_a.host)
    path = f"/janji/masuk/{booked['token']}/"

    assert client.get(path).status_code == 200  # a mail scanner's GET does not spend it
    response = client.post(path)
    assert response["Location"] == f"/janji/{booked['booking'].id}/"

    again = host_client(tenant_a.host).post(path)
    assert again.status_code == 404
    with translation.override("id"):
        used = gettext("This link has been used already. Ask for a new one with your voucher code.")
    assert escape(used) in again.content.decode()


def test_another_organisers_link_and_booking_do_not_open_here(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, booked
) -> None:
    with tenant_scope(tenant_b.tenant):
        programme = a_programme()
        slot = a_slot(venue=a_venue(), programme=programme)
        booking_b = engine.booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person(name="Beta B")
        )
        token_b = manage_link_token_create(
            Booking.objects.select_related("slot").get(id=booking_b.id)
        )
    client_b = host_client(tenant_b.host)
    assert client_b.post(f"/janji/masuk/{token_b}/").status_code == 302  # works at home

    client = host_client(tenant_a.host)
    response = client.post(f"/janji/masuk/{token_b}/")
    assert response.status_code == 404
    assert "Beta B" not in response.content.decode()
    # Even a session that opened beta's booking sees nothing of it on alpha's host.
    client_b.defaults["HTTP_HOST"] = tenant_a.host
    response = client_b.get(f"/janji/{booking_b.id}/")
    assert response.status_code == 404
    with tenant_scope(tenant_b.tenant):
        assert ManageLink.objects.filter(used_at__isnull=True).count() == 0  # only one use


def test_cancelling_asks_first_then_frees_the_seat_and_records_the_message(
    tenant_a: OrganizerFixture, booked
) -> None:
    booking, slot = booked["booking"], booked["slot"]
    client = _opened(tenant_a, booking)

    confirm = client.get(f"/janji/{booking.id}/batal/")
    assert "Ya, batalkan pendaftaran" in confirm.content.decode()
    assert _seats(tenant_a, slot) == 1

    client.post(f"/janji/{booking.id}/batal/")
    client.post(f"/janji/{booking.id}/batal/")  # a second press changes nothing

    with tenant_scope(tenant_a.tenant):
        assert Booking.objects.get(id=booking.id).status == "cancelled"
    assert _seats(tenant_a, slot) == 0
    assert _messages(tenant_a, "cancelled") == 1


def test_rescheduling_moves_the_seat_and_records_the_message(
    tenant_a: OrganizerFixture, booked
) -> None:
    booking, slot, other = booked["booking"], booked["slot"], booked["other"]
    client = _opened(tenant_a, booking)
    day = _day_of(tenant_a, other)

    calendar = client.get(f"/janji/{booking.id}/ubah/?bulan={day:%Y-%m}").content.decode()
    assert f'href="/janji/{booking.id}/ubah/{day.isoformat()}/"' in calendar
    times = client.get(f"/janji/{booking.id}/ubah/{day.isoformat()}/").content.decode()
    assert f'value="{other.id}"' in times
    response = client.post(f"/janji/{booking.id}/ubah/{day.isoformat()}/", {"slot": other.id})

    assert response["Location"] == f"/janji/{booking.id}/"
    with tenant_scope(tenant_a.tenant):
        assert Booking.objects.get(id=booking.id).slot_id == other.id
    assert _seats(tenant_a, slot) == 0
    assert _seats(tenant_a, other) == 1
    assert _messages(tenant_a, "rescheduled") == 1


def test_rescheduling_to_a_full_time_changes_nothing(tenant_a: OrganizerFixture, booked) -> None:
    booking, slot, other = booked["booking"], booked["slot"], booked["other"]
    client = _opened(tenant_a, booking)
    with tenant_scope(tenant_a.tenant):
        Slot.objects.filter(id=other.id).update(booked=10, booked_dose1=10)
    day = _day_of(tenant_a, other)

    response = client.post(f"/janji/{booking.id}/ubah/{day.isoformat()}/", {"slot": other.id})

    assert response.status_code == 400
    with tenant_scope(tenant_a.tenant):
        assert Booking.objects.get(id=booking.id).slot_id == slot.id
        assert Slot.objects.aggregate(total=Sum("booked"))["total"] == 11
    assert _messages(tenant_a, "rescheduled") == 0


def test_resending_the_voucher_is_limited_to_once_every_few_minutes(
    tenant_a: OrganizerFixture, booked
) -> None:
    booking = booked["booking"]
    client = _opened(tenant_a, booking)

    client.post(f"/janji/{booking.id}/kirim-ulang/")
    response = client.post(f"/janji/{booking.id}/kirim-ulang/", follow=True)

    assert _messages(tenant_a, "resend") == 1
    assert re.search("beberapa menit yang lalu|a few minutes ago", response.content.decode())


def test_the_manage_pages_are_not_found_without_proof(tenant_a: OrganizerFixture, booked) -> None:
    client = host_client(tenant_a.host)
    booking_id = booked["booking"].id

    for path in ("", "batal/", "ubah/", "ubah/2030-01-01/", "kirim-ulang/"):
        assert client.get(f"/janji/{booking_id}/{path}").status_code == 404
    assert client.post(f"/janji/{booking_id}/batal/").status_code == 404
    with tenant_scope(tenant_a.tenant):
        assert Booking.objects.get(id=booking_id).status == "active"


def test_moving_without_choosing_a_time_asks_for_a_time(tenant_a: OrganizerFixture, booked) -> None:
    booking, slot, other = booked["booking"], booked["slot"], booked["other"]
    client = _opened(tenant_a, booking)
    day = _day_of(tenant_a, other)

    response = client.post(f"/janji/{booking.id}/ubah/{day.isoformat()}/", {})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Pilih jam kedatangan." in page
    assert "sudah tidak bisa dipesan" not in page
    with tenant_scope(tenant_a.tenant):
        assert Booking.objects.get(id=booking.id).slot_id == slot.id


def test_a_cancelled_booking_says_so_first_and_offers_to_book_again(
    tenant_a: OrganizerFixture, booked
) -> None:
    booking = booked["booking"]
    client = _opened(tenant_a, booking)
    client.post(f"/janji/{booking.id}/batal/")

    page = client.get(f"/janji/{booking.id}/").content.decode()

    main = page[page.index('<main id="main"') :]
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", main, re.S)[1]
    assert "Dibatalkan" in heading
    assert main.index("Dibatalkan") < main.index(booking.voucher_code)
    assert 'class="voucher-code"' not in main  # the big code is for active bookings only
    assert re.search(r'<a class="button primary" href="/">\s*Daftar lagi\s*</a>', main)


def _indonesian(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def _unchanged(tenant: OrganizerFixture, *slots: Slot) -> tuple[object, ...]:
    """What a refused cancel or move must leave as it was: seats, booking rows, messages."""
    with tenant_scope(tenant.tenant):
        seats = tuple(Slot.objects.get(id=slot.id).booked for slot in slots)
        rows = tuple(Booking.objects.order_by("id").values_list("id", "slot_id", "status"))
        return seats, rows, Message.objects.count()


def _start_passed(tenant: OrganizerFixture, slot: Slot) -> None:
    """The booked slot's time begins (as the clock would): it started a minute ago."""
    with tenant_scope(tenant.tenant):
        starts = timezone.now() - dt.timedelta(minutes=1)
        Slot.objects.filter(id=slot.id).update(
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            booking_closes_at=starts - dt.timedelta(hours=1),
        )


TIME_PASSED = "The arrival time of this booking has passed: it can no longer be cancelled or moved."


def test_a_move_to_another_venue_is_refused_with_the_reason(
    tenant_a: OrganizerFixture, booked
) -> None:
    booking, slot = booked["booking"], booked["slot"]
    with tenant_scope(tenant_a.tenant):
        elsewhere = a_slot(
            venue=a_venue(name="Puskesmas Lain"),
            programme=booking.programme,
            starts_in=dt.timedelta(days=3),
        )
    client = _opened(tenant_a, booking)
    day = _day_of(tenant_a, elsewhere)
    before = _unchanged(tenant_a, slot, elsewhere)

    response = client.post(f"/janji/{booking.id}/ubah/{day.isoformat()}/", {"slot": elsewhere.id})

    assert response.status_code == 400
    message = _indonesian(
        "A booking can move to another time at the same venue. To change venue, cancel it and "
        "book again."
    )
    assert escape(message) in response.content.decode()
    assert _unchanged(tenant_a, slot, elsewhere) == before


def test_a_booking_whose_time_has_begun_cannot_be_cancelled_on_the_page(
    tenant_a: OrganizerFixture, booked
) -> None:
    booking, slot = booked["booking"], booked["slot"]
    client = _opened(tenant_a, booking)
    _start_passed(tenant_a, slot)
    before = _unchanged(tenant_a, slot)

    page = client.get(f"/janji/{booking.id}/").content.decode()
    assert f'href="/janji/{booking.id}/batal/"' not in page  # no button offered
    response = client.post(f"/janji/{booking.id}/batal/", follow=True)  # sent anyway

    assert escape(_indonesian(TIME_PASSED)) in response.content.decode()
    assert _unchanged(tenant_a, slot) == before
    assert before[0] == (1,)


def test_a_booking_whose_time_has_begun_cannot_be_moved_on_the_page(
    tenant_a: OrganizerFixture, booked
) -> None:
    booking, slot, other = booked["booking"], booked["slot"], booked["other"]
    client = _opened(tenant_a, booking)
    _start_passed(tenant_a, slot)
    day = _day_of(tenant_a, other)
    before = _unchanged(tenant_a, slot, other)

    response = client.post(f"/janji/{booking.id}/ubah/{day.isoformat()}/", {"slot": other.id})

    assert response.status_code == 400
    assert escape(_indonesian(TIME_PASSED)) in response.content.decode()
    assert _unchanged(tenant_a, slot, other) == before
