"""Programmes of the current tenant. Tenant schema."""

from __future__ import annotations

from organizers.models import Programme


def programme_create(*, name: str, kind: str) -> Programme:
    programme = Programme(name=name.strip(), kind=kind)
    programme.full_clean()
    programme.save()
    return programme
