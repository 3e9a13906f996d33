"""Joining the waitlist through the API stores the phone as the pages do (organizers.phone:
+62...), and refuses what is not an Indonesian number on its field, writing nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext

from organizers.models import WaitlistEntry
from tenants.context import tenant_scope
from tests.api.conftest import PERSON, Setup


def _wait(api: Setup) -> dict[str, object]:
    day = api.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    return {"programme_id": api.programme.id, "venue_id": api.venue.id, "day": str(day), "dose": 1}


def _fill(api: Setup) -> None:
    for nik in ("3273015403580001", "3273015403580002"):
        assert api.book(nik=nik).status_code == 201


def test_the_waitlist_stores_the_phone_in_one_form(api: Setup) -> None:
    _fill(api)

    joined = api.post(
        "waitlist",
        {**PERSON, "nik": "3273015403580005", "phone": "0812-3456-7890", **_wait(api)},
    )

    assert joined.status_code == 201
    with tenant_scope(api.tenant.tenant):
        assert WaitlistEntry.objects.get().phone == "+6281234567890"


def test_a_phone_that_is_not_indonesian_is_refused_on_its_field(api: Setup) -> None:
    _fill(api)

    refused = api.post(
        "waitlist",
        {**PERSON, "nik": "3273015403580005", "phone": "+1 415 555 0100", **_wait(api)},
    )

    assert refused.status_code == 400
    with translation.override("id"):
        message = gettext(
            "Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890."
        )
    assert refused.json()["error"]["fields"] == {"phone": [message]}
    with tenant_scope(api.tenant.tenant):
        assert not WaitlistEntry.objects.exists()
