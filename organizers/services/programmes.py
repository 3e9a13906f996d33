"""Programmes of the current tenant. Tenant schema."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organizers.models import Programme
from organizers.services.eligibility.facts import programme_facts_forget_after_commit
from tenants.errors import ApplicationError
from tenants.models import VaccineBrand


def _checked_brands(brands: Iterable[str], *, kept: Iterable[str] = ()) -> list[str]:
    """At least one vaccine, each on the platform's active list (public schema) or, when
    editing, already on the programme: a vaccine the platform has since retired may stay where
    it was, but cannot be added."""
    chosen = set(brands)
    if not chosen:
        raise ApplicationError(
            _("Choose at least one vaccine."),
            code="invalid",
            extra={"vaccine_brands": [_("Choose at least one vaccine.")]},
        )
    allowed = set(VaccineBrand.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted(chosen - allowed - set(kept))
    if unknown:
        message = _("Unknown vaccine: %(codes)s") % {"codes": ", ".join(unknown)}
        raise ApplicationError(message, code="invalid", extra={"vaccine_brands": [message]})
    return sorted(chosen)


def _saved(programme: Programme, *, update_fields: list[str] | None = None) -> Programme:
    try:
        programme.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Check the programme's details."), code="invalid", extra=exc.message_dict
        ) from exc
    programme.save(update_fields=update_fields)
    return programme


def programme_create(
    *,
    name: str,
    kind: str,
    vaccine_brands: list[str] | None = None,
    doses: list[int] | None = None,
    is_active: bool = True,
) -> Programme:
    """A new programme. Raises ApplicationError (fields in `extra`) and writes nothing when a
    detail is refused: an empty name, an unknown kind or dose, a vaccine not on the platform's
    active list, or an empty list of vaccines. `doses` empty or None: every dose.

    `vaccine_brands=None` means "not chosen yet": the sign-up makes the organiser's first
    programme before anyone has picked vaccines (tenants.services.onboarding), and a programme
    without vaccines accepts schedules of any vaccine. The organiser's pages always pass a
    list, and a list must name at least one vaccine."""
    programme = Programme(
        name=name.strip(),
        kind=kind,
        vaccine_brands=[] if vaccine_brands is None else _checked_brands(vaccine_brands),
        doses=sorted(set(doses or [])),
        is_active=is_active,
    )
    return _saved(programme)


def programme_update(
    *,
    programme: Programme,
    name: str | None = None,
    kind: str | None = None,
    vaccine_brands: list[str] | None = None,
    doses: list[int] | None = None,
    is_active: bool | None = None,
) -> Programme:
    """Change the details that are given (None: leave as it is). Same rules as
    programme_create; a refusal writes nothing. Deactivating (`is_active=False`) stops new
    bookings (organizers.services.booking books only active programmes); bookings already
    made, and the slots, stay as they are. Changing the kind forgets the programme's facts
    kept by the booking paths (eligibility) once the transaction commits."""
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = name.strip()
    if kind is not None:
        changes["kind"] = kind
    if vaccine_brands is not None:
        changes["vaccine_brands"] = _checked_brands(vaccine_brands, kept=programme.vaccine_brands)
    if doses is not None:
        changes["doses"] = sorted(set(doses))
    if is_active is not None:
        changes["is_active"] = is_active
    if not changes:
        return programme
    # Validate a copy so that a refusal leaves the caller's instance as it was.
    candidate = copy.copy(programme)
    for field, value in changes.items():
        setattr(candidate, field, value)
    _saved(candidate, update_fields=list(changes))
    for field, value in changes.items():
        setattr(programme, field, value)
    if "kind" in changes:  # a public programme's age rules, or none, are kept per process
        programme_facts_forget_after_commit(programme_id=programme.id)
    return programme
