"""The organiser's venue pages (/kelola/lokasi/): adding a venue (it waits for review), the
list, editing one. Through the test client, in Bahasa Indonesia (the default); every refusal
re-shows the form with its message and writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from organizers.models import Venue
from tenants.context import tenant_scope
from tenants.models import User
from tests.conftest import OrganizerFixture, host_client
from tests.organizer_pages.papua_venue import VENUE_FORM, schedule_counts
from tests.organizers.factories import a_venue


def test_a_new_venue_in_papua_follows_the_province_into_wit_and_waits_for_review(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post("/kelola/lokasi/baru/", VENUE_FORM)

    assert response.status_code == 302
    assert response["Location"] == "/kelola/lokasi/"
    with tenant_scope(tenant_a.tenant):
        venue = Venue.objects.get()
    assert (venue.name, venue.province, venue.time_zone, venue.status) == (
        "Puskesmas Abepura",
        "Papua",
        "Asia/Jayapura",
        "pending",
    )
    assert venue.vaccine_brands == ["pfizer", "sinovac"]
    assert str(venue.latitude) == "-2.597700"
    listing = client.get("/kelola/lokasi/").content.decode()
    assert "Puskesmas Abepura" in listing
    assert "Menunggu peninjauan" in listing
    assert "WIT" in listing
    assert "staf platform" in listing


def test_the_venue_form_says_a_new_venue_waits_for_platform_staff(
    tenant_a: OrganizerFixture,
) -> None:
    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/lokasi/baru/")

    text = body.content.decode()
    assert body.status_code == 200
    assert '<label for="id_province">Provinsi' in text
    assert "Ikuti provinsi" in text
    assert 'value="sinovac"' in text  # vaccines from the platform's list
    assert "staf platform" in text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Bidang ini harus diisi."),
        ({"province": "Atlantis"}, "province", "Masukkan pilihan yang valid."),
        ({"latitude": "-95"}, "latitude", "Pastikan nilai ini lebih besar dari atau sama dengan"),
    ],
)
def test_a_refused_venue_reshows_the_form_in_indonesian_and_writes_nothing(
    change: dict[str, str], field: str, message: str, tenant_a: OrganizerFixture
) -> None:
    before = schedule_counts(tenant_a)

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        "/kelola/lokasi/baru/", {**VENUE_FORM, **change}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert 'value="dr. Maria Kambu"' in body  # nothing typed is lost
    assert schedule_counts(tenant_a) == before


def test_editing_a_venue_keeps_an_explicit_time_zone(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        venue = a_venue(province="Jawa Barat")

    client = host_client(tenant_a.host, user=tenant_a.owner)
    form = client.get(f"/kelola/lokasi/{venue.id}/").content.decode()
    response = client.post(
        f"/kelola/lokasi/{venue.id}/",
        {
            **VENUE_FORM,
            "name": "Puskesmas Cempaka Baru",
            "province": "Bali",
            "time_zone": "Asia/Jakarta",
        },
    )

    assert 'value="Puskesmas Cempaka"' in form
    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        venue.refresh_from_db()
    assert (venue.name, venue.province, venue.time_zone, venue.status) == (
        "Puskesmas Cempaka Baru",
        "Bali",
        "Asia/Jakarta",
        "approved",
    )


def test_a_venue_whose_changes_were_requested_shows_the_reason_and_is_reviewed_again(
    tenant_a: OrganizerFixture, make_user: Callable[..., User], mailoutbox: list
) -> None:
    from tenants.models import AuditEntry, ReviewItem
    from tenants.services.lifecycle_emails import lifecycle_email_deliver
    from tenants.services.venue_review import venue_decide

    staff = make_user("reviewer@sentra.test", is_staff=True)
    client = host_client(tenant_a.host, user=tenant_a.owner)
    client.post("/kelola/lokasi/baru/", VENUE_FORM)
    with tenant_scope(tenant_a.tenant):
        venue = Venue.objects.get()
    venue_decide(
        tenant=tenant_a.tenant,
        venue_id=venue.id,
        decision="request_changes",
        by=staff,
        reason="Foto ruang observasi belum ada",
    )
    lifecycle_email_deliver(entry_id=AuditEntry.objects.latest("id").id)

    page = client.get(f"/kelola/lokasi/{venue.id}/").content.decode()
    client.post(f"/kelola/lokasi/{venue.id}/", {**VENUE_FORM, "address": "Jl. Baru 2"})

    assert "Alasan dari staf platform: Foto ruang observasi belum ada" in page
    (email,) = mailoutbox
    assert email.subject == "[Sentra] Perubahan diperlukan pada lokasi Puskesmas Abepura"
    assert "Foto ruang observasi belum ada" in email.body
    with tenant_scope(tenant_a.tenant):
        assert Venue.objects.get(id=venue.id).status == "pending"
    item = ReviewItem.objects.get(kind="venue", tenant=tenant_a.tenant, venue_id=venue.id)
    assert item.state == "pending"
