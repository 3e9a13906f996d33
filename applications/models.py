"""The organiser's application, in the public schema: one per tenant, so staff read every
organiser's without entering its schema (a review queue never loops over schemas)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganiserApplication(models.Model):
    """What the organiser says about itself. A draft: any field may be empty until submission
    (applications.selectors.application_missing names what is still needed). Values are kept in
    their stored form: NPWP and NIB as digits, the phone as +62..., areas as Kemendagri codes
    (applications.areas)."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        CLINIC = "clinic", _("Clinic")
        HOSPITAL = "hospital", _("Hospital")
        VACCINE_CENTRE = "vaccine_centre", _("Vaccine centre")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        PUSKESMAS = "puskesmas", _("Puskesmas (community health centre)")

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="application"
    )
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=Kind.choices, blank=True
    )
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    address = models.TextField(_("registered address"), blank=True)
    province_code = models.CharField(_("province"), max_length=2, blank=True)
    regency_code = models.CharField(_("regency or city"), max_length=5, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # A company programme (Gotong Royong): the company does not vaccinate, a health facility
    # does, under an agreement (its document is one of the company's licence documents).
    partner_facility_name = models.CharField(
        _("partner health facility"), max_length=200, blank=True
    )
    partner_facility_address = models.TextField(_("partner facility's address"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last submission; the organiser's state (submitted, in review, ...) is the lifecycle's.
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("organiser application")
        indexes = [models.Index(fields=["province_code", "kind"], name="application_province_kind")]

    def __str__(self) -> str:
        return self.legal_name or str(self.tenant_id)
