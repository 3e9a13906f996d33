"""Re-sealing personal data after a key rotation. Tenant schema."""

from __future__ import annotations

from typing import TypeVar

from django.db import transaction

from organizers.models import Booking, WaitlistEntry
from organizers.personal_data import keyring, seal, unseal

_Sealed = TypeVar("_Sealed", Booking, WaitlistEntry)


def personal_data_reseal(*, batch: int = 500) -> int:
    """Re-seal every row whose NIK or date of birth names an older key; returns how many."""
    current = f"{keyring().current_id}."
    return _reseal(Booking, current=current, batch=batch) + _reseal(
        WaitlistEntry, current=current, batch=batch
    )


def _reseal(model: type[_Sealed], *, current: str, batch: int) -> int:
    changed = 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update(skip_locked=True)
                .exclude(nik_sealed__startswith=current, date_of_birth_sealed__startswith=current)
                .only("id", "nik_sealed", "date_of_birth_sealed")[:batch]
            )
            for row in rows:
                row.nik_sealed = seal(unseal(row.nik_sealed, field="nik"), field="nik")
                row.date_of_birth_sealed = seal(
                    unseal(row.date_of_birth_sealed, field="date_of_birth"),
                    field="date_of_birth",
                )
            model.objects.bulk_update(rows, ["nik_sealed", "date_of_birth_sealed"])
        changed += len(rows)
        if len(rows) < batch:
            return changed
