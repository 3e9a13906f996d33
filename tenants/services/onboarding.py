"""From a web sign-up to a working organiser: provision, first programme, welcome email."""

from __future__ import annotations

from tenants.context import enqueue_after_commit, tenant_scope
from tenants.models import OrganizerSignup
from tenants.services.provisioning import organizer_signup_provision_run


def organizer_signup_complete(*, signup_id: str) -> OrganizerSignup:
    """Public schema, then the new tenant's. Provisions the tenant; on success creates the
    programme the organiser chose and queues the owner's welcome email inside the tenant, so
    the email task runs in the tenant's schema. Idempotent for a retried task."""
    from organizers.models import Programme
    from organizers.services.programmes import programme_create
    from organizers.tasks import owner_welcome_email_send

    signup = organizer_signup_provision_run(signup_id=signup_id)
    if signup.status != OrganizerSignup.Status.READY or signup.tenant is None:
        return signup
    with tenant_scope(signup.tenant):
        if not Programme.objects.exists():
            programme_create(
                name=signup.organisation_name,
                kind=signup.programme_kind,
            )
            enqueue_after_commit(owner_welcome_email_send, signup.owner_id)
    return signup
