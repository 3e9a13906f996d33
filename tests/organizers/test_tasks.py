"""Beat jobs fan out one task per organiser, pinned to its schema; one organiser failing does
not stop the rest."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from organizers import tasks
from tenants.models import Tenant
from tests.conftest import OrganizerFixture
from tests.organizers.conftest import BeatInline

BEAT_JOBS = {
    "organizers.tasks.waitlist_offers_expire_all": "organizers.tasks.waitlist_offers_expire",
    "organizers.tasks.idempotency_records_purge_all": "organizers.tasks.idempotency_records_purge",
    "organizers.tasks.messages_sweep_all": "organizers.tasks.messages_sweep",
    "organizers.tasks.reminders_record_all": "organizers.tasks.reminders_record",
}


def _organiser_schemas() -> list[str]:
    return list(Tenant.objects.organizers().order_by("id").values_list("schema_name", flat=True))


@pytest.mark.parametrize("beat_job", sorted(BEAT_JOBS))
def test_each_beat_job_sends_one_task_per_organiser_in_its_schema(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    beat_inline: BeatInline,
    beat_job: str,
) -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    schemas = _organiser_schemas()
    assert {tenant_a.tenant.schema_name, tenant_b.tenant.schema_name} <= set(schemas)

    sent = app.tasks[beat_job].apply().get()

    assert beat_job in scheduled
    assert sent == len(schemas)
    assert beat_inline.ran() == [(schema, BEAT_JOBS[beat_job]) for schema in schemas]
    assert all(result.successful() for _schema, _name, result in beat_inline.sent)


def test_one_organiser_failing_does_not_stop_the_others(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    beat_inline: BeatInline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from organizers.services.messages import outbox

    seen: list[str] = []

    def sweep(*, broker_idle: bool) -> int:
        if connection.schema_name == tenant_a.tenant.schema_name:
            raise RuntimeError("a broken row")
        seen.append(connection.schema_name)
        return 1

    monkeypatch.setattr(outbox, "messages_sweep", sweep)

    tasks.messages_sweep_all.apply().get()

    outcome = {schema: result for schema, _name, result in beat_inline.sent}
    assert outcome[tenant_a.tenant.schema_name].failed()
    assert outcome[tenant_b.tenant.schema_name].get() == 1
    assert tenant_b.tenant.schema_name in seen
    assert tenant_a.tenant.schema_name not in seen
    assert connection.schema_name == "public"  # the fan-out itself stays on the public schema


def test_a_per_organiser_task_sent_without_a_schema_refuses(db: None) -> None:
    result = tasks.reminders_record.apply(headers={"_schema_name": "public"})

    assert result.failed()
    assert "tenant schema only" in str(result.result)
