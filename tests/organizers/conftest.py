"""Fixtures shared by the organiser tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from celery import Task
from celery.result import EagerResult

from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture


@pytest.fixture
def alpha(tenant_a: OrganizerFixture) -> Iterator[OrganizerFixture]:
    """Tenant A's schema, for the whole test."""
    with tenant_scope(tenant_a.tenant):
        yield tenant_a


@dataclass
class BeatInline:
    """What the beat fan-out sent, each task run at once (eagerly) in the schema it was
    pinned to, as a worker would: (schema, task name, its result)."""

    sent: list[tuple[str, str, EagerResult]] = field(default_factory=list)

    def ran(self) -> list[tuple[str, str]]:
        return [(schema, name) for schema, name, _result in self.sent]

    def total(self) -> int:
        return sum(result.get() for _schema, _name, result in self.sent)


@pytest.fixture
def beat_inline(monkeypatch: pytest.MonkeyPatch) -> BeatInline:
    """Beat's fan-out sends per-organiser tasks to the broker; here they run in the test,
    through tenant-schemas-celery's own schema switch (the `_schema_name` header)."""
    import tenants.context

    inline = BeatInline()

    def run(schema: str, task: Task, *args: Any, **kwargs: Any) -> None:
        result = task.apply(args=args, kwargs=kwargs, headers={"_schema_name": schema})
        inline.sent.append((schema, task.name, result))

    monkeypatch.setattr(tenants.context, "enqueue_in_schema", run)
    return inline
