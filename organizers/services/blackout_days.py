"""Days off (public holidays, closures) of the current tenant. Tenant schema."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from organizers.models import BlackoutDay, Venue
from tenants.errors import ApplicationError


def blackout_day_create(
    *, day: dt.date, venue: Venue | None = None, reason: str = ""
) -> BlackoutDay:
    """A day without vaccination at `venue`, or at every venue when it is None.

    Slot generation skips the day from now on; slots that already exist on it are left as they
    are (with their bookings): the organiser closes them one by one. The unique constraints
    are the backstop for two people adding the same day at once.
    """
    message = (
        _("This day is already a day off at this venue.")
        if venue is not None
        else _("This day is already a day off at every venue.")
    )
    duplicate = BlackoutDay.objects.filter(day=day)
    duplicate = duplicate.filter(venue=venue) if venue else duplicate.filter(venue__isnull=True)
    if duplicate.exists():
        raise ApplicationError(message, code="duplicate", extra={"day": [message]})
    try:
        with transaction.atomic():
            return BlackoutDay.objects.create(day=day, venue=venue, reason=reason.strip())
    except IntegrityError as exc:
        raise ApplicationError(message, code="duplicate", extra={"day": [message]}) from exc
