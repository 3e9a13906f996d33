"""The e-voucher's facts as a person reads them: dates in Indonesian by default, the NIK
masked."""

from __future__ import annotations

import re

from django.utils import translation

from organizers.services.vouchers.facts import voucher_facts
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.vouchers.voucher_bookings import a_booking


def test_facts_use_indonesian_dates_by_default(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant), translation.override("id"):
        facts = voucher_facts(a_booking())

    assert re.search(r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d+ \w+ \d{4}", facts.date), (
        facts.date
    )
    assert facts.nik_masked == "3273••••••••0002"
