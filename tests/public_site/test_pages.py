"""Pages people see: language, health, sign-up errors."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core.cache import caches

from tenants.models import OrganizerSignup, User
from tests.conftest import ROOT_HOST, OrganizerFixture, host_client


def test_pages_are_in_bahasa_indonesia_by_default_even_for_english_browsers(db: None) -> None:
    response = host_client(ROOT_HOST).get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    body = response.content.decode()
    assert '<html lang="id">' in body
    assert "Pendaftaran vaksinasi, tanpa antre" in body
    assert response["Content-Language"] == "id"


def test_language_switch_to_english_is_remembered(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host)

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert switched.status_code == 302
    cookie = switched.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["secure"] is True
    assert cookie["domain"] == ""  # host-only: the switch on one organiser stays there
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Vaccination registration with Alpha Clinic." in body


@pytest.mark.parametrize("host", [ROOT_HOST, "alpha.localhost"])
def test_healthz_reports_database_and_broker(host: str, tenant_a: OrganizerFixture) -> None:
    response = host_client(host).get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_fails_when_the_broker_is_down(db: None, settings) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    caches["global"].delete("healthz:checks")  # the last few seconds' result

    response = host_client(ROOT_HOST).get("/healthz")

    caches["global"].delete("healthz:checks")
    assert response.status_code == 503
    assert json.loads(response.content)["broker"] == "failing"


SIGNUP = {
    "email": "founder@lambda.test",
    "password1": "a-long-test-passphrase-1",
    "password2": "a-long-test-passphrase-1",
    "full_name": "Lambda Founder",
    "organisation_name": "Lambda Clinic",
    "slug": "admin",
    "programme_kind": "public",
}


def test_sign_up_with_a_reserved_subdomain_reshows_the_form_in_indonesian(db: None) -> None:
    response = host_client(ROOT_HOST).post("/accounts/signup/", SIGNUP)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Subdomain ini sudah dicadangkan. Pilih yang lain." in body
    assert 'value="Lambda Clinic"' in body  # nothing the person typed is lost
    assert not User.objects.filter(email="founder@lambda.test").exists()
    assert not OrganizerSignup.objects.exists()


def test_sign_up_waits_for_the_email_confirmation_before_provisioning(
    db: None, django_capture_on_commit_callbacks, mailoutbox: list
) -> None:
    client = host_client(ROOT_HOST)
    with django_capture_on_commit_callbacks(execute=False) as at_signup:
        response = client.post("/accounts/signup/", {**SIGNUP, "slug": "lambda"})

    assert response.status_code == 302
    user = User.objects.get(email="founder@lambda.test")
    assert (user.full_name, user.language) == ("Lambda Founder", "id")
    signup = OrganizerSignup.objects.get(owner=user)
    assert (signup.slug, signup.status, signup.programme_kind) == (
        "lambda",
        "awaiting_email",
        "public",
    )
    assert at_signup == []  # nothing is provisioned for an unconfirmed address
    (confirmation,) = mailoutbox
    assert confirmation.to == ["founder@lambda.test"]
    link = re.search(
        r"https?://localhost(?::\d+)?(/accounts/confirm-email/[^/\s]+/)", confirmation.body
    )

    with django_capture_on_commit_callbacks(execute=False) as at_confirmation:
        client.post(link.group(1))

    signup.refresh_from_db()
    assert signup.status == "queued"
    assert len(at_confirmation) == 1


def test_sign_up_for_a_subdomain_another_sign_up_holds_reshows_the_form(db: None) -> None:
    host_client(ROOT_HOST).post("/accounts/signup/", {**SIGNUP, "slug": "lambda"})

    response = host_client(ROOT_HOST).post(
        "/accounts/signup/", {**SIGNUP, "email": "second@lambda.test", "slug": "lambda"}
    )

    assert response.status_code == 200
    assert "Subdomain ini sudah dipakai. Pilih yang lain." in response.content.decode()
    assert not User.objects.filter(email="second@lambda.test").exists()


def test_sign_up_that_loses_a_race_for_the_subdomain_leaves_no_account(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenants.errors import ConflictError

    def lost_race(**_: object) -> None:
        raise ConflictError("Subdomain ini sudah dipakai. Pilih yang lain.", code="taken")

    monkeypatch.setattr("public_site.forms.organizer_signup_create", lost_race)

    response = host_client(ROOT_HOST).post("/accounts/signup/", {**SIGNUP, "slug": "lambda"})

    assert response.status_code == 200
    assert "Subdomain ini sudah dipakai" in response.content.decode()
    assert not User.objects.filter(email="founder@lambda.test").exists()


def test_sign_up_is_closed_on_organiser_hosts(tenant_a: OrganizerFixture) -> None:
    response = host_client(tenant_a.host).post("/accounts/signup/", {**SIGNUP, "slug": "mu"})

    assert response.status_code == 200
    assert not User.objects.filter(email="founder@lambda.test").exists()


def test_signed_in_owner_sees_their_organisations_on_the_root(tenant_a: OrganizerFixture) -> None:
    body = host_client(ROOT_HOST, user=tenant_a.owner).get("/").content.decode()

    assert "Organisasi Anda" in body
    assert 'href="http://alpha.localhost:8000/kelola/"' in body
    assert "Alpha Clinic" in body


def test_healthz_answers_a_load_balancer_probing_by_ip_address(db: None) -> None:
    response = host_client("10.0.3.17:8000").get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content)["database"] == "ok"


def test_livez_answers_on_any_host_without_touching_the_database(db: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = host_client("10.0.3.17:8000").get("/livez")

    assert (response.status_code, response.content) == (200, b"ok")
    assert queries.captured_queries == []


def test_the_language_switch_is_one_button_naming_the_other_language(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host)

    indonesian = client.get("/").content.decode()
    header = indonesian[indonesian.index("<header") : indonesian.index("</header>")]
    assert "<select" not in header
    assert re.search(
        r'<button type="submit" name="language" value="en" lang="en">\s*English', header
    )
    assert "Masuk untuk staf" not in header  # a compact header on phones: in the footer instead
    assert "Masuk untuk staf" in indonesian[indonesian.index("<footer") :]

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    header = english[english.index("<header") : english.index("</header>")]
    assert re.search(r'value="id" lang="id">\s*Bahasa Indonesia', header)
    assert "English" not in header


def test_every_page_has_a_favicon(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host)

    page = client.get("/").content.decode()
    icon_url = re.search(r'<link rel="icon" href="([^"]+)"', page)[1]
    icon = client.get(icon_url)
    ico = client.get("/favicon.ico")

    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
    assert ico.status_code == 200
    assert b"".join(ico.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file
    assert host_client(ROOT_HOST).get("/favicon.ico").status_code == 200
