"""What counts as an outage (common/database_outage.py): the answer is "try again", never a 500."""

from __future__ import annotations

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.test import Client, override_settings
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from common.database_outage import RETRY_AFTER_COLLISION, RETRY_AFTER_OUTAGE, retry_after
from tests.conftest import OrganizerFixture


def _collision(sqlstate: str) -> OperationalError:
    error = OperationalError("collided")
    cause = psycopg.errors.lookup(sqlstate)("collided")
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "seconds"),
    [
        (OperationalError("connection failed"), RETRY_AFTER_OUTAGE),
        (InterfaceError("connection already closed"), RETRY_AFTER_OUTAGE),
        (_collision("40P01"), RETRY_AFTER_COLLISION),
        (_collision("40001"), RETRY_AFTER_COLLISION),
        (RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"), RETRY_AFTER_OUTAGE),
        (RedisTimeoutError("Timeout reading from socket"), RETRY_AFTER_OUTAGE),
        (IntegrityError("duplicate key"), None),
        (DatabaseError("syntax error"), None),
        (ResponseError("WRONGTYPE"), None),
        (ValueError("a bug"), None),
    ],
    ids=[
        "database-down",
        "connection-gone",
        "deadlock",
        "serialization",
        "cache-down",
        "cache-timeout",
        "integrity",
        "database-error",
        "cache-error",
        "bug",
    ],
)
def test_outages_and_collisions_are_try_again_and_nothing_else(
    error: Exception, seconds: int | None
) -> None:
    assert retry_after(error) == seconds


def test_a_page_whose_cache_server_is_down_says_try_again(tenant_a: OrganizerFixture) -> None:
    """The booking home page reads the organiser's branding from the cache."""
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
    client = Client(HTTP_HOST=tenant_a.host, raise_request_exception=False)
    with override_settings(CACHES={"default": down, "global": down}):
        response = client.get("/", secure=True)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_OUTAGE)
    assert response["Content-Type"].startswith("text/html")
