"""The application API: GET/PATCH /api/v1/application, POST /api/v1/application/submit, for
owners and administrators of the host's organiser; structured 4xx for every refusal, and a
refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from applications.models import OrganiserApplication
from documents.models import DocumentType
from tenants.models import Tenant
from tests.applications.documents import documents_received
from tests.applications.test_services import COMPLETE_CLINIC
from tests.conftest import OrganizerFixture, host_client

URL = "/api/v1/application"
SUBMIT = "/api/v1/application/submit"


def _patch(client: Client, body: Any, **extra: Any) -> Any:
    return client.patch(URL, body, content_type="application/json", **extra)


def test_an_organiser_without_an_application_gets_an_empty_draft(
    tenant_a: OrganizerFixture,
) -> None:
    response = host_client(tenant_a.host, user=tenant_a.owner).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["legal_name"] == ""
    assert body["editable"] is True
    assert body["submitted_at"] is None
    assert body["missing_fields"][:2] == ["legal_name", "kind"]
    assert len(body["documents_missing"]) == 3  # recommendation, NIB, operating licence
    assert not OrganiserApplication.objects.filter(tenant=tenant_a.tenant).exists()


def test_patch_saves_the_fields_given_in_their_stored_form(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = _patch(client, {"npwp": "01.234.567.8-901.000", "province_code": "32"})
    again = _patch(client, {"regency_code": "32.73", "contact_phone": "0812 3456 7890"})

    assert response.status_code == 200
    body = again.json()
    assert body["npwp"] == "012345678901000"
    assert (body["province_code"], body["province_name"]) == ("32", "Jawa Barat")
    assert (body["regency_code"], body["regency_name"]) == ("32.73", "Kota Bandung")
    assert body["contact_phone"] == "+6281234567890"
    assert client.get(URL).json() == body


def test_wrong_fields_are_a_400_naming_each_and_nothing_is_saved(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = _patch(
        client,
        {"npwp": "1234", "nib": "abc", "province_code": "31", "regency_code": "32.73"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Data yang dikirim tidak valid.",
            "fields": {
                "npwp": [
                    "NPWP terdiri dari 15 angka (atau 16 dalam format baru); yang ini 4 angka."
                ],
                "nib": ["NIB hanya berisi angka."],
                "regency_code": ["Kabupaten atau kota ini tidak berada di provinsi yang dipilih."],
            },
        }
    }
    assert not OrganiserApplication.objects.filter(tenant=tenant_a.tenant).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "bank"}, "kind"),
        ({"submitted_at": "2030-01-01T00:00:00Z"}, "submitted_at"),
        ({"tenant": 2}, "tenant"),
        ({"legal_name": "x" * 201}, "legal_name"),
        (["legal_name"], "non_field_errors"),
    ],
)
def test_bad_bodies_are_a_structured_400(tenant_a: OrganizerFixture, body: Any, field: str) -> None:
    response = _patch(host_client(tenant_a.host, user=tenant_a.owner), body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not OrganiserApplication.objects.filter(tenant=tenant_a.tenant).exists()


def test_a_body_not_sent_as_json_is_a_415(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.patch(URL, "legal_name=x", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert "error" in response.json()


def test_submitting_an_incomplete_application_is_a_409_naming_the_fields(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)
    _patch(client, {"legal_name": "PT Klinik Alpha Sehat"})

    response = client.post(SUBMIT, {}, content_type="application/json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "application_incomplete"
    assert error["details"]["npwp"] == ["Wajib diisi sebelum Anda mengajukan."]
    assert OrganiserApplication.objects.get(tenant=tenant_a.tenant).submitted_at is None


def test_a_missing_document_is_a_409(tenant_a: OrganizerFixture) -> None:
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(review_status="draft")
    client = host_client(tenant_a.host, user=tenant_a.owner)
    _patch(client, COMPLETE_CLINIC)
    documents_received(tenant_a.tenant)[0].delete()  # one not received
    name = DocumentType.objects.get(code="health_office_recommendation").name_id

    response = client.post(SUBMIT, {}, content_type="application/json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "documents_missing"
    assert response.json()["error"]["details"] == {"documents": [name]}


def test_a_complete_application_is_submitted_then_locked(tenant_a: OrganizerFixture) -> None:
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(review_status="draft")
    client = host_client(tenant_a.host, user=tenant_a.owner)
    _patch(client, COMPLETE_CLINIC)
    documents_received(tenant_a.tenant)

    submitted = client.post(SUBMIT, {}, content_type="application/json")
    refused = _patch(client, {"legal_name": "Other"})

    assert submitted.status_code == 200
    assert submitted.json()["submitted_at"] is not None
    assert submitted.json()["editable"] is False
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "application_submitted"
    assert client.get(URL).json()["legal_name"] == "PT Klinik Alpha Sehat"


def test_another_organisers_owner_gets_404_and_changes_nothing(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    _patch(host_client(tenant_a.host, user=tenant_a.owner), COMPLETE_CLINIC)
    intruder = host_client(tenant_a.host, user=tenant_b.owner)

    assert intruder.get(URL).status_code == 404
    assert _patch(intruder, {"legal_name": "Taken over"}).status_code == 404
    assert intruder.post(SUBMIT, {}, content_type="application/json").status_code == 404
    stored = OrganiserApplication.objects.get(tenant=tenant_a.tenant)
    assert (stored.legal_name, stored.submitted_at) == ("PT Klinik Alpha Sehat", None)
    own = host_client(tenant_b.host, user=tenant_b.owner).get(URL).json()
    assert own["legal_name"] == ""


def test_the_anonymous_get_a_structured_403(tenant_a: OrganizerFixture) -> None:
    response = _patch(host_client(tenant_a.host), {"legal_name": "x"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_endpoints_are_in_the_openapi_schema(tenant_a: OrganizerFixture) -> None:
    schema = host_client(tenant_a.host).get("/api/v1/schema", HTTP_ACCEPT="application/json")

    paths = schema.json()["paths"]
    assert set(paths["/api/v1/application"]) >= {"get", "patch"}
    assert "post" in paths["/api/v1/application/submit"]
    assert "409" in paths["/api/v1/application/submit"]["post"]["responses"]
