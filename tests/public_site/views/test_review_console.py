"""The staff review console on the root domain: every URL of it, asked by each kind of
visitor (the anonymous, a signed-in organiser, platform staff without TOTP, platform staff
with TOTP), with the status each gets and nothing changed by those refused. A console URL
added without a row fails `test_every_console_url_has_a_row`. Then the console at work."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from applications.services import application_draft_save
from tenants.models import AuditEntry, ReviewItem, Tenant, User
from tenants.services.lifecycle import organiser_submit
from tests.applications.documents import documents_received
from tests.conftest import PASSWORD, ROOT_HOST, OrganizerFixture, host_client

VISITORS = ("anonymous", "organiser", "staff_without_totp", "staff_with_totp")


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    statuses: tuple[int, int, int, int]  # in the order of VISITORS


ROWS = (
    Row("staf/", "get", (302, 404, 302, 200)),
    Row("staf/organisasi/<uuid:uid>/", "get", (302, 404, 302, 200)),
    Row("staf/organisasi/<uuid:uid>/dokumen/<int:document_id>/", "get", (302, 404, 302, 302)),
    Row("staf/item/<int:item_id>/klaim/", "post", (302, 404, 302, 302)),
    Row("staf/item/<int:item_id>/keputusan/", "post", (302, 404, 302, 302)),
)


def _console_routes(patterns: list, prefix: str = "") -> set[str]:
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= _console_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if route.startswith("staf/"):
                found.add(route)
    return found


def test_every_console_url_has_a_row() -> None:
    assert _console_routes(get_resolver("config.urls_public").url_patterns) == {
        row.route for row in ROWS
    }


@pytest.fixture
def staff_with_totp(make_user: Callable[..., User]) -> User:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    return staff


def _client(visitor: str, tenant: OrganizerFixture, make_user: Callable[..., User]) -> Client:
    if visitor == "anonymous":
        return host_client(ROOT_HOST)
    if visitor == "organiser":
        return host_client(ROOT_HOST, tenant.owner)
    staff = make_user(f"{visitor}@sentra.test", is_staff=True)
    if visitor == "staff_with_totp":
        TOTP.activate(staff, generate_totp_secret())
    return host_client(ROOT_HOST, staff)


def _submitted(organizer: OrganizerFixture) -> ReviewItem:
    Tenant.objects.filter(pk=organizer.tenant.pk).update(review_status="draft")
    organiser_submit(tenant=Tenant.objects.get(pk=organizer.tenant.pk), by=organizer.owner)
    return ReviewItem.objects.get(kind="organiser", tenant=organizer.tenant)


def _snapshot() -> tuple:
    return (
        list(ReviewItem.objects.order_by("id").values_list("id", "state", "claimed_by_id")),
        AuditEntry.objects.count(),
        list(Tenant.objects.order_by("id").values_list("id", "review_status")),
    )


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.route)
@pytest.mark.parametrize("visitor", VISITORS)
def test_console_url_answers_each_kind_of_visitor(
    tenant_a: OrganizerFixture,
    make_user: Callable[..., User],
    row: Row,
    visitor: str,
    document_bucket: str,
) -> None:
    item = _submitted(tenant_a)
    path = "/" + re.sub(r"<uuid:uid>", str(tenant_a.tenant.uid), row.route)
    path = re.sub(r"<int:item_id>", str(item.id), path)
    path = re.sub(r"<int:document_id>", str(documents_received(tenant_a.tenant)[0].id), path)
    client = _client(visitor, tenant_a, make_user)
    before = _snapshot()

    if row.method == "get":
        response = client.get(path)
    else:
        response = client.post(path, {"decision": "approve"})

    expected = row.statuses[VISITORS.index(visitor)]
    assert response.status_code == expected, (visitor, row.route)
    if visitor == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    if visitor == "staff_without_totp":
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    if visitor != "staff_with_totp":
        assert _snapshot() == before


def test_the_console_is_not_on_an_organisers_host(
    tenant_a: OrganizerFixture, staff_with_totp: User
) -> None:
    client = host_client(tenant_a.host, staff_with_totp)

    assert client.get("/staf/").status_code == 404


def test_a_reviewer_claims_decides_and_sees_the_history(
    tenant_a: OrganizerFixture, staff_with_totp: User, make_user: Callable[..., User]
) -> None:
    item = _submitted(tenant_a)
    client = host_client(ROOT_HOST, staff_with_totp)

    queue = client.get("/staf/").content.decode()
    assert "Alpha Clinic" in queue
    claimed = client.post(f"/staf/item/{item.id}/klaim/")
    refused = client.post(f"/staf/item/{item.id}/keputusan/", {"decision": "reject", "reason": ""})
    decided = client.post(
        f"/staf/item/{item.id}/keputusan/",
        {"decision": "request_changes", "reason": "NIB tidak terbaca"},
    )
    page = client.get(f"/staf/organisasi/{tenant_a.tenant.uid}/").content.decode()

    organiser_page = f"/staf/organisasi/{tenant_a.tenant.uid}/"
    assert claimed["Location"] == refused["Location"] == decided["Location"] == organiser_page
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).review_status == "changes_requested"
    assert "Tuliskan alasannya." in page  # the refused decision's message, in Indonesian
    assert "NIB tidak terbaca" in page  # in the history
    assert "organiser.request_changes" in page
    assert list(
        AuditEntry.objects.filter(tenant=tenant_a.tenant).values_list("action", "actor_email")
    ) == [
        ("organiser.submit", "owner@alpha.test"),
        ("organiser.review_start", "reviewer@sentra.test"),
        ("organiser.request_changes", "reviewer@sentra.test"),
        ("console.organiser_view", "reviewer@sentra.test"),  # the look-up is recorded
    ]
    assert "console.organiser_view" not in page  # not a step of the review's rounds


def test_a_second_reviewer_is_told_the_item_is_claimed(
    tenant_a: OrganizerFixture, staff_with_totp: User, make_user: Callable[..., User]
) -> None:
    item = _submitted(tenant_a)
    host_client(ROOT_HOST, staff_with_totp).post(f"/staf/item/{item.id}/klaim/")
    other = make_user("other@sentra.test", is_staff=True)
    TOTP.activate(other, generate_totp_secret())
    client = host_client(ROOT_HOST, other)

    client.post(f"/staf/item/{item.id}/klaim/")
    client.post(f"/staf/item/{item.id}/keputusan/", {"decision": "approve"})
    page = client.get(f"/staf/organisasi/{tenant_a.tenant.uid}/").content.decode()

    assert "Pemeriksa lain sudah mengambil item ini." in page
    assert "Ambil item ini sebelum Anda memutuskan." in page
    assert Tenant.objects.get(pk=tenant_a.tenant.pk).review_status == "in_review"
    assert ReviewItem.objects.get(id=item.id).claimed_by_id == staff_with_totp.id


def test_queue_filters_are_read_and_bad_ones_ignored(
    tenant_a: OrganizerFixture, staff_with_totp: User
) -> None:
    _submitted(tenant_a)
    # Venues of Alpha that earlier tests left waiting would name it in their rows.
    ReviewItem.objects.filter(kind="venue", tenant=tenant_a.tenant).delete()
    client = host_client(ROOT_HOST, staff_with_totp)

    venues_only = client.get("/staf/?kind=venue").content.decode()
    nonsense = client.get("/staf/?state=<script>&province=Mars")

    assert "Alpha Clinic" not in venues_only
    assert nonsense.status_code == 200
    assert "<script>" not in nonsense.content.decode()


def test_staff_land_on_the_console_after_signing_in_with_their_code(
    make_user: Callable[..., User],
) -> None:
    from tests.tenants.test_mfa import _current_code

    staff = make_user("lander@sentra.test", is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client = host_client(ROOT_HOST)

    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    landed = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})

    assert landed["Location"] == "/staf/"
    assert client.get("/staf/").status_code == 200


def test_staff_land_on_the_console_after_setting_totp_up(make_user: Callable[..., User]) -> None:
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from tests.tenants.test_mfa import _current_code

    staff = make_user("new-reviewer@sentra.test", is_staff=True)
    client = host_client(ROOT_HOST)
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]

    done = client.post("/accounts/2fa/totp/activate/", {"code": _current_code(secret)})

    assert done["Location"] == "/staf/"
    assert "Simpan kode pemulihan" in client.get("/staf/").content.decode()


def test_staff_see_the_application_and_view_a_document_through_a_short_link_logged(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    staff_with_totp: User,
    document_bucket: str,
) -> None:
    item = _submitted(tenant_a)
    application_draft_save(
        tenant=tenant_a.tenant,
        by=tenant_a.owner,
        changes={"legal_name": "PT Klinik Alpha Sehat", "province_code": "32"},
    )
    nib = documents_received(tenant_a.tenant)[1]
    theirs = documents_received(tenant_b.tenant)[0]
    client = host_client(ROOT_HOST, staff_with_totp)
    page = f"/staf/organisasi/{tenant_a.tenant.uid}/"

    body = client.get(page).content.decode()
    viewed = client.get(f"{page}dokumen/{nib.id}/")
    other = client.get(f"{page}dokumen/{theirs.id}/")  # another organiser's, by id

    assert "PT Klinik Alpha Sehat" in body
    assert "Jawa Barat" in body
    assert nib.document_type.name_id in body
    assert f'href="{page}dokumen/{nib.id}/"' in body
    assert viewed.status_code == 302
    assert f"/{nib.key}?" in viewed["Location"]
    assert "X-Amz-Expires=" in viewed["Location"]
    assert other.status_code == 404
    logged = AuditEntry.objects.filter(action="console.document_view", actor=staff_with_totp)
    assert list(logged.values_list("tenant_id", "after")) == [
        (tenant_a.tenant.id, {"document_id": nib.id})
    ]
    assert item.tenant_id == tenant_a.tenant.id
