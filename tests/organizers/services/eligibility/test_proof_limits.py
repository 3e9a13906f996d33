"""Wrong tries at proving a booking (voucher code + date of birth) are reserved before they are
checked: of many guesses sent at once, no more than the limit are ever checked."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches

from organizers.services.eligibility.proof_limits import (
    FAILURES_PER_VOUCHER,
    TooManyAttemptsError,
    proof_attempt_release,
    proof_attempt_reserve,
)
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture

CODE = "ABCD-EFGH"


@pytest.fixture
def clean_counts(tenant_a: OrganizerFixture) -> None:
    caches["global"].delete_many(
        [f"proof:{tenant_a.tenant.uid}:{CODE}", *(f"proof-ip:10.0.0.{n}" for n in range(41))]
    )


def test_of_forty_guesses_at_once_only_the_limit_is_checked(
    tenant_a: OrganizerFixture, clean_counts: None
) -> None:
    checked: list[int] = []
    refused: list[int] = []
    barrier = threading.Barrier(40)

    def guess(number: int) -> None:
        with tenant_scope(tenant_a.tenant):
            barrier.wait()
            try:
                proof_attempt_reserve(voucher_code=CODE, address=f"10.0.0.{number}")
            except TooManyAttemptsError:
                refused.append(number)
            else:
                checked.append(number)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(checked) == FAILURES_PER_VOUCHER
    assert len(refused) == 40 - FAILURES_PER_VOUCHER


def test_a_try_that_proves_the_booking_is_given_back(
    tenant_a: OrganizerFixture, clean_counts: None
) -> None:
    with tenant_scope(tenant_a.tenant):
        for _ in range(FAILURES_PER_VOUCHER + 5):  # the owner, checking the booking often
            proof_attempt_reserve(voucher_code=CODE, address="10.0.0.1")
            proof_attempt_release(voucher_code=CODE, address="10.0.0.1")
        for _ in range(FAILURES_PER_VOUCHER):
            proof_attempt_reserve(voucher_code=CODE, address="10.0.0.2")
        with pytest.raises(TooManyAttemptsError):
            proof_attempt_reserve(voucher_code=CODE, address="10.0.0.3")
