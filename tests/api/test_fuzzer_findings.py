"""What the API fuzzer (tests/api/test_fuzzing.py) found outside the OpenAPI schema, each as a
plain test of the input it sent: the answer is now what the schema says."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import PERSON, Setup
from tests.conftest import OrganizerFixture, host_client

NOT_FOUND = {"error": {"code": "not_found", "message": "Tidak ditemukan."}}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # A venue id that is not a number (the fuzzer sent "null,null").
        ("get", "/api/v1/venues/null,null/slots?date=2030-01-01"),
        # A token with a character no token has (U+0084).
        ("post", "/api/v1/waitlist/offers/%C2%84/accept"),
        ("post", "/api/v1/bookings/ABCD-EFGH/nothing"),
        ("delete", "/api/v2/bookings"),
        ("get", "/api/"),
    ],
)
def test_a_path_under_the_api_that_is_not_one_of_its_routes_is_the_apis_404(
    tenant_a: OrganizerFixture, method: str, path: str
) -> None:
    """Before, Django's HTML 404 page (text/html), which the schema does not document."""
    response = getattr(host_client(tenant_a.host), method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_the_pages_keep_their_html_404(tenant_a: OrganizerFixture) -> None:
    response = host_client(tenant_a.host).get("/daftar/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_blank_name_is_outside_the_schema_as_it_is_refused(api: Setup) -> None:
    """The schema allowed "" for full_name (no minLength), the API refuses it: request bodies
    now have components of their own, where a required text is at least 1 character."""
    schema = json.loads(api.client.get("/api/v1/schema?format=json").content)
    components = schema["components"]["schemas"]

    refused = api.book(full_name="")

    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["full_name"]
    for request in ("BookingCreateRequest", "WaitlistJoinRequest"):
        assert components[request]["properties"]["full_name"]["minLength"] == 1
    operation = schema["paths"]["/api/v1/bookings"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/BookingCreateRequest"}


@pytest.mark.parametrize(
    ("path", "method", "status", "component"),
    [
        ("/api/v1/organizer", "get", "200", "Organizer"),
        ("/api/v1/me", "get", "200", "Membership"),
        ("/api/v1/waitlist", "post", "201", "WaitlistPlace"),
    ],
)
def test_answers_with_a_body_document_it(
    api: Setup, path: str, method: str, status: str, component: str
) -> None:
    """These said "No response body" while they answer with one."""
    schema = json.loads(api.client.get("/api/v1/schema?format=json").content)

    answer = schema["paths"][path][method]["responses"][status]

    assert answer["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{component}"
    }


def test_a_reused_idempotency_key_is_a_documented_422(api: Setup) -> None:
    """The fuzzer sent one Idempotency-Key with two bodies: 422, which the schema did not list."""
    body = {**PERSON, "programme_id": api.programme.id, "slot_id": api.slot.id, "dose": 1}
    schema = json.loads(api.client.get("/api/v1/schema?format=json").content)
    operation = schema["paths"]["/api/v1/bookings"]["post"]

    first = api.post("bookings", body, HTTP_IDEMPOTENCY_KEY="same-key")
    other = api.post("bookings", {**body, "dose": 2}, HTTP_IDEMPOTENCY_KEY="same-key")

    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert "422" in operation["responses"]
    (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["schema"] == {"type": "string", "maxLength": 100}


def test_an_idempotency_key_longer_than_documented_is_a_400(api: Setup) -> None:
    body = {**PERSON, "programme_id": api.programme.id, "slot_id": api.slot.id, "dose": 1}

    refused = api.post("bookings", body, HTTP_IDEMPOTENCY_KEY="k" * 101)

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_idempotency_key"
    assert api.counters() == (0, 0)


@pytest.mark.parametrize("programme", ["0", "-1", str(2**63)])
def test_a_programme_outside_the_documented_bounds_is_a_400(api: Setup, programme: str) -> None:
    schema = json.loads(api.client.get("/api/v1/schema?format=json").content)
    parameters = schema["paths"]["/api/v1/venues/{venue_id}/slots"]["get"]["parameters"]
    (documented,) = [p for p in parameters if p["name"] == "programme"]

    response = api.client.get(
        f"/api/v1/venues/{api.venue.id}/slots", {"date": "2030-01-01", "programme": programme}
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["programme"]
    assert (documented["schema"]["minimum"], documented["schema"]["maximum"]) == (1, 2**63 - 1)
