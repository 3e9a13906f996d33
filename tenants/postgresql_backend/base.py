"""django-tenants' PostgreSQL backend, minus a `SET search_path` per request.

django-tenants forgets the search_path whenever the schema is selected, and every request
selects it twice (public, then the host's tenant), so each request pays a `SET search_path`
round trip even when the connection already has exactly that path. Here the path last applied
on this connection is remembered and the SET skipped when it would change nothing. Whatever can
undo a SET (rollback, savepoint rollback, a new connection) forgets it, as django-tenants does.
"""

from __future__ import annotations

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    _applied_search_paths: list[str] | None = None
    # Set by django-tenants' backend (untyped); declared for the type checker.
    schema_name: str
    search_path_set_schemas: list[str] | None

    def _handle_search_path(self, cursor: object = None) -> None:
        unchanged = (
            not self._setting_search_path
            and self.search_path_set_schemas is None
            and self.schema_name
            and self._get_cursor_search_paths() == self._applied_search_paths
        )
        if unchanged:
            self.search_path_set_schemas = self._applied_search_paths
            return
        super()._handle_search_path(cursor)
        self._applied_search_paths = self.search_path_set_schemas

    def close(self) -> None:
        self._applied_search_paths = None
        super().close()

    def rollback(self) -> None:
        self._applied_search_paths = None
        super().rollback()

    def savepoint_rollback(self, sid: str) -> None:
        self._applied_search_paths = None
        super().savepoint_rollback(sid)
