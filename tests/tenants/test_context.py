"""One module switches schemas; tasks carry the schema they were enqueued in."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import asyncpg
import pytest
from django.db import connection

from api.front.database import connection_params
from tenants.context import (
    connection_schema_switch,
    current_tenant,
    enqueue_after_commit,
    public_scope,
    tenant_scope,
)
from tenants.tasks import report_schema
from tests.conftest import LoopThread, OrganizerFixture

ROOT = Path(__file__).resolve().parents[2]
SWITCHES = re.compile(
    r"\b(schema_context|tenant_context|set_tenant|set_schema|set_schema_to_public)\b"
)
# A schema switch written as SQL or as a connection setting: SET [SESSION|LOCAL] search_path,
# set_config('search_path', ...), libpq's options "-c search_path=...", or the name on its own
# (asyncpg's server_settings={"search_path": ...}, set_config($1, ...)).
SEARCH_PATH_SETS = re.compile(
    r"\bSET\s+(SESSION\s+|LOCAL\s+)?search_path\b|set_config\s*\(\s*'search_path'"
    r"|-c\s*search_path\s*=|^\s*search_path\s*$",
    re.IGNORECASE,
)


def _source_files() -> Iterator[Path]:
    """Every module of the project's packages (all but tests/, so a new package is covered),
    except tenants/context.py and the database backend, which is the switching mechanism."""
    for init in sorted(ROOT.glob("*/__init__.py")):
        if init.parent.name == "tests":
            continue
        for path in sorted(init.parent.rglob("*.py")):
            if (
                "migrations" not in path.parts
                and "postgresql_backend" not in path.parts
                and path != ROOT / "tenants" / "context.py"
            ):
                yield path


def _string_literals(path: Path) -> Iterator[str]:
    """The strings a module's code holds (the parts of an f-string too), without comments and
    docstrings, which may name the statement they explain."""
    tree = ast.parse(path.read_text(), filename=str(path))
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, documented) and node.body and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            yield node.value


def test_only_tenants_context_switches_schemas() -> None:
    offenders = [
        str(path.relative_to(ROOT)) for path in _source_files() if SWITCHES.search(path.read_text())
    ]

    assert offenders == []


def test_only_tenants_context_sets_the_search_path() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {text.strip()[:80]}"
        for path in _source_files()
        for text in _string_literals(path)
        if SEARCH_PATH_SETS.search(text)
    ]

    assert offenders == []


def test_an_asyncpg_connection_is_switched_as_django_switches_its_own(
    committed: object, loop_thread: LoopThread
) -> None:
    async def scenario() -> list[str]:
        conn = await asyncpg.connect(**connection_params())
        try:
            await connection_schema_switch(conn, schema="alpha")
            seen = [await conn.fetchval("SHOW search_path")]
            for name in ['x"; DROP SCHEMA alpha; --', "pg_catalog", ""]:
                with pytest.raises(ValueError, match="Not a schema name"):
                    await connection_schema_switch(conn, schema=name)
            seen.append(await conn.fetchval("SHOW search_path"))
            return seen
        finally:
            await conn.close()

    seen = loop_thread.run(scenario())

    assert seen == ["alpha, public", "alpha, public"]  # the refused names changed nothing


def test_tenant_scope_switches_schema_and_restores_it(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        assert connection.schema_name == "alpha"
        assert current_tenant() == tenant_a.tenant
        with public_scope():
            assert connection.schema_name == "public"
            assert current_tenant() is None
        assert connection.schema_name == "alpha"
    assert connection.schema_name == "public"


def test_tenant_scope_hides_other_tenants_rows(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    from organizers.services.programmes import programme_create

    with tenant_scope(tenant_a.tenant):
        programme_create(name="Only in alpha", kind="public")
    with tenant_scope(tenant_b.tenant):
        from organizers.models import Programme

        assert not Programme.objects.filter(name="Only in alpha").exists()
    with tenant_scope(tenant_a.tenant):
        assert Programme.objects.filter(name="Only in alpha").exists()


def test_enqueue_after_commit_pins_the_schema_active_when_enqueued(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        tenant_scope(tenant_a.tenant),
    ):
        enqueue_after_commit(report_schema)
    assert connection.schema_name == "public"

    with mock.patch.object(report_schema, "apply_async") as apply_async:
        for callback in callbacks:
            callback()

    apply_async.assert_called_once_with(args=(), kwargs={}, headers={"_schema_name": "alpha"})


def test_nothing_is_sent_when_the_transaction_rolls_back(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    with (
        mock.patch.object(report_schema, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        try:
            with transaction.atomic(), tenant_scope(tenant_a.tenant):
                enqueue_after_commit(report_schema)
                raise RuntimeError("booking failed")
        except RuntimeError:
            pass

    assert callbacks == []
    apply_async.assert_not_called()
