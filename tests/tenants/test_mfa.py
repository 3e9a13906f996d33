"""Platform staff must use TOTP; organiser staff are not forced to."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse

from tenants.models import User
from tests.conftest import PASSWORD, ROOT_HOST, OrganizerFixture, host_client


def _current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _login(client: Client, email: str) -> None:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_platform_staff_is_sent_to_totp_setup_until_done(make_user: Callable[..., User]) -> None:
    staff = make_user("staff@sentra.test", is_staff=True)
    client = host_client(ROOT_HOST)
    _login(client, staff.email)

    for path in ("/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp", urlconf="config.urls_public")

    # allauth asks for the password again before an authenticator is added (a stolen session
    # alone cannot enrol one).
    ask_password = client.get("/accounts/2fa/totp/activate/")
    assert ask_password["Location"].startswith("/accounts/reauthenticate/")
    confirmed = client.post(ask_password["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == "/accounts/2fa/totp/activate/"
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200  # the form re-shows with the error
    assert staff.authenticator_set.count() == 0

    done = client.post("/accounts/2fa/totp/activate/", {"code": _current_code(secret)})
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_with_totp_must_give_a_code_at_login(make_user: Callable[..., User]) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    staff = make_user("staff2@sentra.test", is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client = host_client(ROOT_HOST)

    _login(client, staff.email)
    assert client.get("/admin/").status_code == 302  # not signed in until the code is given
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_organiser_staff_are_not_forced_into_mfa(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host)
    _login(client, tenant_a.owner.email)

    response = client.get("/kelola/")
    assert response.status_code == 200
    assert "Dasbor" in response.content.decode()


def test_non_staff_cannot_use_the_admin(tenant_a: OrganizerFixture) -> None:
    client = host_client(ROOT_HOST, user=tenant_a.owner)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_totp_on_an_organiser_host_is_sent_to_the_root_domain(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    staff = make_user("staff3@sentra.test", is_staff=True)

    response = host_client(tenant_a.host, user=staff).get("/")

    assert response.status_code == 302
    assert response["Location"] == "http://localhost:8000/accounts/2fa/totp/activate/"
