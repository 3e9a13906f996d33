"""A new organiser's schema as a copy of the template schema, made by one DDL script.

django-tenants' `clone_schema` is a PL/pgSQL function that walks the catalogues for every
table, column, sequence and constraint each time it runs: most of an organiser's creation
time. The template only changes with a migration, so its definition is read from the
catalogues once per process (and again when its django_migrations rows change) and replayed
for each new schema as one script in one transaction: tables with their columns, defaults and
identity columns; every constraint and index under its own name (later migrations refer to
them by name); then the rows the template holds (django_migrations, django_content_type) and
the identity sequences moved past them. Public schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from tenants.context import current_schema_name

_PLACEHOLDER = "\x00schema\x00"


@dataclass(frozen=True)
class _Script:
    fingerprint: tuple[int, int]
    statements: tuple[str, ...]


_SCRIPTS: dict[str, _Script] = {}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _fingerprint(cursor: CursorWrapper, source: str) -> tuple[int, int]:
    cursor.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {_quote(source)}.django_migrations")  # noqa: S608
    count, highest = cursor.fetchone()
    return int(count), int(highest)


def _capture(cursor: CursorWrapper, source: str) -> tuple[str, ...]:
    """The statements that rebuild `source` under another name (the placeholder)."""
    target = _PLACEHOLDER
    qualified = re.compile(
        rf'(?<![\w"]){re.escape(_quote(source))}\.|(?<![\w"]){re.escape(source)}\.'
    )
    statements = [f"CREATE SCHEMA {target}"]
    cursor.execute(
        """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname""",
        [source],
    )
    tables = [row[0] for row in cursor.fetchall()]
    for table in tables:
        statements.append(
            f"CREATE TABLE {target}.{_quote(table)} (LIKE {_quote(source)}.{_quote(table)} "
            "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE)"
        )
    # Constraints by name: primary and unique keys first (foreign keys need them), then the
    # rest. pg_get_constraintdef names the source schema where it is not on the search path.
    cursor.execute(
        """SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid, true)
             FROM pg_constraint co
             JOIN pg_class cl ON cl.oid = co.conrelid
             JOIN pg_namespace n ON n.oid = co.connamespace
            WHERE n.nspname = %s AND co.contype IN ('p', 'u', 'c', 'x', 'f')
            ORDER BY CASE co.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'f' THEN 3 ELSE 2 END,
                     cl.relname, co.conname""",
        [source],
    )
    for table, name, definition in cursor.fetchall():
        definition = qualified.sub(f"{target}.", definition)
        statements.append(
            f"ALTER TABLE {target}.{_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
        )
    # Indexes that no constraint made (plain and partial ones), by name.
    cursor.execute(
        """SELECT pg_get_indexdef(i.indexrelid)
             FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_namespace n ON n.oid = ic.relnamespace
            WHERE n.nspname = %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid)
            ORDER BY ic.relname""",
        [source],
    )
    for (definition,) in cursor.fetchall():
        statements.append(qualified.sub(f"{target}.", definition))
    # The rows the template holds, and the identity sequences moved past them.
    for table in tables:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(source)}.{_quote(table)})")  # noqa: S608
        if not cursor.fetchone()[0]:
            continue
        statements.append(
            f"INSERT INTO {target}.{_quote(table)} "  # noqa: S608
            f"SELECT * FROM {_quote(source)}.{_quote(table)}"
        )
        cursor.execute(
            """SELECT a.attname FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %s AND c.relname = %s AND a.attidentity <> ''""",
            [source, table],
        )
        for (column,) in cursor.fetchall():  # names from the catalogue, not from users
            table_name, column_name = f"{target}.{_quote(table)}", _quote(column)
            highest = f"SELECT max({column_name}) FROM {table_name}"  # noqa: S608
            sequence = f"pg_get_serial_sequence('{table_name}', '{column}')"
            statements.append(f"SELECT setval({sequence}, coalesce(({highest}), 0) + 1, false)")
    return tuple(statements)


def schema_copy(*, source: str, target: str) -> None:
    """Create schema `target` with the definition and rows of `source`, all or nothing."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", target):
        raise ValueError(f"not a schema name we create: {target!r}")
    # On the public schema's search path the catalogue functions name the source schema in
    # every reference, which is what the script rewrites.
    if current_schema_name() != "public":
        raise RuntimeError("schema_copy runs on the public schema")
    for _attempt in range(3):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                fingerprint = _fingerprint(cursor, source)
                script = _SCRIPTS.get(source)
                if script is None or script.fingerprint != fingerprint:
                    script = _SCRIPTS[source] = _Script(fingerprint, _capture(cursor, source))
                quoted = _quote(target)
                cursor.execute(
                    ";\n".join(s.replace(_PLACEHOLDER, quoted) for s in script.statements)
                )
                # A migration of the template that committed while the script ran would give
                # the copy new migration rows but the old tables: check, and start again.
                if _fingerprint(cursor, target) != script.fingerprint:
                    raise _TemplateChangedError
            return
        except _TemplateChangedError:
            _SCRIPTS.pop(source, None)
    raise RuntimeError(f"the template schema {source} kept changing; try again")


class _TemplateChangedError(Exception):
    pass
