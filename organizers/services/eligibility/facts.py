"""What the rush path knows of a programme without asking the database: the facts cached per
process. Tenant schema.

The rush path (a public programme whose age rules admit the person) asks `public_age_bands`,
which keeps the answer per process for ELIGIBILITY_FACTS_SECONDS (5 s): no query per booking.
The services that change a programme's kind or its age rules (programme_update, age_rule_create,
age_rule_delete) forget the answer in this process once they commit; other processes see the
change within those seconds.

`age_on` lives here with `age_bands_admit`, which needs it: the rules (rules.py) import this
module, so it cannot import them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from common.process_cache import ProcessCache
from organizers.db import fetch_one_prepared
from organizers.models import Programme
from tenants.context import require_current_tenant


@dataclass(frozen=True, slots=True)
class AgeBand:
    """An age rule of a public programme, as the rush paths keep it."""

    min_age: int
    max_age: int | None
    opens_on: dt.date

    def holds(self, age: int) -> bool:
        return self.min_age <= age and (self.max_age is None or age <= self.max_age)


# (tenant uid, programme id) -> the age bands of a public programme (empty: open to everyone),
# or None for a company programme; each kept ELIGIBILITY_FACTS_SECONDS. The services that change
# what is kept (a programme's kind, its age rules) forget it once they commit
# (programme_facts_forget_after_commit); other processes see the change within those seconds.
_facts: ProcessCache[tuple[AgeBand, ...] | None] = ProcessCache(max_size=20_000)


def facts_seconds() -> float:
    return float(getattr(settings, "ELIGIBILITY_FACTS_SECONDS", 5))


def programme_facts_kept(
    *, tenant_uid: object, programme_id: int
) -> tuple[float, tuple[AgeBand, ...] | None] | None:
    """What this process learnt lately of a programme (public_age_bands): (the seconds it is
    still kept, the age bands of a public programme or None for a company programme); None when
    not known lately. Never queries: the rush front books on its own only with these; anything
    else takes the full path, which looks the programme up again."""
    kept = _facts.get_with_seconds_left((str(tenant_uid), programme_id))
    if kept is None:
        return None
    bands, left = kept
    return (left, bands) if left > 0 else None


def programme_facts_known(*, tenant_uid: object, programme_id: int) -> bool:
    """Whether this process learnt lately what kind of programme this is (and its age rules)."""
    return programme_facts_kept(tenant_uid=tenant_uid, programme_id=programme_id) is not None


# What public_age_bands learns, in one prepared statement (the rush front runs it too, on its
# own connections): the programme's kind and its age rules, oldest release first.
PROGRAMME_FACTS_SQL = """
SELECT p.kind::text,
       coalesce(json_agg(json_build_array(r.min_age, r.max_age, r.opens_on)
                         ORDER BY r.opens_on, r.id) FILTER (WHERE r.id IS NOT NULL),
                '[]')::text
  FROM organizers_programme p
  LEFT JOIN organizers_agerule r ON r.programme_id = p.id
 WHERE p.id = %(programme_id)s
 GROUP BY p.id
"""


def programme_facts_learnt(
    *, tenant_uid: object, programme_id: int, row: tuple | None
) -> tuple[AgeBand, ...] | None:
    """Keep what PROGRAMME_FACTS_SQL returned for a programme in this process for
    ELIGIBILITY_FACTS_SECONDS, and return its age bands (see public_age_bands). No row (no
    such programme) is not kept."""
    if row is None:
        return None
    kind, rules = row
    bands = None
    if kind == Programme.Kind.PUBLIC:
        bands = tuple(
            AgeBand(min_age, max_age, dt.date.fromisoformat(opens_on))
            for min_age, max_age, opens_on in json.loads(rules)
        )
    _facts.put((str(tenant_uid), programme_id), bands, seconds=facts_seconds())
    return bands


def public_age_bands(programme_id: int) -> tuple[AgeBand, ...] | None:
    """The age bands of an existing public programme (empty: open to everyone); None for a
    company programme or no programme. Kept per process for ELIGIBILITY_FACTS_SECONDS."""
    tenant_uid = require_current_tenant().uid
    kept = programme_facts_kept(tenant_uid=tenant_uid, programme_id=programme_id)
    if kept is not None:
        return kept[1]
    row = fetch_one_prepared(PROGRAMME_FACTS_SQL, {"programme_id": programme_id})
    return programme_facts_learnt(tenant_uid=tenant_uid, programme_id=programme_id, row=row)


def programme_is_open_to_everyone(programme_id: int) -> bool:
    """An existing public programme without age rules: no eligibility to check."""
    return public_age_bands(programme_id) == ()


def age_bands_admit(bands: tuple[AgeBand, ...], date_of_birth: dt.date, today: dt.date) -> bool:
    """Whether a public programme's age rules let this person book today: no rules, or a rule
    that holds their age and is open (each age group from its own release day)."""
    if not bands:
        return True
    age = age_on(date_of_birth, today)
    return any(band.holds(age) and band.opens_on <= today for band in bands)


def eligibility_facts_forget() -> None:
    """Forget every programme's facts in this process (tests; a process that must start cold)."""
    _facts.clear()


def programme_facts_forget_after_commit(*, programme_id: int) -> None:
    """Forget what this process keeps of a programme of the current tenant once the current
    transaction commits (at once outside one): for the services that change a programme's kind
    or its age rules. After the commit, not before: a booking in between would learn the old
    rules again from the database and keep them. Tenant schema."""
    key = (str(require_current_tenant().uid), programme_id)
    transaction.on_commit(lambda: _facts.pop(key))


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
