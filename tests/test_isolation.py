"""The cross-tenant table: every URL of an organiser's host, requested by each kind of
visitor, with the expected status and no side effect. A URL added to the tenant URLconf without
a row here fails `test_every_tenant_url_has_a_row`.

The visitors (ROLES): the organiser's owner, an administrator and a check-in staff member
(tenants.models.Membership roles), the owner of another organiser, and someone not signed in.
A row gives one status for each, in that order. Expected statuses: 200 page, 302 redirect (to
sign-in, or away from a page that does not apply), 403 API refusal for the anonymous, 404 "not
here" (the same answer as for a page that does not exist). A member of another organiser never
gets 200 from a member page; check-in staff get 404 from the organiser's settings pages
(organizer_pages.views.access.organizer_admin_page: owners and administrators only).

After every request, the rows of every table are counted (every model of the organiser's
schema, of the other organiser's schema and of the public schema, in one statement per schema)
and must not have changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.context import tenant_scope
from tenants.models import Membership, User
from tests.conftest import OrganizerFixture, host_client

ROLES = ("owner", "admin", "checkin_staff", "other_tenant", "anonymous")
Statuses = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class Row:
    """A URL as requested, and the status each of ROLES gets, in that order."""

    path: str
    owner: int
    admin: int
    checkin_staff: int
    other_tenant: int
    anonymous: int
    method: str = "get"
    data: dict[str, str] | None = None


def for_everyone(status: int) -> Statuses:
    return (status, status, status, status, status)


PUBLIC_PAGE = for_everyone(200)
NOT_HERE = for_everyone(404)
BAD_INPUT = for_everyone(400)
PROOF = {"date_of_birth": "1958-03-14"}
VOUCHER = "ZZZZ-ZZZZ"  # no booking in alpha has it
# Pages of any member of this organiser (the dashboard, one's own account).
MEMBER_PAGE: Statuses = (200, 200, 200, 404, 302)
MEMBER_REDIRECT: Statuses = (302, 302, 302, 404, 302)
# The organiser's settings: owners and administrators.
ADMIN_PAGE: Statuses = (200, 200, 404, 404, 302)
ADMIN_REDIRECT: Statuses = (302, 302, 404, 404, 302)
# A settings page for an object that does not exist: "not here" for everyone signed in.
MISSING_OBJECT: Statuses = (404, 404, 404, 404, 302)
# allauth answers 404 to a member who has no authenticator yet.
NEEDS_AUTHENTICATOR: Statuses = (404, 404, 404, 404, 302)

TABLE: dict[str, Row] = {
    "": Row("/", *PUBLIC_PAGE),
    "healthz": Row("/healthz", *PUBLIC_PAGE),
    # Booking pages (booking_pages/views/): anyone may book; ids that do not exist in
    # alpha are not here (another organiser's real ids: tests/booking_pages/views/test_schedule.py).
    # The steps after the arrival time send a visitor without one back to the start.
    "daftar/<int:programme_id>/": Row("/daftar/999999/", *NOT_HERE),
    "daftar/<int:programme_id>/<int:venue_id>/": Row("/daftar/999999/999999/", *NOT_HERE),
    "daftar/<int:programme_id>/<int:venue_id>/<str:day>/": Row(
        "/daftar/999999/999999/2030-01-01/", *NOT_HERE
    ),
    "daftar/data-diri/": Row("/daftar/data-diri/", *for_everyone(302)),
    "daftar/kontak/": Row("/daftar/kontak/", *for_everyone(302)),
    "daftar/kode-email/": Row("/daftar/kode-email/", *for_everyone(302), method="post", data={}),
    "daftar/periksa/": Row("/daftar/periksa/", *for_everyone(302), method="post", data={}),
    "daftar/selesai/": Row("/daftar/selesai/", *for_everyone(302)),
    "daftar/daftar-tunggu/": Row("/daftar/daftar-tunggu/", *for_everyone(302)),
    "daftar/tawaran/<token:token>/": Row("/daftar/tawaran/not-an-offer/", *NOT_HERE, method="post"),
    "undangan/<token:token>/": Row("/undangan/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", *NOT_HERE),
    # Managing a booking (booking_pages/views/manage.py): only with proof, in a session
    # of this organiser's host (real bookings: tests/booking_pages/views/test_manage.py).
    "janji/": Row("/janji/", *PUBLIC_PAGE),
    "janji/masuk/<token:token>/": Row("/janji/masuk/not-a-real-link/", *NOT_HERE, method="post"),
    "janji/<int:booking_id>/": Row("/janji/1/", *NOT_HERE),
    "janji/<int:booking_id>/batal/": Row("/janji/1/batal/", *NOT_HERE, method="post"),
    "janji/<int:booking_id>/ubah/": Row("/janji/1/ubah/", *NOT_HERE),
    "janji/<int:booking_id>/ubah/<str:day>/": Row(
        "/janji/1/ubah/2030-01-01/", *NOT_HERE, method="post", data={"slot": "1"}
    ),
    "janji/<int:booking_id>/kirim-ulang/": Row("/janji/1/kirim-ulang/", *NOT_HERE, method="post"),
    "i18n/setlang/": Row(
        "/i18n/setlang/", *for_everyone(302), method="post", data={"language": "en", "next": "/"}
    ),
    "kelola/": Row("/kelola/", *MEMBER_PAGE),
    # The organiser's application (alpha has none: a GET saves nothing; saving, submitting and
    # another organiser's application: tests/organizer_pages/views/test_application.py).
    "kelola/pengajuan/": Row("/kelola/pengajuan/", *ADMIN_PAGE),
    # Organiser pages (owners and administrators). Ids that do not exist in alpha: the real
    # cross-tenant objects are in tests/organizer_pages/views/ (test_access.py,
    # test_programmes.py).
    "kelola/dokumen/": Row("/kelola/dokumen/", *ADMIN_PAGE),
    "kelola/dokumen/<int:document_id>/lihat/": Row(
        "/kelola/dokumen/999999/lihat/", *MISSING_OBJECT
    ),
    "kelola/program/": Row("/kelola/program/", *ADMIN_PAGE),
    "kelola/program/baru/": Row("/kelola/program/baru/", *ADMIN_PAGE),
    "kelola/program/<int:programme_id>/": Row("/kelola/program/999999/", *MISSING_OBJECT),
    # Who may book a programme (tests/organizer_pages/views/test_eligibility.py has real
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
    # A roster import and its progress (JSON): real imports on both sides in
    # tests/organizer_pages/views/test_roster_imports.py.
    "kelola/program/<int:programme_id>/karyawan/impor/<int:import_id>/": Row(
        "/kelola/program/999999/karyawan/impor/999999/", *MISSING_OBJECT
    ),
    "kelola/program/<int:programme_id>/karyawan/impor/<int:import_id>/kemajuan/": Row(
        "/kelola/program/999999/karyawan/impor/999999/kemajuan/", *MISSING_OBJECT
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
    "kelola/lokasi/": Row("/kelola/lokasi/", *ADMIN_PAGE),
    "kelola/lokasi/baru/": Row("/kelola/lokasi/baru/", *ADMIN_PAGE),
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
    "kelola/libur/": Row("/kelola/libur/", *ADMIN_PAGE),
    "kelola/pesan/": Row("/kelola/pesan/?status=failed", *ADMIN_PAGE),
    "kelola/pesan/<int:message_id>/kirim-ulang/": Row(
        "/kelola/pesan/999999/kirim-ulang/", *ADMIN_REDIRECT, method="post"
    ),
    "kelola/tampilan/": Row("/kelola/tampilan/", *ADMIN_PAGE),
    "kelola/tampilan/pratinjau/": Row("/kelola/tampilan/pratinjau/", *ADMIN_PAGE),
    # The organiser's logo: alpha has none (tests/organizer_pages/views/test_branding.py has
    # one on each side).
    "logo/<str:version>.png": Row("/logo/0123456789abcdef.png", *NOT_HERE),
    "api/v1/organizer": Row("/api/v1/organizer", *PUBLIC_PAGE),
    "api/v1/me": Row("/api/v1/me", 200, 200, 200, 404, 403),
    # The application API (owners and administrators): alpha has none, so submitting is
    # refused as incomplete (409) and writes nothing. PATCH: tests/api/test_application.py.
    "api/v1/application": Row("/api/v1/application", 200, 200, 404, 404, 403),
    "api/v1/application/submit": Row(
        "/api/v1/application/submit", 409, 409, 404, 404, 403, method="post", data={}
    ),
    # The public booking API: the same answer for everyone; nothing here exists in alpha.
    "api/v1/programmes": Row("/api/v1/programmes", *PUBLIC_PAGE),
    "api/v1/venues": Row("/api/v1/venues", *PUBLIC_PAGE),
    "api/v1/venues/<int:venue_id>/slots": Row(
        "/api/v1/venues/999999/slots?date=2030-01-01", *NOT_HERE
    ),
    "api/v1/bookings": Row("/api/v1/bookings", *BAD_INPUT, method="post", data={}),
    "api/v1/bookings/<str:voucher_code>/view": Row(
        f"/api/v1/bookings/{VOUCHER}/view", *NOT_HERE, method="post", data=PROOF
    ),
    "api/v1/bookings/<str:voucher_code>/cancel": Row(
        f"/api/v1/bookings/{VOUCHER}/cancel", *NOT_HERE, method="post", data=PROOF
    ),
    "api/v1/bookings/<str:voucher_code>/reschedule": Row(
        f"/api/v1/bookings/{VOUCHER}/reschedule",
        *NOT_HERE,
        method="post",
        data={**PROOF, "slot_id": 1},
    ),
    "api/v1/waitlist": Row("/api/v1/waitlist", *BAD_INPUT, method="post", data={}),
    "api/v1/waitlist/offers/<token:token>/accept": Row(
        "/api/v1/waitlist/offers/no-such-offer/accept", *NOT_HERE, method="post", data={}
    ),
    # The organiser's documents (api/v1/documents.py): owners and administrators.
    "api/v1/documents": Row("/api/v1/documents", 200, 200, 404, 404, 403),
    "api/v1/documents/<int:document_id>": Row(
        "/api/v1/documents/999999", 404, 404, 404, 404, 403, method="delete"
    ),
    "api/v1/documents/<int:document_id>/confirm": Row(
        "/api/v1/documents/999999/confirm", 404, 404, 404, 404, 403, method="post"
    ),
    "api/v1/documents/<int:document_id>/link": Row(
        "/api/v1/documents/999999/link", 404, 404, 404, 404, 403
    ),
    "api/v1/schema": Row("/api/v1/schema", *PUBLIC_PAGE),
    # Any other path under /api/: the API's JSON 404 (api.v1.views.NotFoundView).
    "api/": Row("/api/v1/venues/not-a-number/slots", *NOT_HERE),
    # Signing in and out.
    "accounts/login/": Row("/accounts/login/", 302, 302, 302, 302, 200),
    "accounts/logout/": Row("/accounts/logout/", 200, 200, 200, 200, 302),
    "accounts/inactive/": Row("/accounts/inactive/", *PUBLIC_PAGE),
    "accounts/signup/": Row(
        "/accounts/signup/", 302, 302, 302, 302, 200
    ),  # 200: "sign-up is closed"
    "accounts/login/code/confirm/": Row("/accounts/login/code/confirm/", *for_everyone(302)),
    "accounts/2fa/authenticate/": Row("/accounts/2fa/authenticate/", *for_everyone(302)),
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


def _tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            [schema],
        )
        return [name for (name,) in cursor.fetchall()]


# The schemas a request must leave as they were: the host's organiser (alpha), the other
# organiser (beta; tests/conftest.py provisions both) and the control plane.
SCHEMAS = ("public", "alpha", "beta")


@dataclass(frozen=True)
class RowCounts:
    """One statement per schema counting the rows of every table in it: exact counts (not the
    planner's estimates) in one UNION ALL."""

    statements: dict[str, str]

    def now(self) -> dict[str, int]:
        counts = {}
        with connection.cursor() as cursor:
            for schema, statement in self.statements.items():
                cursor.execute(statement)
                counts.update({f"{schema}.{table}": rows for table, rows in cursor.fetchall()})
        return counts


@pytest.fixture(scope="session")
def row_counts(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> RowCounts:
    """The tables are read from the catalogue once; every model's table must be among them."""
    quote = connection.ops.quote_name
    tables = {}
    with django_db_blocker.unblock():
        for schema in SCHEMAS:
            tables[schema] = _tables(schema)
    models = apps.get_models(include_auto_created=True)
    shared = {m._meta.db_table for m in models if m._meta.app_config.name in settings.SHARED_APPS}
    in_tenant = {
        m._meta.db_table for m in models if m._meta.app_config.name in settings.TENANT_APPS
    }
    assert shared
    assert in_tenant
    assert shared <= set(tables["public"])
    assert in_tenant <= set(tables["alpha"])
    assert in_tenant <= set(tables["beta"])
    return RowCounts(
        {
            schema: " UNION ALL ".join(
                f"SELECT '{table}', count(*) FROM {quote(schema)}.{quote(table)}"  # noqa: S608
                for table in names  # names from the catalogue: plain lowercase identifiers
            )
            for schema, names in tables.items()
        }
    )


def _forget_wrong_proofs(organizer: OrganizerFixture) -> None:
    """Each request starts with no wrong tries counted: the table tries the one voucher code
    once per visitor and route, more than the limit of wrong tries (organizers.services.
    proof_limits) allows in an hour."""
    from django.core.cache import caches

    from organizers.services.eligibility import proof_limits

    with tenant_scope(organizer.tenant):
        caches["global"].delete_many(list(proof_limits._keys(VOUCHER, "127.0.0.1")))


@pytest.fixture
def visitors(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, make_member: Callable[..., User]
) -> dict[str, User | None]:
    return {
        "owner": tenant_a.owner,
        "admin": make_member(tenant_a, Membership.Role.ADMIN, "admin@alpha.test"),
        "checkin_staff": make_member(tenant_a, Membership.Role.CHECKIN_STAFF, "checkin@alpha.test"),
        "other_tenant": tenant_b.owner,
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("route", sorted(TABLE))
def test_tenant_url_answers_each_kind_of_visitor(
    route: str,
    who: str,
    tenant_a: OrganizerFixture,
    visitors: dict[str, User | None],
    row_counts: RowCounts,
) -> None:
    row = TABLE[route]
    _forget_wrong_proofs(tenant_a)
    client = host_client(tenant_a.host, user=visitors[who])
    before = row_counts.now()

    if row.path.startswith("/api/") and row.method == "post":
        response = client.post(row.path, row.data or {}, content_type="application/json")
    else:
        response = getattr(client, row.method)(row.path, row.data or {})

    assert response.status_code == getattr(row, who)
    after = row_counts.now()
    assert {k: (before[k], after[k]) for k in before if before[k] != after[k]} == {}
    if who == "other_tenant":
        assert tenant_a.owner.email not in response.content.decode()


def test_the_row_count_sees_a_row_in_any_table(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, row_counts: RowCounts
) -> None:
    """Not three tables: a row in a table no route is about, in any schema, is seen."""
    import datetime as dt

    from organizers.models import BlackoutDay
    from tenants.models import VaccineBrand

    before = row_counts.now()
    VaccineBrand.objects.create(code="isolation-check", name="Isolation check")
    for organizer in (tenant_a, tenant_b):
        with tenant_scope(organizer.tenant):
            BlackoutDay.objects.create(day=dt.date(2030, 1, 1))
    after = row_counts.now()

    changed = {k for k in before if before[k] != after[k]}
    assert changed == {
        "public.tenants_vaccinebrand",
        "alpha.organizers_blackoutday",
        "beta.organizers_blackoutday",
    }
