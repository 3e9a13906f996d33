"""A new organiser's schema is a copy of the template made by one DDL script
(tenants/services/schema_copy.py): the same tables, columns, constraints and indexes under the
same names, the same rows, and nothing at all if any statement fails."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from tenants.models import TEMPLATE_SCHEMA
from tenants.services import schema_copy as copier


def _catalogue(schema: str) -> dict[str, list[tuple]]:
    """Everything that defines a schema, with the schema's own name taken out."""
    queries = {
        "columns": """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   a.attidentity, pg_get_expr(d.adbin, d.adrelid)
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE n.nspname = %(s)s AND c.relkind = 'r' AND a.attnum > 0
               AND NOT a.attisdropped""",
        "constraints": """
            SELECT cl.relname, co.conname, co.contype, co.condeferrable, co.condeferred,
                   pg_get_constraintdef(co.oid)
              FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
              JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = %(s)s""",
        # A partial index's condition is compared by presence: PostgreSQL prints a re-parsed
        # condition with different casts (the same test, other words).
        "indexes": """
            SELECT ic.relname, tc.relname, i.indisunique,
                   pg_get_indexdef(i.indexrelid, 0, true) ~ ' WHERE ',
                   regexp_replace(pg_get_indexdef(i.indexrelid), ' WHERE .*', '')
              FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_class tc ON tc.oid = i.indrelid
              JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE n.nspname = %(s)s""",
        "migrations": "SELECT app, name FROM {schema}.django_migrations",
        "content types": "SELECT id, app_label, model FROM {schema}.django_content_type",
    }
    found = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql.format(schema=schema), {"s": schema})
            rows = [
                tuple(str(v).replace(schema, "S") if isinstance(v, str) else v for v in row)
                for row in cursor.fetchall()
            ]
            found[name] = sorted(rows, key=repr)
    return found


def test_the_copy_has_the_templates_definition_and_rows(db: None) -> None:
    copier.schema_copy(source=TEMPLATE_SCHEMA, target="copy_check")

    template, copy = _catalogue(TEMPLATE_SCHEMA), _catalogue("copy_check")

    assert template["constraints"]  # the comparison is about something
    assert any("booking_slot_programme_fk" in row[1] for row in copy["constraints"])
    for part in template:
        assert copy[part] == template[part], part
    with connection.cursor() as cursor:  # identity columns go on after the copied rows
        cursor.execute(
            "INSERT INTO copy_check.django_migrations (app, name, applied) "
            "VALUES ('x', 'y', now()) RETURNING id"
        )
        new_id = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM sentra_template.django_migrations")
        assert new_id > cursor.fetchone()[0]


def test_a_failing_statement_leaves_no_schema(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    copier.schema_copy(source=TEMPLATE_SCHEMA, target="copy_first")  # capture the script
    script = copier._SCRIPTS[TEMPLATE_SCHEMA]
    broken = copier._Script(script.fingerprint, (*script.statements, "SELECT 1/0"))
    monkeypatch.setitem(copier._SCRIPTS, TEMPLATE_SCHEMA, broken)

    with pytest.raises(DatabaseError):
        copier.schema_copy(source=TEMPLATE_SCHEMA, target="copy_broken")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'copy_broken'")
        assert cursor.fetchone() == (0,)


def test_a_new_migration_in_the_template_is_copied_too(db: None) -> None:
    copier.schema_copy(source=TEMPLATE_SCHEMA, target="copy_before")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sentra_template.django_migrations (app, name, applied) "
            "VALUES ('organizers', '9999_later', now())"
        )
    copier.schema_copy(source=TEMPLATE_SCHEMA, target="copy_after")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM copy_after.django_migrations WHERE name = '9999_later'"
        )
        assert cursor.fetchone() == (1,)


def test_only_plain_schema_names_are_created(db: None) -> None:
    with pytest.raises(ValueError, match="not a schema name"):
        copier.schema_copy(source=TEMPLATE_SCHEMA, target='x"; DROP SCHEMA public; --')


def test_a_template_migrated_while_the_script_runs_is_copied_afresh(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the script was chosen by an old fingerprint, then a migration of the template
    committed before the copy read its rows. The copy notices and starts again."""
    copier.schema_copy(source=TEMPLATE_SCHEMA, target="copy_old")
    stale = copier._SCRIPTS[TEMPLATE_SCHEMA].fingerprint
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sentra_template.django_migrations (app, name, applied) "
            "VALUES ('organizers', '9998_racing', now())"
        )
    real = copier._fingerprint
    reads = []

    def first_read_is_stale(cursor: object, schema: str) -> tuple[int, int]:
        reads.append(schema)
        if schema == TEMPLATE_SCHEMA and reads.count(schema) == 1:
            return stale
        return real(cursor, schema)

    monkeypatch.setattr(copier, "_fingerprint", first_read_is_stale)

    copier.schema_copy(source=TEMPLATE_SCHEMA, target="copy_race")

    assert copier._SCRIPTS[TEMPLATE_SCHEMA].fingerprint != stale  # captured again
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM copy_race.django_migrations WHERE name = '9998_racing'"
        )
        assert cursor.fetchone() == (1,)
