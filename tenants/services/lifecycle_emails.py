"""The organiser's emails about its review: one per transition and venue decision, to each
owner in the owner's own language (User.language), like the welcome email
(organizers.services.messages.staff). Sent by tenants.tasks.lifecycle_email_send after the
decision commits; reads the decision from its audit entry, so the email says exactly what
was recorded."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tenants.links import absolute_url
from tenants.models import AuditEntry, Membership, Tenant
from tenants.selectors import tenant_primary_host

# action -> (subject, what it means for the organiser); %(venue)s is the venue's name.
MESSAGES = {
    "organiser.submit": (
        _("We received your application"),
        _(
            "Platform staff review applications within two working days. We email you when "
            "they decide."
        ),
    ),
    "organiser.review_start": (
        _("Your application is being reviewed"),
        _("A member of platform staff has started reviewing your application."),
    ),
    "organiser.approve": (
        _("Your organisation is approved"),
        _("Your booking pages are open: approved venues take bookings from now on."),
    ),
    "organiser.request_changes": (
        _("Changes are needed on your application"),
        _(
            "Platform staff ask for changes before they can approve your organisation. Fix "
            "what is asked below, then submit your application again."
        ),
    ),
    "organiser.reject": (
        _("Your application was rejected"),
        _("Platform staff rejected your application for the reason below."),
    ),
    "organiser.suspend": (
        _("Your organisation is suspended"),
        _(
            "Your booking pages take no new bookings. Existing bookings, vouchers and check-in "
            "keep working."
        ),
    ),
    "organiser.reinstate": (
        _("Your organisation is reinstated"),
        _("Your booking pages take bookings again."),
    ),
    "venue.approve": (
        _("Venue approved: %(venue)s"),
        _("The venue %(venue)s takes bookings from now on."),
    ),
    "venue.request_changes": (
        _("Changes are needed on the venue %(venue)s"),
        _(
            "Platform staff ask for changes to the venue %(venue)s. Edit the venue to fix what "
            "is asked below: it is then reviewed again."
        ),
    ),
    "venue.reject": (
        _("Venue rejected: %(venue)s"),
        _("Platform staff rejected the venue %(venue)s for the reason below."),
    ),
    "venue.suspend": (
        _("Venue suspended: %(venue)s"),
        _("The venue %(venue)s takes no new bookings. Existing bookings keep working."),
    ),
    "venue.reinstate": (
        _("Venue reinstated: %(venue)s"),
        _("The venue %(venue)s takes bookings again."),
    ),
}


def lifecycle_email_deliver(*, entry_id: int) -> list[str]:
    """Email each owner of the entry's organiser what was decided, in the owner's language.
    Any schema (public tables only). Returns the addresses written to."""
    entry = AuditEntry.objects.get(id=entry_id)
    if entry.action not in MESSAGES or entry.tenant_id is None:
        return []
    tenant = Tenant.objects.get(id=entry.tenant_id)
    owners = [
        membership.user
        for membership in Membership.objects.filter(
            tenant=tenant, role=Membership.Role.OWNER
        ).select_related("user")
    ]
    host = tenant_primary_host(tenant=tenant)
    subject_text, meaning_text = MESSAGES[entry.action]
    names = {"venue": str(entry.after.get("name", ""))}
    sent = []
    for owner in owners:
        with translation.override(owner.language):
            context = {
                "tenant": tenant,
                "meaning": str(meaning_text) % names,
                "reason": entry.reason,
                "workspace_url": absolute_url(host=host, path="/kelola/"),
            }
            subject = render_to_string(
                "tenants/email/lifecycle_subject.txt",
                {**context, "headline": str(subject_text) % names},
            ).strip()
            body = render_to_string("tenants/email/lifecycle.txt", context)
        send_mail(subject, body, None, [owner.email])
        sent.append(owner.email)
    return sent
