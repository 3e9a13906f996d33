"""Property-based tests (Hypothesis) of the parsers people's input goes through (issue #11,
"keep it proven"): the NIK rule, the voucher-code normaliser and the e-voucher token verifier.
Each says what holds for every input, and Hypothesis looks for the input where it does not."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from organizers.nik import nik_clean, nik_compose, nik_problems
from organizers.services.booking.rows import VOUCHER_ALPHABET, voucher_code_canonical
from organizers.services.vouchers.signed_token import VoucherTokenError, voucher_token_verify

CANONICAL = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")
born = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2025, 12, 31))
codes = st.text(alphabet=VOUCHER_ALPHABET, min_size=8, max_size=8)


@given(st.text())
@example("ABCD\x00EFGH")
@example("\uff21BCD-EFGH")
def test_any_text_is_a_canonical_code_or_none(typed: str) -> None:
    code = voucher_code_canonical(typed)

    assert code is None or CANONICAL.fullmatch(code)
    assert code is None or voucher_code_canonical(code) == code  # canonical stays canonical


@given(codes, st.lists(st.sampled_from([" ", "\t", "-", "\n"]), max_size=6), st.data())
def test_spacing_dashes_and_case_never_make_another_voucher(
    code: str, separators: list[str], data: st.DataObject
) -> None:
    typed = list(code)
    for separator in separators:
        typed.insert(data.draw(st.integers(0, len(typed))), separator)
    spelled = "".join(char.lower() if data.draw(st.booleans()) else char for char in "".join(typed))

    assert voucher_code_canonical(spelled) == f"{code[:4]}-{code[4:]}"


@given(st.text())
def test_any_text_is_a_nik_or_a_worded_problem_never_an_error(typed: str) -> None:
    problems = nik_problems(nik_clean(typed), date_of_birth=dt.date(1958, 3, 14))

    assert all(problem.code.startswith("nik_") and str(problem.message) for problem in problems)


@given(born, st.sampled_from(["M", "F"]), st.integers(1, 9999))
def test_a_nik_made_for_a_person_fits_that_person_and_no_other_birthday(
    date_of_birth: dt.date, sex: str, serial: int
) -> None:
    nik = nik_compose(date_of_birth, sex=sex, serial=serial)
    other_day = date_of_birth + dt.timedelta(days=1)

    assert nik_problems(nik, date_of_birth=date_of_birth, sex=sex) == []
    assert nik_problems(nik, date_of_birth=date_of_birth) == []  # sex not asked
    assert nik_problems(nik, date_of_birth=other_day, sex=sex) != []


@given(st.text(max_size=300))
@example("")
@example("A" * 200)
def test_any_text_is_refused_as_a_voucher_token_with_the_one_error(token: str) -> None:
    """Whatever a QR code or a person hands a check-in phone, the verifier answers with its own
    refusal, never a crash (no database is needed to refuse)."""
    with pytest.raises(VoucherTokenError):
        voucher_token_verify(token, tenant_uid=uuid.UUID(int=1))
