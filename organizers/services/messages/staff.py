"""Messages to organiser staff. Tenant schema."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from tenants.context import require_current_tenant
from tenants.links import absolute_url
from tenants.models import User
from tenants.selectors import tenant_primary_host


def owner_welcome_email_deliver(*, user_id: int) -> str:
    """Send the welcome email in the owner's language; returns the address it went to."""
    tenant = require_current_tenant()
    user = User.objects.get(id=user_id)
    host = tenant_primary_host(tenant=tenant)
    context = {
        "tenant": tenant,
        "user": user,
        "workspace_url": absolute_url(host=host, path="/kelola/"),
        "booking_url": absolute_url(host=host, path="/"),
    }
    with translation.override(user.language):
        subject = render_to_string("organizers/email/welcome_subject.txt", context).strip()
        body = render_to_string("organizers/email/welcome.txt", context)
    send_mail(subject, body, None, [user.email])
    return user.email
