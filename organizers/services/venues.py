"""Venues of the current tenant. Tenant schema."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organizers.geography import time_zone_for_province
from organizers.models import Venue
from tenants.context import require_current_tenant
from tenants.errors import ApplicationError
from tenants.models import VaccineBrand
from tenants.services.review_queue import review_item_venue_write


def _check_brands(brands: list[str]) -> list[str]:
    known = set(VaccineBrand.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted(set(brands) - known)
    if unknown:
        raise ApplicationError(
            _("Unknown vaccine: %(codes)s") % {"codes": ", ".join(unknown)}, code="invalid"
        )
    return sorted(set(brands))


def venue_create(
    *,
    name: str,
    address: str,
    city: str,
    province: str,
    time_zone: str | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    facility_code: str = "",
    vaccine_brands: list[str] | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    status: str = Venue.Status.PENDING,
) -> Venue:
    """A new venue; its time zone follows the province unless given. New venues wait for
    platform staff's review (status pending)."""
    venue = Venue(
        name=name.strip(),
        address=address.strip(),
        city=city.strip(),
        province=province,
        time_zone=time_zone or time_zone_for_province(province),
        latitude=latitude,
        longitude=longitude,
        facility_code=facility_code.strip(),
        vaccine_brands=_check_brands(vaccine_brands or []),
        contact_name=contact_name,
        contact_phone=contact_phone,
        status=status,
    )
    try:
        venue.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Check the venue's details."), code="invalid", extra=exc.message_dict
        ) from exc
    venue.save()
    _review_index_write(venue)
    return venue


def _review_index_write(venue: Venue) -> None:
    """The venue's row in the public review index (tenants.services.review_queue): staff's
    console reads it instead of every organiser's schema."""
    review_item_venue_write(
        tenant=require_current_tenant(),
        venue_id=venue.id,
        name=venue.name,
        state=venue.status,
        province=venue.province,
    )


_EDITABLE = (
    "name",
    "address",
    "city",
    "province",
    "time_zone",
    "latitude",
    "longitude",
    "facility_code",
    "vaccine_brands",
    "contact_name",
    "contact_phone",
)


def venue_update(*, venue: Venue, **changes: Any) -> Venue:
    """Edit a venue's details (not its review status, which platform staff decide). A venue
    whose changes staff requested goes back to waiting for review once edited."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "vaccine_brands" in changes:
        changes["vaccine_brands"] = _check_brands(changes["vaccine_brands"])
    for field, value in changes.items():
        setattr(venue, field, value)
    try:
        venue.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Check the venue's details."), code="invalid", extra=exc.message_dict
        ) from exc
    fields = list(changes)
    if venue.status == Venue.Status.CHANGES_REQUESTED:
        venue.status = Venue.Status.PENDING
        fields.append("status")
    venue.save(update_fields=fields)
    _review_index_write(venue)
    return venue
