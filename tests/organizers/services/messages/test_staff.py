from __future__ import annotations

from django.core import mail

from organizers.services.messages.staff import owner_welcome_email_deliver
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture


def test_welcome_email_is_in_the_owners_language_with_the_workspace_link(
    tenant_a: OrganizerFixture,
) -> None:
    owner = tenant_a.owner
    owner.language = "en"
    owner.save(update_fields=["language"])

    with tenant_scope(tenant_a.tenant):
        sent_to = owner_welcome_email_deliver(user_id=owner.id)

    assert sent_to == "owner@alpha.test"
    (message,) = mail.outbox
    assert message.to == ["owner@alpha.test"]
    assert message.subject == "Your Sentra workspace for Alpha Clinic is ready"
    assert "http://alpha.localhost:8000/kelola/" in message.body
    assert "http://alpha.localhost:8000/" in message.body
