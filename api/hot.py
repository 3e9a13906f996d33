"""The two requests opening hour is made of, named once: POST /api/v1/bookings and
GET /api/v1/venues/<id>/slots. The rush front (api/front/) answers them before Django when it
can, and the API's URLs (api/v1/urls.py) route them to their DRF views otherwise; both read
their paths here, and both render their answers with `json_bytes` and keep a venue's rendered
day in `SLOT_PAGES`, so a client gets the same bytes whoever answered.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.conf import settings

from common.process_cache import ProcessCache

PREFIX = "/api/v1/"
BOOKINGS_ROUTE = "bookings"
VENUE_SLOTS_ROUTE = "venues/<int:venue_id>/slots"
BOOKINGS_PATH = PREFIX + BOOKINGS_ROUTE
_VENUE_SLOTS_PATH = re.compile(r"/api/v1/venues/([0-9]{1,18})/slots")


def hot_route(method: str, path: str) -> tuple[str, int | None] | None:
    """("bookings", None) or ("venue_slots", the venue's id) for the two hot requests; None
    for any other request (and any other method on these paths)."""
    if method == "POST" and path == BOOKINGS_PATH:
        return "bookings", None
    if method == "GET" and (match := _VENUE_SLOTS_PATH.fullmatch(path)):
        return "venue_slots", int(match.group(1))
    return None


def json_bytes(data: Any) -> bytes:
    """The bytes of an API answer, exactly as DRF's JSONRenderer writes them (the project's
    renderer: compact, UTF-8 kept, U+2028/U+2029 escaped for JavaScript)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


# A venue's rendered day of slots, per process: (tenant schema, venue, day, programme) -> the
# JSON. At opening hour thousands ask the same question: an answer kept for
# SLOT_LIST_CACHE_SECONDS (a couple of seconds; the booking always decides on the live
# counter) costs no query and no JSON work. Within a byte budget: a crawler asking for every
# day cannot grow the process. The server's threads and the rush front share it.
SLOT_PAGES_MAX_BYTES = 8 * 1024 * 1024
SLOT_PAGES: ProcessCache[bytes] = ProcessCache(max_size=SLOT_PAGES_MAX_BYTES, size_of=len)
SlotPageKey = tuple[str, int, dt.date, int | None]


def slot_page_known(key: SlotPageKey) -> bytes | None:
    """A day's rendered slot list kept by this process and still fresh, else None."""
    return SLOT_PAGES.get(key)


def slot_page_keep(key: SlotPageKey, body: bytes) -> None:
    SLOT_PAGES.put(key, body, seconds=settings.SLOT_LIST_CACHE_SECONDS)
