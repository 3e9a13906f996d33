"""Programmes of the current tenant. Tenant schema."""

from __future__ import annotations

from organizers.models import Programme


def programme_create(
    *, name: str, kind: str, vaccine_brands: list[str] | None = None, doses: list[int] | None = None
) -> Programme:
    programme = Programme(
        name=name.strip(), kind=kind, vaccine_brands=vaccine_brands or [], doses=doses or []
    )
    programme.full_clean()
    programme.save()
    return programme
