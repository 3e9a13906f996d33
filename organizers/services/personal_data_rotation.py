"""Re-sealing personal data after a key rotation. Tenant schema."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models import Model

from organizers.personal_data import SEALED_FIELDS, keyring, seal, sealed_column, unseal


def sealed_models() -> list[tuple[type[Model], tuple[str, ...]]]:
    """Every model of the organiser's schema that keeps personal data sealed, with the sealed
    fields it keeps (SEALED_FIELDS, found by their columns)."""
    found = []
    for model in apps.get_app_config("organizers").get_models():
        columns = {field.attname for field in model._meta.concrete_fields}
        fields = tuple(field for field in SEALED_FIELDS if sealed_column(field) in columns)
        if fields:
            found.append((model, fields))
    return found


def personal_data_reseal(*, batch: int = 500) -> int:
    """Re-seal every row of every model with sealed fields (sealed_models) that names an older
    key in any of them; returns how many rows. Each batch in its own transaction, rows locked
    with SKIP LOCKED so bookings go on meanwhile."""
    current = f"{keyring().current_id}."
    changed = 0
    for model, fields in sealed_models():
        columns = [sealed_column(field) for field in fields]
        while True:
            with transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update(skip_locked=True)
                    .exclude(**{f"{column}__startswith": current for column in columns})
                    .only("id", *columns)[:batch]
                )
                for row in rows:
                    for field, column in zip(fields, columns, strict=True):
                        opened = unseal(getattr(row, column), field=field)
                        setattr(row, column, seal(opened, field=field))
                model._default_manager.bulk_update(rows, columns)
            changed += len(rows)
            if len(rows) < batch:
                break
    return changed
