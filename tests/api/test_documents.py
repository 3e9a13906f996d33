"""The organiser's documents on API v1: presign, upload to the S3 server, confirm, list, link,
delete; structured refusals; another organiser's ids are 404 and change nothing."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from documents.models import Document
from documents.services import document_verify
from tests.conftest import OrganizerFixture, host_client
from tests.documents import samples

pytestmark = pytest.mark.usefixtures("document_bucket")


def presign(client: object, **body: object) -> object:
    payload = {"type": "nib", "content_type": "application/pdf", "size": 1000, **body}
    return client.post("/api/v1/documents", payload, content_type="application/json")  # type: ignore[attr-defined]


def test_owner_uploads_straight_to_s3_and_lists_the_received_document(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, tenant_a.owner)
    data = samples.pdf()

    started = presign(client, size=len(data), number="9120001234567").json()  # type: ignore[attr-defined]
    conditions = json.loads(base64.b64decode(started["upload"]["fields"]["policy"]))["conditions"]
    assert {"key": started["upload"]["fields"]["key"]} in conditions
    sent = requests.post(
        started["upload"]["url"],
        data=started["upload"]["fields"],
        files={"file": ("whatever.pdf", data)},
        timeout=30,
    )
    assert sent.status_code in (200, 204)
    confirmed = client.post(f"/api/v1/documents/{started['document']['id']}/confirm")
    assert (confirmed.status_code, confirmed.json()["state"]) == (202, "verifying")
    document_verify(document_id=started["document"]["id"])  # what the worker does

    listed = client.get("/api/v1/documents").json()
    assert [(d["type"], d["state"], d["number"]) for d in listed] == [
        ("nib", "received", "9120001234567")
    ]
    link = client.get(f"/api/v1/documents/{started['document']['id']}/link").json()
    assert requests.get(link["url"], timeout=30).content == data
    assert link["expires_in"] == 300


def test_oversize_and_unknown_type_are_structured_refusals(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host, tenant_a.owner)

    too_large = presign(client, size=50 * 1024 * 1024)
    assert too_large.status_code == 400  # type: ignore[attr-defined]
    assert too_large.json()["error"]["code"] == "too_large"  # type: ignore[attr-defined]
    svg = presign(client, content_type="image/svg+xml")
    assert svg.status_code == 400  # type: ignore[attr-defined]
    assert svg.json()["error"]["code"] == "invalid"  # type: ignore[attr-defined]
    assert not Document.objects.filter(tenant=tenant_a.tenant).exists()


def test_other_tenants_document_is_not_found_and_unchanged(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    owner_a = host_client(tenant_a.host, tenant_a.owner)
    document_id = presign(owner_a).json()["document"]["id"]  # type: ignore[attr-defined]
    owner_b = host_client(tenant_b.host, tenant_b.owner)

    for answer in (
        owner_b.post(f"/api/v1/documents/{document_id}/confirm"),
        owner_b.delete(f"/api/v1/documents/{document_id}"),
        owner_b.get(f"/api/v1/documents/{document_id}/link"),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    assert owner_b.get("/api/v1/documents").json() == []
    assert Document.objects.get(id=document_id).state == Document.State.AWAITING_UPLOAD


def test_delete_after_approval_is_a_conflict(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host, tenant_a.owner)
    document_id = presign(client).json()["document"]["id"]  # type: ignore[attr-defined]

    answer = client.delete(f"/api/v1/documents/{document_id}")  # alpha is approved

    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_editable")
    assert Document.objects.filter(id=document_id).exists()


def test_documents_page_allows_posting_to_the_bucket_only(tenant_a: OrganizerFixture) -> None:
    page = host_client(tenant_a.host, tenant_a.owner).get("/kelola/dokumen/")

    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    from django.conf import settings

    assert f"connect-src 'self' {settings.SENTRA_S3_ENDPOINT_URL};" in policy
    assert b"organizer_pages/documents.js" in page.content


def test_a_file_sent_to_the_api_is_refused_unread(tenant_a: OrganizerFixture) -> None:
    """No file byte passes through a web process: the API takes small JSON only."""
    client = host_client(tenant_a.host, tenant_a.owner)

    answer = client.post(
        "/api/v1/documents",
        {"type": "nib", "file": ("scan.pdf", samples.pdf())},
    )

    assert answer.status_code == 415
    assert not Document.objects.filter(tenant=tenant_a.tenant).exists()
