"""The organiser's programme pages under /kelola/program/: the list, adding one, editing and
deactivating it. Through the test client, in Bahasa Indonesia (the default); every refusal
re-shows the form with its message and writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from organizers.models import Booking, Programme
from organizers.services.booking.engine import booking_create
from tenants.context import tenant_scope
from tenants.errors import NotFoundError
from tenants.models import User, VaccineBrand
from tests.conftest import OrganizerFixture, host_client
from tests.organizer_pages.organizer_access import (
    assert_check_in_staff_refused_and_anonymous_sent_to_sign_in,
    assert_owners_and_admins_see,
)
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue

PROGRAMME_FORM = {
    "name": "Vaksinasi Karyawan Pabrik",
    "kind": "company",
    "vaccine_brands": ["sinovac", "pfizer"],
    "doses": ["3", "1"],
    "is_active": "on",
}


def _programmes(tenant: OrganizerFixture) -> list[tuple]:
    with tenant_scope(tenant.tenant):
        return list(
            Programme.objects.order_by("id").values_list(
                "name", "kind", "vaccine_brands", "doses", "is_active"
            )
        )


# Adding


def test_a_new_company_programme_is_saved_and_listed_with_its_vaccines_and_doses(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post("/kelola/program/baru/", PROGRAMME_FORM)

    assert response.status_code == 302
    assert response["Location"] == "/kelola/program/"
    assert _programmes(tenant_a) == [
        ("Vaksinasi Karyawan Pabrik", "company", ["pfizer", "sinovac"], [1, 3], True)
    ]
    listing = client.get("/kelola/program/").content.decode()
    assert "Vaksinasi Karyawan Pabrik sudah disimpan." in listing
    assert "Program perusahaan (karyawan sendiri)" in listing
    assert "Pfizer-BioNTech, Sinovac (CoronaVac)" in listing
    assert "Dosis pertama, Booster" in listing
    assert '<span class="badge status-active">Aktif</span>' in listing


def test_a_programme_without_ticked_doses_offers_every_dose(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post(
        "/kelola/program/baru/",
        {
            "name": "Vaksinasi Umum",
            "kind": "public",
            "vaccine_brands": ["sinovac"],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert _programmes(tenant_a) == [("Vaksinasi Umum", "public", ["sinovac"], [], True)]
    listing = client.get("/kelola/program/").content.decode()
    assert "Semua dosis" in listing
    assert "Program umum" in listing


def test_the_programme_form_offers_the_platforms_active_vaccines_and_explains_the_doses(
    tenant_a: OrganizerFixture,
) -> None:
    VaccineBrand.objects.create(code="retired", name="Retired Vaccine", is_active=False)

    response = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/program/baru/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_name">Nama program' in body
    assert 'value="sinovac"' in body
    assert 'value="retired"' not in body
    assert "Dosis pertama" in body
    assert "Jangan centang satu pun untuk melayani semua dosis" in body
    assert "Pilih paling sedikit satu." in body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Bidang ini harus diisi."),
        ({"vaccine_brands": []}, "vaccine_brands", "Pilih paling sedikit satu vaksin."),
        ({"vaccine_brands": ["flu-x"]}, "vaccine_brands", "Masukkan pilihan yang valid."),
        ({"kind": "private"}, "kind", "Masukkan pilihan yang valid."),
        ({"doses": ["4"]}, "doses", "Masukkan pilihan yang valid."),
    ],
)
def test_a_refused_programme_reshows_the_form_in_indonesian_and_writes_nothing(
    changes: dict[str, object], field: str, message: str, tenant_a: OrganizerFixture
) -> None:
    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        "/kelola/program/baru/", {**PROGRAMME_FORM, **changes}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert "Periksa kolom yang ditandai di bawah." in body
    assert _programmes(tenant_a) == []


# Editing and deactivating


def test_editing_a_programme_changes_its_details(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        programme = a_programme(name="Vaksinasi Umum", doses=[1])
    client = host_client(tenant_a.host, user=tenant_a.owner)

    form = client.get(f"/kelola/program/{programme.id}/").content.decode()
    response = client.post(
        f"/kelola/program/{programme.id}/",
        {
            "name": "Vaksinasi Lansia",
            "kind": "public",
            "vaccine_brands": ["astrazeneca"],
            "doses": [],
            "is_active": "on",
        },
    )

    assert 'value="Vaksinasi Umum"' in form
    assert 'value="sinovac" id="id_vaccine_brands_' in form
    assert response.status_code == 302
    assert response["Location"] == "/kelola/program/"
    assert _programmes(tenant_a) == [("Vaksinasi Lansia", "public", ["astrazeneca"], [], True)]


def test_a_retired_vaccine_can_stay_on_its_programme(tenant_a: OrganizerFixture) -> None:
    VaccineBrand.objects.create(code="retired", name="Retired Vaccine", is_active=False)
    with tenant_scope(tenant_a.tenant):
        programme = a_programme(vaccine_brands=["retired", "sinovac"])
    client = host_client(tenant_a.host, user=tenant_a.owner)

    form = client.get(f"/kelola/program/{programme.id}/").content.decode()
    response = client.post(
        f"/kelola/program/{programme.id}/",
        {**PROGRAMME_FORM, "vaccine_brands": ["retired", "sinovac"]},
    )

    assert "Retired Vaccine" in form
    assert response.status_code == 302
    assert _programmes(tenant_a)[0][2] == ["retired", "sinovac"]


def test_an_edit_without_vaccines_is_refused_and_changes_nothing(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        programme = a_programme(name="Vaksinasi Umum")
    before = _programmes(tenant_a)

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/program/{programme.id}/",
        {**PROGRAMME_FORM, "vaccine_brands": [], "is_active": ""},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_vaccine_brands_error"' in body
    assert "Pilih paling sedikit satu vaksin." in body
    assert "Ubah Vaksinasi Umum" in body  # the heading keeps the saved name
    assert _programmes(tenant_a) == before


def test_a_deactivated_programme_takes_no_new_bookings_and_keeps_the_old_ones(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        programme = a_programme(name="Vaksinasi Umum")
        slot = a_slot(venue=a_venue(), programme=programme)
        booked = booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post(
        f"/kelola/program/{programme.id}/",
        {"name": "Vaksinasi Umum", "kind": "public", "vaccine_brands": ["sinovac"]},
    )  # "is_active" unticked

    assert response.status_code == 302
    assert _programmes(tenant_a) == [("Vaksinasi Umum", "public", ["sinovac"], [], False)]
    with tenant_scope(tenant_a.tenant):
        with pytest.raises(NotFoundError) as refused:
            booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
        assert refused.value.code == "programme_not_found"
        assert list(Booking.objects.values_list("id", "status")) == [(booked.id, "active")]
        slot.refresh_from_db()
        assert slot.booked == 1
    listing = client.get("/kelola/program/").content.decode()
    assert '<span class="badge status-inactive">Tidak aktif</span>' in listing
    form = client.get(f"/kelola/program/{programme.id}/").content.decode()
    assert "Program ini tidak aktif" in form


# Who may see these pages


def _pages(tenant: OrganizerFixture) -> list[str]:
    with tenant_scope(tenant.tenant):
        programme = a_programme(name="Vaksinasi Rahasia Alpha")
    return ["/kelola/program/", "/kelola/program/baru/", f"/kelola/program/{programme.id}/"]


def test_owners_and_administrators_see_every_programme_page(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    admin = make_member(tenant_a, "admin", "admin@alpha.test")

    assert_owners_and_admins_see(tenant_a, admin, _pages(tenant_a))


def test_check_in_staff_get_not_found_and_the_anonymous_are_sent_to_sign_in(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    checkin = make_member(tenant_a, "checkin_staff", "checkin@alpha.test")
    pages = _pages(tenant_a)
    anonymous = host_client(tenant_a.host)
    before = _programmes(tenant_a)

    assert_check_in_staff_refused_and_anonymous_sent_to_sign_in(
        tenant_a, checkin, pages, PROGRAMME_FORM
    )
    for page in pages:
        assert anonymous.post(page, PROGRAMME_FORM).status_code == 302, page

    assert _programmes(tenant_a) == before
    staff = host_client(tenant_a.host, user=checkin)
    assert "/kelola/program/" not in staff.get("/kelola/").content.decode()


def test_another_organisers_programme_does_not_exist_on_this_host(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    page = _pages(tenant_a)[-1]
    alpha_before, beta_before = _programmes(tenant_a), _programmes(tenant_b)

    for client in (
        host_client(tenant_b.host, user=tenant_b.owner),  # beta's own owner, alpha's id
        host_client(tenant_b.host, user=tenant_a.owner),  # alpha's owner on beta's host
    ):
        response = client.get(page)
        assert response.status_code == 404
        assert "Vaksinasi Rahasia Alpha" not in response.content.decode()
        assert client.post(page, PROGRAMME_FORM).status_code == 404
        assert "Vaksinasi Rahasia Alpha" not in client.get("/kelola/program/").content.decode()

    assert (_programmes(tenant_a), _programmes(tenant_b)) == (alpha_before, beta_before)


# Links to the pages


def test_the_dashboard_and_the_schedule_form_link_to_the_programmes(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        a_programme()
        venue = a_venue()
    client = host_client(tenant_a.host, user=tenant_a.owner)

    dashboard = client.get("/kelola/").content.decode()
    schedule = client.get(f"/kelola/lokasi/{venue.id}/jadwal/baru/").content.decode()

    assert 'href="/kelola/program/"' in dashboard
    assert '<a href="/kelola/program/">Kelola program</a>' in schedule


def test_the_schedule_form_without_an_active_programme_points_to_the_programmes(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        a_programme(is_active=False)
        venue = a_venue()

    body = host_client(tenant_a.host, user=tenant_a.owner).get(
        f"/kelola/lokasi/{venue.id}/jadwal/baru/"
    )

    assert "Belum ada program yang aktif." in body.content.decode()
    assert 'href="/kelola/program/"' in body.content.decode()
