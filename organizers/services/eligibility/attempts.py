"""Limits on refused eligibility checks (a roster is not an oracle). Global cache, keyed by
tenant.

The refusals that tell whether someone is on a roster, holds an invite or uses an allowed domain
are counted per client address; beyond REFUSALS_PER_ADDRESS in the window, the check is not run
at all (EligibilityAttemptsError, 429).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenants.context import require_current_tenant
from tenants.errors import ApplicationError

# Refusals that tell whether someone is on a roster, holds an invite or uses an allowed domain.
COUNTED_REFUSALS = frozenset(
    {
        "not_on_roster",
        "invite_invalid",
        "invite_used",
        "invite_other_person",
        "invite_required",
        "email_domain_not_allowed",
    }
)
REFUSALS_PER_ADDRESS = 10
REFUSALS_WINDOW_SECONDS = 15 * 60


def refusals_key(address: str, tenant_uid: object = None) -> str:
    return f"eligibility-refused:{tenant_uid or require_current_tenant().uid}:{address}"


def refusals_allowed(*, address: str) -> None:
    """Raise EligibilityAttemptsError (429) once this client address was refused
    REFUSALS_PER_ADDRESS times by this organiser in the window. Global cache, keyed by tenant."""
    from django.core.cache import caches

    if (caches["global"].get(refusals_key(address)) or 0) >= REFUSALS_PER_ADDRESS:
        raise EligibilityAttemptsError()


def refusal_counted(*, address: str, code: str) -> None:
    if code not in COUNTED_REFUSALS:
        return
    from organizers.services.eligibility.proof_limits import failure_count_add

    failure_count_add(refusals_key(address), window_seconds=REFUSALS_WINDOW_SECONDS)


class EligibilityAttemptsError(ApplicationError):
    status_code = 429

    def __init__(self) -> None:
        super().__init__(
            _(
                "Too many attempts that did not match the list of people who may book. Please "
                "try again in 15 minutes, or ask your employer (HR) for help."
            ),
            code="too_many_attempts",
        )
