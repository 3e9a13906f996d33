"""The only module that switches PostgreSQL schemas (search_path) outside django-tenants' own
request middleware and tenant-schemas-celery's worker hook. Everything else asks for a scope
here (Django's connections) or for a switch of its own connection (the rush front's asyncpg
connections), so a reviewer can audit every switch in one file. tests/tenants/test_context.py
fails when another module imports django-tenants' switching helpers or sets search_path itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django_tenants.postgresql_backend.base import is_valid_schema_name
from django_tenants.utils import (
    get_public_schema_name,
    quote_schema_name,
    schema_context,
    tenant_context,
)

if TYPE_CHECKING:
    from asyncpg import Connection
    from asyncpg.pool import PoolConnectionProxy
    from celery import Task

    from tenants.models import Tenant
    from tenants.postgresql_backend.base import DatabaseWrapper


def tenant_connection() -> DatabaseWrapper:
    """The default connection, typed as what settings make it: django-tenants' backend
    (tenants/postgresql_backend), which knows its schema."""
    return cast("DatabaseWrapper", connection)


def current_schema_name() -> str:
    return tenant_connection().schema_name


def current_tenant() -> Tenant | None:
    """The organiser whose schema is active, or None on the public schema."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or current_schema_name() == get_public_schema_name():
        return None
    return tenant


def require_current_tenant() -> Tenant:
    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("This code runs inside a tenant schema only.")
    return tenant


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Run the block in `tenant`'s schema (search_path = tenant, public); restore afterwards."""
    with tenant_context(tenant):
        yield tenant


@contextmanager
def public_scope() -> Iterator[None]:
    """Run the block in the public schema only (the control plane)."""
    with schema_context(get_public_schema_name()):
        yield


async def connection_schema_switch(conn: Connection | PoolConnectionProxy, *, schema: str) -> None:
    """Point an asyncpg connection (the rush front's, api/front/) at `schema` for the rest of
    its session: search_path = schema, public, the statement django-tenants runs on Django's
    connections. The caller remembers each connection's schema and switches only when it
    changes (a round trip). Raises ValueError for a name django-tenants would not accept."""
    if not is_valid_schema_name(schema):
        raise ValueError(f"Not a schema name: {schema!r}")
    path = ",".join(quote_schema_name(name) for name in (schema, get_public_schema_name()))
    await conn.execute(f"SET search_path = {path}")


def enqueue_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task` once the current transaction commits, in the schema that is active *now*.

    Pinning the schema at enqueue time matters: by the time the commit hook runs, the request
    or task may have switched schema, and tenant-schemas-celery would stamp that one instead.
    Tasks take ids, never model instances or personal data.
    """
    schema = current_schema_name()
    transaction.on_commit(lambda: enqueue_in_schema(schema, task, *args, **kwargs))


def enqueue_in_schema(schema: str, task: Task, *args: Any, **kwargs: Any) -> None:
    """Send `task` to run in `schema` (tenant-schemas-celery reads the header), now: for work
    already committed (the rush front's bookings, written by one autocommitted statement)."""
    task.apply_async(args=args, kwargs=kwargs, headers={"_schema_name": schema})


def broker_queue_empty(queue: str | None = None) -> bool:
    """Whether a Celery queue (the default one) holds no task right now: tasks handed over
    earlier and not done cannot be waiting in it (outbox sweep). False when the broker cannot
    say (it is down)."""
    from celery import current_app

    name = queue or current_app.conf.task_default_queue
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)  # a broker that is down: say so at once
            # Declared as Celery declares it (a queue that does not exist yet holds nothing,
            # and Redis keeps no key for an empty one), which answers with its length.
            declared = current_app.amqp.queues[name](conn.default_channel).queue_declare()
    except Exception:  # the broker is down, or this transport cannot tell
        return False
    return declared.message_count == 0
