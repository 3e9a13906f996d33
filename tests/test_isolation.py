"""The cross-tenant table: every URL of an organiser's host, requested by a member of that
organiser, by a member of another organiser, and anonymously, with the expected status and no
side effect. A URL added to the tenant URLconf without a row here fails
`test_every_tenant_url_has_a_row`.

Expected statuses: 200 page, 302 redirect (to sign-in, or away from a page that does not apply),
403 API refusal for the anonymous, 404 "not here" (the same answer as for a page that does not
exist). A member of another organiser never gets 200 from a member page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.context import tenant_scope
from tenants.models import Domain, Membership, OrganizerSignup, Tenant, User
from tests.conftest import OrganizerFixture, host_client


@dataclass(frozen=True)
class Row:
    path: str
    member: int
    other_tenant: int
    anonymous: int
    method: str = "get"
    data: dict[str, str] | None = None


PUBLIC_PAGE = (200, 200, 200)
NOT_HERE = (404, 404, 404)
BAD_INPUT = (400, 400, 400)
PROOF = {"date_of_birth": "1958-03-14"}
MEMBER_PAGE = (200, 404, 302)
MEMBER_REDIRECT = (302, 404, 302)
# A member page for an object that does not exist: "not here" for everyone signed in.
MISSING_OBJECT = (404, 404, 302)
# allauth answers 404 to a member who has no authenticator yet.
NEEDS_AUTHENTICATOR = (404, 404, 302)

TABLE: dict[str, Row] = {
    "": Row("/", *PUBLIC_PAGE),
    "healthz": Row("/healthz", *PUBLIC_PAGE),
    # Booking pages (public_site/views/booking.py): anyone may book; ids that do not exist in
    # alpha are not here (another organiser's real ids: tests/public_site/test_booking_pages.py).
    # The steps after the arrival time send a visitor without one back to the start.
    "daftar/<int:programme_id>/": Row("/daftar/999999/", *NOT_HERE),
    "daftar/<int:programme_id>/<int:venue_id>/": Row("/daftar/999999/999999/", *NOT_HERE),
    "daftar/<int:programme_id>/<int:venue_id>/<str:day>/": Row(
        "/daftar/999999/999999/2030-01-01/", *NOT_HERE
    ),
    "daftar/data-diri/": Row("/daftar/data-diri/", 302, 302, 302),
    "daftar/kontak/": Row("/daftar/kontak/", 302, 302, 302),
    "daftar/kode-email/": Row("/daftar/kode-email/", 302, 302, 302, method="post", data={}),
    "daftar/periksa/": Row("/daftar/periksa/", 302, 302, 302, method="post", data={}),
    "daftar/selesai/": Row("/daftar/selesai/", 302, 302, 302),
    "daftar/daftar-tunggu/": Row("/daftar/daftar-tunggu/", 302, 302, 302),
    "daftar/tawaran/<str:token>/": Row("/daftar/tawaran/not-an-offer/", *NOT_HERE, method="post"),
    "undangan/<str:token>/": Row("/undangan/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", *NOT_HERE),
    # Managing a booking (public_site/views/manage_booking.py): only with proof, in a session
    # of this organiser's host (real bookings: tests/public_site/test_manage_booking.py).
    "janji/": Row("/janji/", *PUBLIC_PAGE),
    "janji/masuk/<str:token>/": Row("/janji/masuk/not-a-real-link/", *NOT_HERE, method="post"),
    "janji/<int:booking_id>/": Row("/janji/1/", *NOT_HERE),
    "janji/<int:booking_id>/batal/": Row("/janji/1/batal/", *NOT_HERE, method="post"),
    "janji/<int:booking_id>/ubah/": Row("/janji/1/ubah/", *NOT_HERE),
    "janji/<int:booking_id>/ubah/<str:day>/": Row(
        "/janji/1/ubah/2030-01-01/", *NOT_HERE, method="post", data={"slot": "1"}
    ),
    "janji/<int:booking_id>/kirim-ulang/": Row("/janji/1/kirim-ulang/", *NOT_HERE, method="post"),
    "i18n/setlang/": Row(
        "/i18n/setlang/", 302, 302, 302, method="post", data={"language": "en", "next": "/"}
    ),
    "kelola/": Row("/kelola/", *MEMBER_PAGE),
    # Organiser pages (owners and administrators). Ids that do not exist in alpha: the real
    # cross-tenant objects are in tests/public_site/test_organizer_pages.py.
    "kelola/program/": Row("/kelola/program/", *MEMBER_PAGE),
    "kelola/program/baru/": Row("/kelola/program/baru/", *MEMBER_PAGE),
    "kelola/program/<int:programme_id>/": Row("/kelola/program/999999/", *MISSING_OBJECT),
    # Who may book a programme (tests/public_site/test_organizer_eligibility.py has real
    # programmes on both sides).
    "kelola/program/<int:programme_id>/siapa-boleh/": Row(
        "/kelola/program/999999/siapa-boleh/", *MISSING_OBJECT
    ),
    "kelola/program/<int:programme_id>/siapa-boleh/usia/<int:rule_id>/hapus/": Row(
        "/kelola/program/999999/siapa-boleh/usia/999999/hapus/", *MISSING_OBJECT, method="post"
    ),
    "kelola/program/<int:programme_id>/karyawan/": Row(
        "/kelola/program/999999/karyawan/", *MISSING_OBJECT
    ),
    "kelola/program/<int:programme_id>/karyawan/<int:entry_id>/hapus/": Row(
        "/kelola/program/999999/karyawan/999999/hapus/", *MISSING_OBJECT, method="post"
    ),
    "kelola/program/<int:programme_id>/undangan/": Row(
        "/kelola/program/999999/undangan/", *MISSING_OBJECT
    ),
    "kelola/program/<int:programme_id>/undangan/<int:invite_id>/cabut/": Row(
        "/kelola/program/999999/undangan/999999/cabut/", *MISSING_OBJECT, method="post"
    ),
    "kelola/lokasi/": Row("/kelola/lokasi/", *MEMBER_PAGE),
    "kelola/lokasi/baru/": Row("/kelola/lokasi/baru/", *MEMBER_PAGE),
    "kelola/lokasi/<int:venue_id>/": Row("/kelola/lokasi/999999/", *MISSING_OBJECT),
    "kelola/lokasi/<int:venue_id>/jadwal/baru/": Row(
        "/kelola/lokasi/999999/jadwal/baru/", *MISSING_OBJECT
    ),
    "kelola/lokasi/<int:venue_id>/jadwal/<int:template_id>/": Row(
        "/kelola/lokasi/999999/jadwal/999999/", *MISSING_OBJECT
    ),
    "kelola/lokasi/<int:venue_id>/kalender/": Row(
        "/kelola/lokasi/999999/kalender/?minggu=2030-01-07", *MISSING_OBJECT
    ),
    "kelola/slot/<int:slot_id>/": Row("/kelola/slot/999999/", *MISSING_OBJECT),
    "kelola/libur/": Row("/kelola/libur/", *MEMBER_PAGE),
    "kelola/pesan/": Row("/kelola/pesan/?status=failed", *MEMBER_PAGE),
    "kelola/pesan/<int:message_id>/kirim-ulang/": Row(
        "/kelola/pesan/999999/kirim-ulang/", *MEMBER_REDIRECT, method="post"
    ),
    "kelola/tampilan/": Row("/kelola/tampilan/", *MEMBER_PAGE),
    "kelola/tampilan/pratinjau/": Row("/kelola/tampilan/pratinjau/", *MEMBER_PAGE),
    # The organiser's logo: alpha has none (tests/public_site/test_organizer_branding.py has
    # one on each side).
    "logo/<str:version>.png": Row("/logo/0123456789abcdef.png", *NOT_HERE),
    "api/v1/organizer": Row("/api/v1/organizer", *PUBLIC_PAGE),
    "api/v1/me": Row("/api/v1/me", 200, 404, 403),
    # The public booking API: the same answer for everyone; nothing here exists in alpha.
    "api/v1/programmes": Row("/api/v1/programmes", *PUBLIC_PAGE),
    "api/v1/venues": Row("/api/v1/venues", *PUBLIC_PAGE),
    "api/v1/venues/<int:venue_id>/slots": Row(
        "/api/v1/venues/999999/slots?date=2030-01-01", *NOT_HERE
    ),
    "api/v1/bookings": Row("/api/v1/bookings", *BAD_INPUT, method="post", data={}),
    "api/v1/bookings/<str:voucher_code>/view": Row(
        "/api/v1/bookings/ZZZZ-ZZZZ/view", *NOT_HERE, method="post", data=PROOF
    ),
    "api/v1/bookings/<str:voucher_code>/cancel": Row(
        "/api/v1/bookings/ZZZZ-ZZZZ/cancel", *NOT_HERE, method="post", data=PROOF
    ),
    "api/v1/bookings/<str:voucher_code>/reschedule": Row(
        "/api/v1/bookings/ZZZZ-ZZZZ/reschedule",
        *NOT_HERE,
        method="post",
        data={**PROOF, "slot_id": 1},
    ),
    "api/v1/waitlist": Row("/api/v1/waitlist", *BAD_INPUT, method="post", data={}),
    "api/v1/waitlist/offers/<str:token>/accept": Row(
        "/api/v1/waitlist/offers/no-such-offer/accept", *NOT_HERE, method="post", data={}
    ),
    "api/v1/schema": Row("/api/v1/schema", *PUBLIC_PAGE),
    # Signing in and out.
    "accounts/login/": Row("/accounts/login/", 302, 302, 200),
    "accounts/logout/": Row("/accounts/logout/", 200, 200, 302),
    "accounts/inactive/": Row("/accounts/inactive/", *PUBLIC_PAGE),
    "accounts/signup/": Row("/accounts/signup/", 302, 302, 200),  # 200: "sign-up is closed"
    "accounts/login/code/confirm/": Row("/accounts/login/code/confirm/", 302, 302, 302),
    "accounts/2fa/authenticate/": Row("/accounts/2fa/authenticate/", 302, 302, 302),
    # Email confirmation and password reset work by key, for anyone holding the key.
    "accounts/confirm-email/": Row("/accounts/confirm-email/", *PUBLIC_PAGE),
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": Row(
        "/accounts/confirm-email/not-a-real-key/", *PUBLIC_PAGE
    ),
    "accounts/password/reset/": Row("/accounts/password/reset/", *PUBLIC_PAGE),
    "accounts/password/reset/done/": Row("/accounts/password/reset/done/", *PUBLIC_PAGE),
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": Row(
        "/accounts/password/reset/key/1-not-a-real-key/", *PUBLIC_PAGE
    ),
    "accounts/password/reset/key/done/": Row("/accounts/password/reset/key/done/", *PUBLIC_PAGE),
    # The signed-in user's own account pages: members only on an organiser's host.
    "accounts/email/": Row("/accounts/email/", *MEMBER_PAGE),
    "accounts/password/change/": Row("/accounts/password/change/", *MEMBER_PAGE),
    "accounts/password/set/": Row("/accounts/password/set/", *MEMBER_REDIRECT),
    "accounts/reauthenticate/": Row("/accounts/reauthenticate/", *MEMBER_PAGE),
    "accounts/reauthenticate/code/": Row("/accounts/reauthenticate/code/", *MEMBER_PAGE),
    "accounts/reauthenticate/code/confirm/": Row(
        "/accounts/reauthenticate/code/confirm/", *MEMBER_REDIRECT
    ),
    "accounts/2fa/": Row("/accounts/2fa/", *MEMBER_PAGE),
    "accounts/2fa/reauthenticate/": Row("/accounts/2fa/reauthenticate/", *MEMBER_REDIRECT),
    "accounts/2fa/totp/activate/": Row("/accounts/2fa/totp/activate/", *MEMBER_REDIRECT),
    "accounts/2fa/totp/deactivate/": Row("/accounts/2fa/totp/deactivate/", *NEEDS_AUTHENTICATOR),
    "accounts/2fa/recovery-codes/": Row("/accounts/2fa/recovery-codes/", *NEEDS_AUTHENTICATOR),
    "accounts/2fa/recovery-codes/generate/": Row(
        "/accounts/2fa/recovery-codes/generate/", *MEMBER_REDIRECT
    ),
    "accounts/2fa/recovery-codes/download/": Row(
        "/accounts/2fa/recovery-codes/download/", *NEEDS_AUTHENTICATOR
    ),
}


def _tenant_routes() -> Iterator[str]:
    def walk(patterns: list, prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    yield from walk(get_resolver("config.urls_tenant").url_patterns, "")


def test_every_tenant_url_has_a_row() -> None:
    routes = set(_tenant_routes())

    assert sorted(routes - TABLE.keys()) == [], "add a row to TABLE for each new tenant URL"
    assert sorted(TABLE.keys() - routes) == [], "remove rows of URLs that no longer exist"


def _state(tenant: Tenant) -> dict[str, int]:
    """Row counts a request must not change."""
    from organizers.models import Programme, Slot, Venue

    counts = {
        model.__name__: model.objects.count()
        for model in (User, Membership, Tenant, Domain, OrganizerSignup, EmailAddress)
    }
    counts["Authenticator"] = Authenticator.objects.count()
    with tenant_scope(tenant):
        for model in (Programme, Venue, Slot):
            counts[f"tenant.{model.__name__}"] = model.objects.count()
    return counts


@pytest.mark.parametrize("who", ["member", "other_tenant", "anonymous"])
@pytest.mark.parametrize("route", sorted(TABLE))
def test_tenant_url_answers_each_kind_of_visitor(
    route: str, who: str, tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    row = TABLE[route]
    user = {"member": tenant_a.owner, "other_tenant": tenant_b.owner, "anonymous": None}[who]
    client = host_client(tenant_a.host, user=user)
    before = _state(tenant_a.tenant)

    if row.path.startswith("/api/") and row.method == "post":
        response = client.post(row.path, row.data or {}, content_type="application/json")
    else:
        response = getattr(client, row.method)(row.path, row.data or {})

    assert response.status_code == getattr(row, who)
    assert _state(tenant_a.tenant) == before
    if who == "other_tenant":
        assert tenant_a.owner.email not in response.content.decode()
