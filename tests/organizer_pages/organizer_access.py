"""Assertions shared by the organiser-page tests: who may open a set of /kelola/ pages."""

from __future__ import annotations

from tenants.models import User
from tests.conftest import OrganizerFixture, host_client


def assert_owners_and_admins_see(
    organizer: OrganizerFixture, admin: User, pages: list[str]
) -> None:
    for user in (organizer.owner, admin):
        client = host_client(organizer.host, user=user)
        assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)


def assert_check_in_staff_refused_and_anonymous_sent_to_sign_in(
    organizer: OrganizerFixture, staff: User, pages: list[str], form: dict[str, str]
) -> None:
    """404 for check-in staff (reading or posting), the sign-in page for the anonymous."""
    member, anonymous = host_client(organizer.host, user=staff), host_client(organizer.host)
    for page in pages:
        assert member.get(page).status_code == 404, page
        assert member.post(page, form).status_code == 404, page
        redirect = anonymous.get(page)
        assert redirect.status_code == 302, page
        assert redirect["Location"].startswith("/accounts/login/?next="), page
