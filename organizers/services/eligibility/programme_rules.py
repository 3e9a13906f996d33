"""The organiser's settings of who may book a programme. Tenant schema.

A company programme: roster, invites, allowed email domains, a quota, whether the employee
number must match (`programme_eligibility_update`). A public programme: its age rules, each
from its release date (`age_rule_create`, `age_rule_delete`), which forget the programme's
facts kept in this process once they commit (facts.py).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from organizers.models import AgeRule, Programme
from organizers.services.eligibility.facts import programme_facts_forget_after_commit
from tenants.errors import ApplicationError, NotFoundError

_DOMAIN = re.compile(r"^(?=.{4,100}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$")


def email_domains_clean(text: str | list[str]) -> list[str]:
    """Email domains as typed (one per line or comma separated, with or without "@"), lower-
    cased and deduplicated. Raises ApplicationError naming the ones that are not domains."""
    items = text.replace(",", "\n").split() if isinstance(text, str) else list(text)
    domains: list[str] = []
    bad: list[str] = []
    for item in items:
        domain = item.strip().lower().removeprefix("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN.fullmatch(domain):
            bad.append(item.strip())
        elif domain not in domains:
            domains.append(domain)
    if bad:
        raise ApplicationError(
            _("These are not email domains: %(items)s. Write them like acme.co.id.")
            % {"items": ", ".join(bad[:10])},
            code="invalid_email_domain",
            extra={"allowed_email_domains": [_("Write domains like acme.co.id, one per line.")]},
        )
    if len(domains) > 50:
        raise ApplicationError(_("At most 50 email domains."), code="too_many_email_domains")
    return domains


def programme_eligibility_update(
    *,
    programme: Programme,
    uses_roster: bool,
    uses_invites: bool,
    allowed_email_domains: str | list[str],
    quota: int | None,
    asks_employee_number: bool,
) -> Programme:
    """Who may book a company programme. Tenant schema."""
    if programme.kind != Programme.Kind.COMPANY:
        raise ApplicationError(
            _("Only a company programme has a roster, invites and a quota."),
            code="company_only",
        )
    if quota is not None and quota < 1:
        raise ApplicationError(
            _("The quota is at least 1 person; leave it empty for no limit."),
            code="invalid_quota",
            extra={"quota": [_("At least 1, or empty for no limit.")]},
        )
    programme.uses_roster = uses_roster
    programme.uses_invites = uses_invites
    programme.allowed_email_domains = email_domains_clean(allowed_email_domains)
    programme.quota = quota
    programme.asks_employee_number = asks_employee_number
    programme.save(
        update_fields=[
            "uses_roster",
            "uses_invites",
            "allowed_email_domains",
            "quota",
            "asks_employee_number",
        ]
    )
    return programme


def age_rule_create(
    *, programme: Programme, min_age: int, max_age: int | None, opens_on: dt.date
) -> AgeRule:
    """A group of a public programme: people aged min_age..max_age book from opens_on. Tenant
    schema; once the transaction commits, this process forgets the programme's kept facts."""
    if programme.kind != Programme.Kind.PUBLIC:
        raise ApplicationError(_("Age rules are for public programmes."), code="public_only")
    if min_age > 130 or (max_age is not None and max_age > 130):
        raise ApplicationError(
            _("Check the ages."), code="invalid_age", extra={"min_age": [_("Check the ages.")]}
        )
    if max_age is not None and max_age < min_age:
        raise ApplicationError(
            _("The upper age must not be below the lower age."),
            code="invalid_age_range",
            extra={"max_age": [_("Must not be below the lower age.")]},
        )
    rule = AgeRule.objects.create(
        programme=programme, min_age=min_age, max_age=max_age, opens_on=opens_on
    )
    programme_facts_forget_after_commit(programme_id=programme.id)
    return rule


def age_rule_delete(*, programme: Programme, rule_id: int) -> None:
    """Remove an age group (NotFoundError: not this programme's). Tenant schema; once the
    transaction commits, this process forgets the programme's kept facts."""
    rule = AgeRule.objects.filter(programme=programme, id=rule_id).first()
    if rule is None:
        raise NotFoundError()
    rule.delete()
    programme_facts_forget_after_commit(programme_id=programme.id)
