"""The outbox's event keys: what makes one event yield one message (Message.event_key is
unique), written once: "<kind>:<part>:<part>...", e.g. "voucher:42" or "reminder:42:7".

The same key is built in Python (event_key), by PostgreSQL inside a statement (event_key_sql:
the booking statement records the voucher message itself) and by the ORM inside a query
(event_key_expression: "was this reminder already recorded?"). A test builds each kind all
three ways and compares them.
"""

from __future__ import annotations

from django.db.models import CharField, Expression, F, Value
from django.db.models.functions import Concat

SEPARATOR = ":"


def event_key(kind: str, *parts: object) -> str:
    """The key of the event `kind` about `parts` (ids, a nonce, ...), in Python."""
    return SEPARATOR.join([str(kind), *(str(part) for part in parts)])


def event_key_parts(key: str, *, kind: str) -> list[str]:
    """The parts of a key of `kind` (event_key read back); ValueError for another kind's."""
    head, _, rest = key.partition(SEPARATOR)
    if head != kind:
        raise ValueError(f"{key!r} is not a {kind} event key")
    return rest.split(SEPARATOR)


def event_key_sql(kind: str, *parts: str) -> str:
    """The same key as SQL, from SQL expressions (column references of the statement).
    `kind` is one of Message.Kind's values: a constant of ours, never user input."""
    if not kind.isidentifier():
        raise ValueError(f"{kind!r} is not a message kind")
    return " || ".join([f"'{kind}'", *(f"'{SEPARATOR}' || {part}" for part in parts)])


def event_key_expression(kind: str, *parts: Expression | F) -> Concat:
    """The same key as an ORM expression, from expressions (F, OuterRef, ...)."""
    pieces: list[Expression | F] = [Value(kind)]
    for part in parts:
        pieces += [Value(SEPARATOR), part]
    return Concat(*pieces, output_field=CharField())
