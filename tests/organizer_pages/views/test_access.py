"""Who may open the organiser's venue, schedule, calendar, slot and days-off pages
(organizer_admin_page): owners and administrators; check-in staff get 404 and the anonymous are
sent to sign in, with nothing written; another organiser's ids do not exist on this host."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from organizers.models import SlotTemplate
from tenants.context import tenant_scope
from tenants.models import User
from tests.conftest import OrganizerFixture, host_client
from tests.organizer_pages.organizer_access import (
    assert_check_in_staff_refused_and_anonymous_sent_to_sign_in,
    assert_owners_and_admins_see,
)
from tests.organizer_pages.papua_venue import (
    JAYAPURA,
    VENUE_FORM,
    a_slot_starting,
    next_monday,
    papua_venue,
    schedule_counts,
)
from tests.organizers.factories import a_programme


def _pages(tenant: OrganizerFixture) -> list[str]:
    with tenant_scope(tenant.tenant):
        programme, venue = a_programme(), papua_venue()
        template = SlotTemplate.objects.create(
            venue=venue,
            programme=programme,
            first_day=next_monday(),
            last_day=next_monday(),
            weekdays=[0],
            opens=dt.time(8),
            closes=dt.time(9),
            slot_minutes=30,
            capacity=5,
            vaccine_brand="sinovac",
        )
        slot = a_slot_starting(
            venue, programme, dt.datetime.combine(next_monday(), dt.time(8), JAYAPURA)
        )
    return [
        "/kelola/lokasi/",
        "/kelola/lokasi/baru/",
        f"/kelola/lokasi/{venue.id}/",
        f"/kelola/lokasi/{venue.id}/jadwal/baru/",
        f"/kelola/lokasi/{venue.id}/jadwal/{template.id}/",
        f"/kelola/lokasi/{venue.id}/kalender/",
        f"/kelola/slot/{slot.id}/",
        "/kelola/libur/",
    ]


def test_owners_and_administrators_see_every_page(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    admin = make_member(tenant_a, "admin", "admin@alpha.test")

    assert_owners_and_admins_see(tenant_a, admin, _pages(tenant_a))


def test_check_in_staff_get_not_found_and_the_anonymous_are_sent_to_sign_in(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    checkin = make_member(tenant_a, "checkin_staff", "checkin@alpha.test")
    pages = _pages(tenant_a)
    before = schedule_counts(tenant_a)

    assert_check_in_staff_refused_and_anonymous_sent_to_sign_in(
        tenant_a, checkin, pages, VENUE_FORM
    )

    assert schedule_counts(tenant_a) == before
    dashboard = host_client(tenant_a.host, user=checkin).get("/kelola/").content.decode()
    assert "/kelola/lokasi/" not in dashboard


def test_another_organisers_objects_do_not_exist_on_this_host(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    alpha_pages = [page for page in _pages(tenant_a) if any(c.isdigit() for c in page)]
    before = schedule_counts(tenant_b)

    for client in (
        host_client(tenant_b.host, user=tenant_b.owner),  # beta's own owner, alpha's ids
        host_client(tenant_b.host, user=tenant_a.owner),  # alpha's owner on beta's host
    ):
        for page in alpha_pages:
            response = client.get(page)
            assert response.status_code == 404, page
            assert "Puskesmas Abepura" not in response.content.decode()
            assert client.post(page, {"capacity": "1", "name": "x"}).status_code == 404, page

    assert schedule_counts(tenant_b) == before
