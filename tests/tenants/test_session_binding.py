"""A session belongs to the host it was made on (tenants.middleware.SessionTenantBindingMiddleware):
a session cookie copied from one organiser's host to another's carries nothing across."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from organizers.models import Booking
from organizers.services.booking import engine
from tenants.context import tenant_scope
from tests.booking_pages.booking_steps import (  # noqa: F401 - `place` is a fixture
    choose_time,
    enter_person,
    place,
    press_book,
)
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def test_a_copied_session_cookie_shows_nothing_of_another_organiser(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    place: dict,  # noqa: F811
) -> None:
    booker = host_client(tenant_a.host)
    choose_time(booker, place)
    enter_person(booker)
    assert press_book(booker).status_code == 302
    with tenant_scope(tenant_a.tenant):
        own_id = Booking.objects.get().id
    # Beta has a booking with the same id (ids are counted per organiser).
    with tenant_scope(tenant_b.tenant):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('organizers_booking', 'id'), %s, false)",
                [own_id],
            )
        programme, venue = a_programme(), a_venue(name="Beta Hall")
        slot = a_slot(venue=venue, programme=programme)
        victim = engine.booking_create(
            programme_id=programme.id,
            slot_id=slot.id,
            dose=1,
            person=a_person(name="Victim Beta", email="victim@beta.id"),
        )
    assert victim.id == own_id

    intruder = host_client(tenant_b.host)
    stolen = booker.cookies[settings.SESSION_COOKIE_NAME].value
    intruder.cookies[settings.SESSION_COOKIE_NAME] = stolen
    done = intruder.get("/daftar/selesai/")
    manage = intruder.get(f"/janji/{victim.id}/")

    assert done.status_code == 302  # an empty session: back to the start
    assert manage.status_code == 404
    for response in (done, manage):
        assert "Victim Beta" not in response.content.decode()
    # The booker's own session on alpha is untouched.
    assert booker.get("/daftar/selesai/").status_code == 200


def test_a_session_flushed_and_refilled_during_a_request_is_bound_again(
    tenant_a: OrganizerFixture,
) -> None:
    """What django.contrib.auth.login does when another user was signed in: flush, then
    write. The new session must carry the host's binding too."""
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from tenants.middleware import SESSION_SCHEMA_KEY, SessionTenantBindingMiddleware

    def sign_in_again(request: object) -> HttpResponse:
        request.session.flush()
        request.session["_auth_user_id"] = "2"
        return HttpResponse("ok")

    stack = SessionMiddleware(SessionTenantBindingMiddleware(sign_in_again))
    request = RequestFactory().get("/", HTTP_HOST=tenant_a.host)
    request.tenant = tenant_a.tenant
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.session[SESSION_SCHEMA_KEY] = tenant_a.tenant.schema_name
    request.session.save()
    cookie = request.session.session_key

    request = RequestFactory().get("/", HTTP_HOST=tenant_a.host)
    request.tenant = tenant_a.tenant
    request.COOKIES[settings.SESSION_COOKIE_NAME] = cookie
    stack(request)

    assert request.session.get("_auth_user_id") == "2"
    assert request.session.get(SESSION_SCHEMA_KEY) == tenant_a.tenant.schema_name
