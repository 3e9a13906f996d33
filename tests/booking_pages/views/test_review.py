"""The booking pages, step by step, as a person without an account uses them on the organiser's
host: what each step shows, what it refuses, and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from organizers.models import Booking, Invite, Message, Programme, Slot, Venue
from organizers.nik import nik_compose
from organizers.personal_data import person_key, unseal
from organizers.services import capacity
from organizers.services.invites import invite_token, invites_create
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue
from tests.public_site.booking_steps import press_book, submit_token

BORN = dt.date(1958, 3, 14)
SITI = {
    "full_name": "Siti Aminah",
    "nik": nik_compose(BORN, sex="F", serial=11),
    "dob_day": "14",
    "dob_month": "3",
    "dob_year": "1958",
    "sex": "F",
}
CONTACT = {"phone": "0812-3456-7890", "email": "Siti@Example.id", "address": "Jl. Melati 5"}


@pytest.fixture
def place(tenant_a: OrganizerFixture) -> dict[str, object]:
    """A public programme (first dose only), a venue in WITA with coordinates, two slots on
    the same day three days from now (the second full), one on the day after."""
    with tenant_scope(tenant_a.tenant):
        programme = a_programme(doses=[1])
        venue = a_venue(
            name="RSUD Makassar",
            time_zone="Asia/Makassar",
            province="Sulawesi Selatan",
            latitude="-5.147665",
            longitude="119.432732",
        )
        zone = ZoneInfo("Asia/Makassar")
        day = timezone.localdate(timezone.now(), zone) + dt.timedelta(days=3)
        nine = dt.datetime.combine(day, dt.time(9, 0), zone)
        open_kw = {"booking_opens_at": timezone.now() - dt.timedelta(days=1)}
        slot = a_slot(
            venue=venue,
            programme=programme,
            capacity=3,
            starts_at=nine,
            ends_at=nine + dt.timedelta(minutes=30),
            booking_closes_at=nine - dt.timedelta(hours=1),
            **open_kw,
        )
        full = a_slot(
            venue=venue,
            programme=programme,
            capacity=2,
            booked=2,
            booked_dose1=2,
            starts_at=nine + dt.timedelta(hours=1),
            ends_at=nine + dt.timedelta(hours=1, minutes=30),
            booking_closes_at=nine,
            **open_kw,
        )
        later = a_slot(
            venue=venue,
            programme=programme,
            capacity=5,
            starts_at=nine + dt.timedelta(days=1),
            ends_at=nine + dt.timedelta(days=1, minutes=30),
            booking_closes_at=nine + dt.timedelta(hours=23),
            **open_kw,
        )
    return {
        "programme": programme,
        "venue": venue,
        "slot": slot,
        "full": full,
        "later": later,
        "day": day,
    }


def _choose_time(client: Client, place: dict, slot: Slot | None = None) -> None:
    slot = slot or place["slot"]
    programme, venue = place["programme"], place["venue"]
    url = f"/daftar/{programme.id}/{venue.id}/{place['day'].isoformat()}/"
    response = client.post(url, {"slot": slot.id})
    assert response.status_code == 302
    assert response["Location"] == "/daftar/data-diri/"


def _enter_person(client: Client, person: dict | None = None, contact: dict | None = None) -> None:
    response = client.post("/daftar/data-diri/", person or SITI)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/daftar/kontak/"
    response = client.post("/daftar/kontak/", contact or CONTACT)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/daftar/periksa/"


def _seats_taken(tenant: OrganizerFixture) -> int:
    with tenant_scope(tenant.tenant):
        return Slot.objects.aggregate(total=Sum("booked"))["total"] or 0


def _bookings(tenant: OrganizerFixture) -> int:
    with tenant_scope(tenant.tenant):
        return Booking.objects.count()


# --- Steps 1 to 4 -----------------------------------------------------------------------------


def test_the_home_page_links_each_active_programme(tenant_a: OrganizerFixture, place) -> None:
    with tenant_scope(tenant_a.tenant):
        a_programme(name="Old programme", is_active=False)

    page = host_client(tenant_a.host).get("/").content.decode()

    assert f'href="/daftar/{place["programme"].id}/"' in page
    assert "Old programme" not in page
    assert '<html lang="id">' in page
    assert "Langkah 1 dari 7" in page


def test_the_places_show_address_map_and_the_next_day_with_seats(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        a_venue(name="Pending Hall", status=Venue.Status.PENDING)

    response = host_client(tenant_a.host).get(f"/daftar/{place['programme'].id}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert "RSUD Makassar" in page
    assert "Jl. Cempaka 1" in page
    assert "https://www.openstreetmap.org/?mlat=-5.147665&amp;mlon=119.432732" in page
    assert str(place["day"].day) in page
    assert "Langkah 2 dari 7" in page
    assert "Pending Hall" not in page


def test_the_calendar_links_only_days_with_free_seats(tenant_a: OrganizerFixture, place) -> None:
    programme, venue, day = place["programme"], place["venue"], place["day"]
    with tenant_scope(tenant_a.tenant):
        Slot.objects.filter(id=place["later"].id).update(is_closed=True)

    url = f"/daftar/{programme.id}/{venue.id}/"
    page = host_client(tenant_a.host).get(f"{url}?bulan={day:%Y-%m}").content.decode()

    links = re.findall(rf'href="{url}(\d{{4}}-\d\d-\d\d)/"', page)
    assert links == [day.isoformat()]
    assert "Tempat kosong: 3" in page  # 3 seats in the open slot; the full one adds none


def test_the_times_show_seats_left_in_the_venues_own_time(
    tenant_a: OrganizerFixture, place
) -> None:
    programme, venue, day = place["programme"], place["venue"], place["day"]

    page = (
        host_client(tenant_a.host)
        .get(f"/daftar/{programme.id}/{venue.id}/{day.isoformat()}/")
        .content.decode()
    )

    assert "09:00\u201309:30 WITA" in page  # the venue's time, not Jakarta's
    assert "Sisa tempat: 3" in page
    assert f'value="{place["full"].id}"' not in page  # a full slot is not offered


def test_another_organisers_programme_venue_and_slot_are_not_here(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_b.tenant):  # ids that alpha does not have
        programme_b = a_programme(id=900001, name="Beta only")
        venue_b = a_venue(id=900002, name="Beta Hall")
        slot_b = a_slot(id=900003, venue=venue_b, programme=programme_b)
    client = host_client(tenant_a.host)
    own, venue, day = place["programme"].id, place["venue"].id, place["day"].isoformat()

    assert client.get(f"/daftar/{programme_b.id}/").status_code == 404
    assert client.get(f"/daftar/{own}/{venue_b.id}/").status_code == 404
    assert client.get(f"/daftar/{programme_b.id}/{venue_b.id}/{day}/").status_code == 404
    response = client.post(f"/daftar/{own}/{venue}/{day}/", {"slot": slot_b.id})
    assert response.status_code == 400
    assert "Beta" not in response.content.decode()
    assert client.get(f"/daftar/{own}/{venue}/not-a-date/").status_code == 404


# --- Steps 5 to 7 and the booking -----------------------------------------------------------


def test_a_person_books_and_sees_the_voucher(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)

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


def test_the_english_switch_keeps_the_answers_and_the_booking_remembers_english(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)

    client.post("/i18n/setlang/", {"language": "en", "next": "/daftar/kontak/"})
    page = client.get("/daftar/kontak/").content.decode()
    assert '<html lang="en">' in page
    assert "How can we reach Siti Aminah?" in page

    client.post("/daftar/kontak/", CONTACT)
    assert press_book(client).status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert Booking.objects.get().language == "en"


def test_missing_fields_are_listed_at_the_top_and_tied_to_their_inputs(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)

    response = client.post("/daftar/data-diri/", {"full_name": "", "nik": "12"})
    page = response.content.decode()

    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert 'href="#id_full_name"' in page
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="id_full_name"|<input[^>]*id="id_'
        r'full_name"[^>]*aria-invalid="true"',
        page,
    )
    assert 'aria-describedby="id_nik_helptext id_nik_error"' in page
    assert 'id="id_nik_error"' in page
    assert "16 digit" in page
    assert 'href="#id_sex_0"' in page  # the radio group's first choice
    assert page.count("Isi tanggal lahir: tanggal, bulan dan tahun.") == 2  # summary + field


def test_a_nik_that_contradicts_the_date_of_birth_is_refused_at_the_nik(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    wrong = {**SITI, "nik": nik_compose(dt.date(1960, 3, 14), sex="F", serial=11)}

    response = client.post("/daftar/data-diri/", wrong)
    page = response.content.decode()

    assert response.status_code == 400
    assert 'id="id_nik_error"' in page
    assert "14-03-60" in page
    response = client.post("/daftar/data-diri/", {**SITI, "sex": "M"})
    assert 'id="id_sex_error"' in response.content.decode()
    assert _bookings(tenant_a) == 0


def test_a_full_time_sends_the_person_back_to_choose_another_and_books_nothing(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)
    token = submit_token(client)
    with tenant_scope(tenant_a.tenant):  # others take the last seats meanwhile
        Slot.objects.filter(id=place["slot"].id).update(booked=3, booked_dose1=3)
    taken = _seats_taken(tenant_a)

    response = client.post(
        "/daftar/periksa/", {"action": "book", "consent": "on", "submit_token": token}
    )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "tidak bisa dipesan lagi" in page or "penuh" in page
    assert _bookings(tenant_a) == 0
    assert _seats_taken(tenant_a) == taken


def test_without_consent_nothing_is_booked(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)
    token = submit_token(client)

    response = client.post("/daftar/periksa/", {"action": "book", "submit_token": token})

    assert response.status_code == 400
    assert 'href="#id_consent"' in response.content.decode()
    assert _bookings(tenant_a) == 0


def test_pressing_book_twice_books_once(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)
    token = submit_token(client)
    data = {"action": "book", "consent": "on", "submit_token": token}

    first = client.post("/daftar/periksa/", data)
    second = client.post("/daftar/periksa/", data)

    assert first["Location"] == second["Location"] == "/daftar/selesai/"
    assert _bookings(tenant_a) == 1
    assert _seats_taken(tenant_a) == 2 + 1


def test_a_second_dose_without_the_first_is_refused_with_the_engines_message(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=place["programme"].id).update(doses=[1, 2])
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client, person={**SITI, "dose": "2"})
    taken = _seats_taken(tenant_a)

    response = press_book(client)

    assert response.status_code == 400
    assert "Pesan dosis sebelumnya terlebih dahulu" in response.content.decode() or (
        "dosis sebelumnya" in response.content.decode()
    )
    assert _bookings(tenant_a) == 0
    assert _seats_taken(tenant_a) == taken


def test_a_roster_only_programme_refuses_an_outsider_and_writes_nothing(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=place["programme"].id).update(
            kind=Programme.Kind.COMPANY, uses_roster=True
        )
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)
    taken = _seats_taken(tenant_a)

    response = client.post("/daftar/kontak/", CONTACT)

    page = response.content.decode()
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary.*?</div>', page, re.S).group(0)
    assert "NIK" in summary  # why (the eligibility engine's words) and what to do
    assert client.get("/daftar/periksa/")["Location"] == "/daftar/data-diri/"
    assert _bookings(tenant_a) == 0
    assert _seats_taken(tenant_a) == taken


def test_an_invite_link_leads_to_its_programme_and_works_once(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=place["programme"].id).update(
            kind=Programme.Kind.COMPANY, uses_invites=True
        )
        programme = Programme.objects.get(id=place["programme"].id)
        token = invite_token(invites_create(programme, ["budi@acme.co.id"])[0])
    client = host_client(tenant_a.host)

    response = client.get(f"/undangan/{token}/")

    assert response["Location"] == f"/daftar/{programme.id}/"
    _choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)
    assert 'value="budi@acme.co.id"' in client.get("/daftar/kontak/").content.decode()
    client.post("/daftar/kontak/", {**CONTACT, "email": "budi@acme.co.id"})
    assert press_book(client).status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert Invite.objects.get().used_at is not None
    again = host_client(tenant_a.host).get(f"/undangan/{token}/")
    assert again.status_code == 404
    assert "sudah dipakai" in again.content.decode()
    assert host_client(tenant_a.host).get("/undangan/" + "A" * 32 + "/").status_code == 404


# --- A helper books for several people --------------------------------------------------------


BUDI_BORN = dt.date(1955, 7, 2)
BUDI = {
    "full_name": "Budi Santoso",
    "nik": nik_compose(BUDI_BORN, sex="M", serial=12),
    "dob_day": "2",
    "dob_month": "7",
    "dob_year": "1955",
    "sex": "M",
}


def test_a_helper_books_two_people_at_the_same_time_each_with_a_voucher(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)
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
        capacity.booking_create(
            programme_id=place["programme"].id,
            slot_id=place["later"].id,
            dose=1,
            person=a_person(nik=BUDI["nik"], name="Budi Santoso", date_of_birth=BUDI_BORN),
        )
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)
    client.post("/daftar/periksa/", {"action": "add"})
    _enter_person(client, person=BUDI)
    taken = _seats_taken(tenant_a)

    response = press_book(client)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Budi Santoso:" in page
    assert _bookings(tenant_a) == 1
    assert _seats_taken(tenant_a) == taken
    with tenant_scope(tenant_a.tenant):
        assert not Booking.objects.filter(person_key=person_key(SITI["nik"])).exists()


def test_a_helper_removes_a_person_again(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)
    client.post("/daftar/periksa/", {"action": "add"})
    _enter_person(client, person=BUDI)

    client.post("/daftar/periksa/", {"action": "remove-2"})

    assert "Budi Santoso" not in client.get("/daftar/periksa/").content.decode()


def test_the_steps_after_the_time_need_a_time(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)

    for path in ("/daftar/data-diri/", "/daftar/kontak/", "/daftar/periksa/"):
        assert client.get(path)["Location"] == "/"
    assert client.get("/daftar/selesai/")["Location"] == "/"


def test_an_organiser_under_review_takes_no_bookings(tenant_a: OrganizerFixture, place) -> None:
    tenant_a.tenant.review_status = "pending"
    tenant_a.tenant.save(update_fields=["review_status"])

    response = host_client(tenant_a.host).get(f"/daftar/{place['programme'].id}/")

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2020-02-30"])
def test_a_day_out_of_range_is_not_here(tenant_a: OrganizerFixture, place, day: str) -> None:
    programme, venue = place["programme"], place["venue"]

    response = host_client(tenant_a.host).get(f"/daftar/{programme.id}/{venue.id}/{day}/")

    assert response.status_code == 404


def test_odd_person_numbers_are_ignored(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client)

    edit = client.get("/daftar/data-diri/?orang=\u00b2")
    remove = client.post("/daftar/periksa/", {"action": "remove-\u00b2"})

    assert edit.status_code == 200
    assert remove.status_code in (200, 302)
    assert _bookings(tenant_a) == 0


# --- A company programme by email domain: the address is proven with a code ---------------------

ACME = {**CONTACT, "email": "siti@acme.co.id"}


def _by_domain(tenant: OrganizerFixture, place: dict, **fields: object) -> None:
    with tenant_scope(tenant.tenant):
        Programme.objects.filter(id=place["programme"].id).update(
            kind=Programme.Kind.COMPANY, allowed_email_domains=["acme.co.id"], **fields
        )


def _codes_sent(tenant: OrganizerFixture) -> list[tuple[str, str]]:
    """(to, code) of every code email, as the person reads it."""
    from organizers.services.messages import message_email

    with tenant_scope(tenant.tenant):
        sent = []
        for message in Message.objects.filter(kind="email_code").order_by("id"):
            email = message_email(message)
            sent.append((message.to_email, re.search(r"\d{6}", email.subject).group(0)))
            assert sent[-1][1] in email.body
        return sent


def _to_the_code(client: Client, place: dict) -> None:
    _choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)
    response = client.post("/daftar/kontak/", ACME)
    assert response.status_code == 302
    assert response["Location"] == "/daftar/kode-email/"


def test_an_email_domain_booker_proves_the_address_with_a_code(
    tenant_a: OrganizerFixture, place
) -> None:
    _by_domain(tenant_a, place)
    client = host_client(tenant_a.host)
    _to_the_code(client, place)

    page = client.get("/daftar/kode-email/").content.decode()
    ((to, code),) = _codes_sent(tenant_a)
    assert to == "siti@acme.co.id"
    assert "siti@acme.co.id" in page
    assert client.get("/daftar/periksa/")["Location"] == "/daftar/data-diri/"  # not yet
    forced = {"action": "book", "consent": "on", "submit_token": "guess"}
    assert client.post("/daftar/periksa/", forced).status_code == 302
    assert _bookings(tenant_a) == 0

    response = client.post("/daftar/kode-email/", {"action": "verify", "code": code})

    assert response["Location"] == "/daftar/periksa/"
    assert press_book(client)["Location"] == "/daftar/selesai/"
    with tenant_scope(tenant_a.tenant):
        assert Booking.objects.get().email == "siti@acme.co.id"


def test_wrong_codes_are_refused_and_five_wrong_tries_spend_the_code(
    tenant_a: OrganizerFixture, place
) -> None:
    _by_domain(tenant_a, place)
    client = host_client(tenant_a.host)
    _to_the_code(client, place)
    ((_to, code),) = _codes_sent(tenant_a)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    first = client.post("/daftar/kode-email/", {"action": "verify", "code": wrong})

    assert first.status_code == 400
    assert "error-summary" in first.content.decode()
    for _ in range(4):
        client.post("/daftar/kode-email/", {"action": "verify", "code": wrong})
    spent = client.post("/daftar/kode-email/", {"action": "verify", "code": code})
    assert spent.status_code == 400  # the right code, after five wrong ones
    assert client.get("/daftar/periksa/")["Location"] == "/daftar/data-diri/"
    assert client.post("/daftar/kode-email/", {"action": "resend"}).status_code == 400  # < 1 min
    assert len(_codes_sent(tenant_a)) == 1
    assert _bookings(tenant_a) == 0


def test_an_expired_code_is_refused_and_a_new_one_works(
    tenant_a: OrganizerFixture, place, monkeypatch: pytest.MonkeyPatch
) -> None:
    from organizers.services import email_codes

    _by_domain(tenant_a, place)
    client = host_client(tenant_a.host)
    monkeypatch.setattr(email_codes, "CODE_SECONDS", -1)  # expired as soon as it is sent
    _to_the_code(client, place)
    ((_to, code),) = _codes_sent(tenant_a)

    expired = client.post("/daftar/kode-email/", {"action": "verify", "code": code})

    assert expired.status_code == 400
    assert _bookings(tenant_a) == 0
    monkeypatch.setattr(email_codes, "CODE_SECONDS", 900)
    monkeypatch.setattr(email_codes, "RESEND_SECONDS", 0)
    assert client.post("/daftar/kode-email/", {"action": "resend"})["Location"] == (
        "/daftar/kode-email/"
    )
    (_first, _old), (_to, new) = _codes_sent(tenant_a)
    assert (
        client.post("/daftar/kode-email/", {"action": "verify", "code": new})["Location"]
        == "/daftar/periksa/"
    )


def test_roster_and_invite_people_are_not_asked_for_a_code(
    tenant_a: OrganizerFixture, place
) -> None:
    from organizers.models import RosterEntry
    from organizers.personal_data import seal

    _by_domain(tenant_a, place, uses_roster=True, uses_invites=True)
    with tenant_scope(tenant_a.tenant):
        RosterEntry.objects.create(
            programme_id=place["programme"].id,
            person_key=person_key(SITI["nik"]),
            nik_sealed=seal(SITI["nik"], field="nik"),
            full_name="Siti",
        )
        programme = Programme.objects.get(id=place["programme"].id)
        token = invite_token(invites_create(programme, ["budi@acme.co.id"])[0])
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    _enter_person(client, contact=ACME)  # on the roster: straight to the check step
    client.get(f"/undangan/{token}/")
    client.post("/daftar/periksa/", {"action": "add", "submit_token": submit_token(client)})
    _enter_person(client, person=BUDI, contact={**ACME, "email": "budi@acme.co.id"})

    assert press_book(client)["Location"] == "/daftar/selesai/"
    assert _codes_sent(tenant_a) == []
    assert _bookings(tenant_a) == 2


def test_roster_checks_on_the_contact_step_stop_after_ten_refusals(
    tenant_a: OrganizerFixture, place
) -> None:
    from organizers.models import RosterEntry
    from organizers.personal_data import seal

    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=place["programme"].id).update(
            kind=Programme.Kind.COMPANY, uses_roster=True
        )
        RosterEntry.objects.create(
            programme_id=place["programme"].id,
            person_key=person_key(BUDI["nik"]),
            nik_sealed=seal(BUDI["nik"], field="nik"),
            full_name="Budi",
        )
    client = host_client(tenant_a.host)
    _choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)
    for _ in range(10):
        assert client.post("/daftar/kontak/", CONTACT).status_code == 400
    client.post("/daftar/data-diri/?orang=1", BUDI)

    response = client.post("/daftar/kontak/", CONTACT)  # on the roster, but not checked now

    assert response.status_code == 400
    assert "15 menit" in response.content.decode()
    assert _bookings(tenant_a) == 0
