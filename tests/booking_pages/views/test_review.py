"""Step 7 of booking (check and agree) and the booking it makes: the voucher, a full time, no
consent, a second press, the engine's refusals, and a helper booking for several people (one
refused: nobody booked). A refusal writes nothing."""

from __future__ import annotations

from django.test import override_settings

from organizers.models import Booking, Message, Programme, Slot
from organizers.personal_data import person_key, unseal
from organizers.services.booking import attempt_limits, engine
from tenants.context import tenant_scope
from tests.booking_pages.booking_steps import (
    BUDI,
    BUDI_BORN,
    CONTACT,
    SITI,
    booking_count,
    choose_time,
    enter_person,
    press_book,
    seats_taken,
    submit_token,
)
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_person


def test_a_person_books_and_sees_the_voucher(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)

    review = client.get("/daftar/periksa/").content.decode()
    assert "Siti Aminah" in review
    assert "3273••••••••0011" in review
    assert SITI["nik"] not in review
    assert "UU No. 27 Tahun 2022" in review
    assert "Langkah 7 dari 7" in review

    response = press_book(client)
    assert response.status_code == 302
    assert response["Location"] == "/daftar/selesai/"
    done = client.get("/daftar/selesai/").content.decode()
    with tenant_scope(tenant_a.tenant):
        booking = Booking.objects.get()
        assert unseal(booking.nik_sealed, field="nik") == SITI["nik"]
        assert (booking.phone, booking.email, booking.sex, booking.language) == (
            "+6281234567890",
            "siti@example.id",
            "F",
            "id",
        )
        assert booking.slot_id == place["slot"].id
        assert booking.party is None
        assert Message.objects.filter(booking=booking, kind="voucher").count() == 1
    assert booking.voucher_code in done
    assert "siti@example.id" in done
    assert "09:00\u201309:30 WITA" in done


def test_a_full_time_sends_the_person_back_to_choose_another_and_books_nothing(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    token = submit_token(client)
    with tenant_scope(tenant_a.tenant):  # others take the last seats meanwhile
        Slot.objects.filter(id=place["slot"].id).update(booked=3, booked_dose1=3)
    taken = seats_taken(tenant_a)

    response = client.post(
        "/daftar/periksa/", {"action": "book", "consent": "on", "submit_token": token}
    )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "tidak bisa dipesan lagi" in page or "penuh" in page
    assert booking_count(tenant_a) == 0
    assert seats_taken(tenant_a) == taken


def test_without_consent_nothing_is_booked(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    token = submit_token(client)

    response = client.post("/daftar/periksa/", {"action": "book", "submit_token": token})

    assert response.status_code == 400
    assert 'href="#id_consent"' in response.content.decode()
    assert booking_count(tenant_a) == 0


def test_pressing_book_twice_books_once(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    token = submit_token(client)
    data = {"action": "book", "consent": "on", "submit_token": token}

    first = client.post("/daftar/periksa/", data)
    second = client.post("/daftar/periksa/", data)

    assert first["Location"] == second["Location"] == "/daftar/selesai/"
    assert booking_count(tenant_a) == 1
    assert seats_taken(tenant_a) == 2 + 1


def test_a_second_dose_without_the_first_is_refused_with_the_engines_message(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=place["programme"].id).update(doses=[1, 2])
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client, person={**SITI, "dose": "2"})
    taken = seats_taken(tenant_a)

    response = press_book(client)

    assert response.status_code == 400
    assert "Pesan dosis sebelumnya terlebih dahulu" in response.content.decode() or (
        "dosis sebelumnya" in response.content.decode()
    )
    assert booking_count(tenant_a) == 0
    assert seats_taken(tenant_a) == taken


# --- A helper books for several people --------------------------------------------------------


def test_a_helper_books_two_people_at_the_same_time_each_with_a_voucher(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    response = client.post("/daftar/periksa/", {"action": "add"})
    assert response["Location"] == "/daftar/data-diri/"
    client.post("/daftar/data-diri/", BUDI)
    contact_page = client.get("/daftar/kontak/").content.decode()
    assert 'value="siti@example.id"' in contact_page  # the helper's contact is filled in
    client.post("/daftar/kontak/", CONTACT)

    review = client.get("/daftar/periksa/").content.decode()
    assert "Siti Aminah" in review
    assert "Budi Santoso" in review
    assert press_book(client).status_code == 302

    with tenant_scope(tenant_a.tenant):
        bookings = list(Booking.objects.order_by("id"))
    assert [b.full_name for b in bookings] == ["Siti Aminah", "Budi Santoso"]
    assert bookings[0].party is not None
    assert bookings[0].party == bookings[1].party
    assert {b.slot_id for b in bookings} == {place["slot"].id}
    done = client.get("/daftar/selesai/").content.decode()
    assert bookings[0].voucher_code in done
    assert bookings[1].voucher_code in done


def test_when_one_person_is_refused_nobody_is_booked_and_the_message_names_them(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):  # Budi already has his first dose booked
        engine.booking_create(
            programme_id=place["programme"].id,
            slot_id=place["later"].id,
            dose=1,
            person=a_person(nik=BUDI["nik"], name="Budi Santoso", date_of_birth=BUDI_BORN),
        )
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    client.post("/daftar/periksa/", {"action": "add"})
    enter_person(client, person=BUDI)
    taken = seats_taken(tenant_a)

    response = press_book(client)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Budi Santoso:" in page
    assert booking_count(tenant_a) == 1
    assert seats_taken(tenant_a) == taken
    with tenant_scope(tenant_a.tenant):
        assert not Booking.objects.filter(person_key=person_key(SITI["nik"])).exists()


def test_a_helper_removes_a_person_again(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    client.post("/daftar/periksa/", {"action": "add"})
    enter_person(client, person=BUDI)

    client.post("/daftar/periksa/", {"action": "remove-2"})

    assert "Budi Santoso" not in client.get("/daftar/periksa/").content.decode()


# --- Limits on booking attempts (issue #11: a drop far past capacity) ----------------------------


def test_past_the_limit_per_client_the_page_says_to_wait_with_429_and_books_nothing(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    attempt_limits.booking_attempts_forget()
    with override_settings(SENTRA_BOOKING_ATTEMPTS_PER_CLIENT=0):
        response = press_book(client)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 10
    assert "Terlalu banyak percobaan pendaftaran. Tunggu sebentar, lalu coba lagi." in (
        response.content.decode()
    )
    assert booking_count(tenant_a) == 0
    assert seats_taken(tenant_a) == 2  # the full slot's, as before
    # Once the wait is over, the same page books (the press did not use up the page).
    attempt_limits.booking_attempts_forget()
    assert press_book(client).status_code == 302
    assert booking_count(tenant_a) == 1


def test_past_the_limit_per_nik_a_party_is_refused_for_any_of_its_people(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)
    client.post("/daftar/periksa/", {"action": "add"})
    client.post("/daftar/data-diri/", BUDI)
    client.post("/daftar/kontak/", CONTACT)
    attempt_limits.booking_attempts_forget()
    with override_settings(SENTRA_BOOKING_ATTEMPTS_PER_NIK=1):
        # Budi's NIK was tried elsewhere already (another phone, the API): one attempt is his.
        attempt_limits.booking_attempt_count(client="10.9.9.9", niks=[BUDI["nik"]])
        response = press_book(client)

    assert response.status_code == 429
    assert "Retry-After" in response
    assert booking_count(tenant_a) == 0
