"""Issue #12, item 1: every way the root domain signs a person in goes through allauth and its
TOTP step for platform staff. Tried as an attacker would: a staff account with TOTP set up and
its password known, through every form that takes a password or a link that signs in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.models import User
from tests.conftest import PASSWORD, ROOT_HOST, host_client

# Every route of the root domain that can end in a signed-in session, with how it is tried
# below. A new one (a social login, login by code turned on) fails the completeness test until
# it is tried here too.
SIGN_IN_ROUTES = {
    "accounts/login/": "password form (allauth)",
    "accounts/login/code/confirm/": "login by code (allauth; off)",
    "admin/login/": "the Django admin's own password form",
    r"accounts/^confirm-email/(?P<key>[-:\w]+)/$": "email confirmation, which signs in",
    "accounts/confirm-email/": "'check your mailbox' (signs nobody in)",
    r"accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "password reset",
    "accounts/password/reset/key/done/": "'your password is changed' (signs nobody in)",
    "accounts/2fa/authenticate/": "the TOTP step itself",
}
SIGN_IN_WORDS = re.compile(r"login|confirm-email|reset/key|authenticate")


def _routes(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_route_that_signs_in_is_tried_here() -> None:
    found = {
        route
        for route in _routes(get_resolver("config.urls_public").url_patterns)
        if (SIGN_IN_WORDS.search(route) and not route.startswith("admin/"))
        or route == "admin/login/"
    }
    # allauth's re-authentication asks a session that is signed in already.
    found -= {route for route in found if "reauthenticate" in route}

    assert found == set(SIGN_IN_ROUTES)


@pytest.fixture
def staff_with_totp(make_user: Callable[..., User]) -> User:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    return staff


def _no_staff_session(client: Client) -> None:
    """Nobody is signed in: the admin sends the client to sign in."""
    assert "_auth_user_id" not in client.session
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith(("/admin/login/", "/accounts/"))


def test_the_allauth_form_asks_for_the_code(staff_with_totp: User) -> None:
    client = host_client(ROOT_HOST)

    response = client.post(
        "/accounts/login/", {"login": staff_with_totp.email, "password": PASSWORD}
    )

    assert response["Location"] == "/accounts/2fa/authenticate/"
    _no_staff_session(client)


def test_the_admin_login_form_sends_staff_to_allauth_and_takes_no_password(
    staff_with_totp: User,
) -> None:
    client = host_client(ROOT_HOST)

    shown = client.get("/admin/login/?next=/admin/")
    posted = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff_with_totp.email, "password": PASSWORD, "next": "/admin/"},
    )

    for response in (shown, posted):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    _no_staff_session(client)


def test_login_by_code_is_off(staff_with_totp: User) -> None:
    client = host_client(ROOT_HOST)

    response = client.post("/accounts/login/code/confirm/", {"code": "ABCDEF"})

    assert response.status_code in (302, 404)
    _no_staff_session(client)


def test_confirming_an_email_address_still_asks_staff_for_the_code(
    staff_with_totp: User,
) -> None:
    address = EmailAddress.objects.create(
        user=staff_with_totp, email="second@sentra.test", verified=False
    )
    client = host_client(ROOT_HOST)
    key = EmailConfirmationHMAC(address).key

    response = client.post(f"/accounts/confirm-email/{key}/")

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified
    _no_staff_session(client)


def test_a_password_reset_does_not_sign_staff_in(staff_with_totp: User) -> None:
    from allauth.account.utils import user_pk_to_url_str

    client = host_client(ROOT_HOST)
    uid = user_pk_to_url_str(staff_with_totp)
    key = default_token_generator.make_token(staff_with_totp)
    form = client.get(f"/accounts/password/reset/key/{uid}-{key}/", follow=True)
    assert form.status_code == 200

    form_url = form.redirect_chain[-1][0] if form.redirect_chain else form.request["PATH_INFO"]
    done = client.post(
        form_url,
        {"password1": "another-long-passphrase-2", "password2": "another-long-passphrase-2"},
    )

    assert done.status_code == 302, done.context["form"].errors if done.context else done
    _no_staff_session(client)
    staff_with_totp.refresh_from_db()
    assert staff_with_totp.check_password("another-long-passphrase-2")
