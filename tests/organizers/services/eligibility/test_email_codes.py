"""Sending email codes is limited per address and per client, not only per session: a flood of
fresh sessions cannot fill someone's inbox through us (issue #11, item 6)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from organizers.models import Message
from organizers.services.eligibility import email_codes
from organizers.services.eligibility.email_codes import EmailCodeLimitError, email_code_send
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(email_codes, "SENDS_PER_ADDRESS", 5)
    monkeypatch.setattr(email_codes, "SENDS_PER_CLIENT", 20)


def _send(email: str, client: str) -> str:
    try:
        email_code_send(email=email, language="id", client=client, now=timezone.now())
    except EmailCodeLimitError as exc:
        return exc.code
    return "sent"


def test_one_address_gets_at_most_five_codes_an_hour_from_any_number_of_sessions(
    tenant_a: OrganizerFixture, limits: None
) -> None:
    victim = f"korban-{uuid.uuid4().hex[:8]}@acme.co.id"
    with tenant_scope(tenant_a.tenant):
        # Each call is a new session (no `previous`): the per-session minute does not apply.
        results = [_send(victim, client=f"10.1.0.{n}") for n in range(8)]
        recorded = Message.objects.filter(kind="email_code", to_email=victim).count()

    assert results == ["sent"] * 5 + ["email_code_limit"] * 3
    assert recorded == 5  # nothing recorded for the refused ones


def test_one_client_asks_for_at_most_twenty_codes_an_hour(
    tenant_a: OrganizerFixture, limits: None
) -> None:
    client = f"10.2.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    with tenant_scope(tenant_a.tenant):
        results = [_send(f"orang{n}-{uuid.uuid4().hex[:6]}@acme.co.id", client) for n in range(22)]

    assert results == ["sent"] * 20 + ["email_code_limit"] * 2
    assert EmailCodeLimitError("x", code="email_code_limit").status_code == 429
