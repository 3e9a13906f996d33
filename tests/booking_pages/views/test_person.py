"""Steps 5 and 6 of booking (about the person, how we reach them) and the code that proves an
email address: what each step refuses and where it says so, and that a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from organizers.models import Booking, Message, Programme
from organizers.nik import nik_compose
from organizers.personal_data import person_key
from organizers.services.eligibility.invites import invite_token, invites_create
from tenants.context import tenant_scope
from tests.booking_pages.booking_steps import (
    BUDI,
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


def test_the_english_switch_keeps_the_answers_and_the_booking_remembers_english(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
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
    choose_time(client, place)

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
    choose_time(client, place)
    wrong = {**SITI, "nik": nik_compose(dt.date(1960, 3, 14), sex="F", serial=11)}

    response = client.post("/daftar/data-diri/", wrong)
    page = response.content.decode()

    assert response.status_code == 400
    assert 'id="id_nik_error"' in page
    assert "14-03-60" in page
    response = client.post("/daftar/data-diri/", {**SITI, "sex": "M"})
    assert 'id="id_sex_error"' in response.content.decode()
    assert booking_count(tenant_a) == 0


def test_a_roster_only_programme_refuses_an_outsider_and_writes_nothing(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=place["programme"].id).update(
            kind=Programme.Kind.COMPANY, uses_roster=True
        )
    client = host_client(tenant_a.host)
    choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)
    taken = seats_taken(tenant_a)

    response = client.post("/daftar/kontak/", CONTACT)

    page = response.content.decode()
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary.*?</div>', page, re.S).group(0)
    assert "NIK" in summary  # why (the eligibility engine's words) and what to do
    assert client.get("/daftar/periksa/")["Location"] == "/daftar/data-diri/"
    assert booking_count(tenant_a) == 0
    assert seats_taken(tenant_a) == taken


def test_odd_person_numbers_are_ignored(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)
    enter_person(client)

    edit = client.get("/daftar/data-diri/?orang=\u00b2")
    remove = client.post("/daftar/periksa/", {"action": "remove-\u00b2"})

    assert edit.status_code == 200
    assert remove.status_code in (200, 302)
    assert booking_count(tenant_a) == 0


# --- A company programme by email domain: the address is proven with a code ---------------------


ACME = {**CONTACT, "email": "siti@acme.co.id"}


def _by_domain(tenant: OrganizerFixture, place: dict, **fields: object) -> None:
    with tenant_scope(tenant.tenant):
        Programme.objects.filter(id=place["programme"].id).update(
            kind=Programme.Kind.COMPANY, allowed_email_domains=["acme.co.id"], **fields
        )


def _codes_sent(tenant: OrganizerFixture) -> list[tuple[str, str]]:
    """(to, code) of every code email, as the person reads it."""
    from organizers.services.messages.mime import message_email

    with tenant_scope(tenant.tenant):
        sent = []
        for message in Message.objects.filter(kind="email_code").order_by("id"):
            email = message_email(message)
            sent.append((message.to_email, re.search(r"\d{6}", email.subject).group(0)))
            assert sent[-1][1] in email.body
        return sent


def _to_the_code(client: Client, place: dict) -> None:
    choose_time(client, place)
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
    assert booking_count(tenant_a) == 0

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
    assert booking_count(tenant_a) == 0


def test_an_expired_code_is_refused_and_a_new_one_works(
    tenant_a: OrganizerFixture, place, monkeypatch: pytest.MonkeyPatch
) -> None:
    from organizers.services.eligibility import email_codes

    _by_domain(tenant_a, place)
    client = host_client(tenant_a.host)
    monkeypatch.setattr(email_codes, "CODE_SECONDS", -1)  # expired as soon as it is sent
    _to_the_code(client, place)
    ((_to, code),) = _codes_sent(tenant_a)

    expired = client.post("/daftar/kode-email/", {"action": "verify", "code": code})

    assert expired.status_code == 400
    assert booking_count(tenant_a) == 0
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
    choose_time(client, place)
    enter_person(client, contact=ACME)  # on the roster: straight to the check step
    client.get(f"/undangan/{token}/")
    client.post("/daftar/periksa/", {"action": "add", "submit_token": submit_token(client)})
    enter_person(client, person=BUDI, contact={**ACME, "email": "budi@acme.co.id"})

    assert press_book(client)["Location"] == "/daftar/selesai/"
    assert _codes_sent(tenant_a) == []
    assert booking_count(tenant_a) == 2


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
    choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)
    for _ in range(10):
        assert client.post("/daftar/kontak/", CONTACT).status_code == 400
    client.post("/daftar/data-diri/?orang=1", BUDI)

    response = client.post("/daftar/kontak/", CONTACT)  # on the roster, but not checked now

    assert response.status_code == 400
    assert "15 menit" in response.content.decode()
    assert booking_count(tenant_a) == 0


def test_past_the_hourly_limit_the_contact_step_says_why_and_sends_nothing(
    tenant_a: OrganizerFixture, place, monkeypatch: pytest.MonkeyPatch
) -> None:
    from organizers.services.eligibility import email_codes

    monkeypatch.setattr(email_codes, "SENDS_PER_ADDRESS", 0)  # this address had its codes
    _by_domain(tenant_a, place)
    client = host_client(tenant_a.host)
    choose_time(client, place)
    client.post("/daftar/data-diri/", SITI)

    response = client.post("/daftar/kontak/", ACME, follow=True)

    assert response.redirect_chain[-1][0] == "/daftar/kontak/"
    assert "Terlalu banyak kode" in response.content.decode()
    assert _codes_sent(tenant_a) == []


def test_a_name_with_a_bidi_override_is_refused_on_the_person_step(
    tenant_a: OrganizerFixture, place
) -> None:
    client = host_client(tenant_a.host)
    choose_time(client, place)

    response = client.post("/daftar/data-diri/", {**SITI, "full_name": "Siti \u202eAminah"})

    assert response.status_code == 400
    assert "Nama hanya boleh berisi huruf, spasi, dan tanda baca." in response.content.decode()
