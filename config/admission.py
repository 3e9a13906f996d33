"""Admission control in the web server workers: a drop far past capacity (issue #11).

At a drop, many more people arrive than a worker can answer at once. Without a bound, every
request waits its turn behind all the others (the rush front's pool, Django's threads): the
wait grows with the crowd, every answer comes late, and a phone that gives up after a few
seconds retries into the same queue. So each worker counts the requests it has in progress and,
once it holds as many as it can answer in time, does not queue booking-path requests behind
them; it answers them at once, without touching the database:

- the API (`/api/...`): 429 `busy_try_again` with `Retry-After`, the usual error body, worded
  in the request's language (Bahasa Indonesia unless the language cookie says English);
- the booking pages (`/`, `/daftar/...`, `/undangan/...`, `/janji/...`): a waiting room, a small
  page in the person's language that says plainly to wait, shows their place in line and reloads
  by itself (a Refresh header: the CSP allows no inline script, and the page needs none).

Everything else (health and liveness checks, static files, the organiser's pages) is counted but
never refused: a load balancer's probe must not read a busy worker as a dead one.

The bound, per worker and per lane (admission_bound):
- the front's lane, the two hot requests the rush front answers on its own PostgreSQL pool:
  SENTRA_FRONT_DB_CONNECTIONS x SENTRA_ADMISSION_PER_CONNECTION requests in progress (6 x 8);
- Django's lane, everything else (Django's threads): SENTRA_WEB_THREADS x
  SENTRA_ADMISSION_PER_THREAD (4 x 6).
Below the bound, the limit is steered (AdmissionGate._steer) to what keeps the average time a
request spends in progress at SENTRA_ADMISSION_TARGET_MS (80): by Little's law, the requests in
progress over the time each spends is the rate the worker answers at, so a loaded machine
queues less and a fast one up to the bound, never fewer than the pool (those do not wait). A
fixed count assumes a machine's speed: 144 in progress was 100 ms of work on a quiet machine
and 300 ms on a loaded one (the drop's admitted p50). The figures are in
docs/adr/0012-drop-far-past-capacity.md.

Fair order for the pages: a refused person gets a signed ticket cookie stamped with the moment
they first arrived (`__Host-sentra-queue`). Their place is the number of people waiting at this
worker who arrived before them; a reload keeps the ticket, so it keeps the place and never
jumps ahead, and when room comes, the first in line go first (a person without a ticket does not
pass people who wait). The API has no such order: a client is told to come back after
Retry-After, as HTTP has it.

One function decides (`AdmissionGate.admit`) and one builds the answer (`busy_answer`). The
rush front calls them for every request before it reads the body (api.front.application), and
marks what it admitted (`ADMITTED` in the scope, passed on in the WSGI environ); Django calls
them in AdmissionMiddleware for a request that did not come through the front (a WSGI server,
the test client), so both refuse the same way, with the same bytes.
"""

from __future__ import annotations

import bisect
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from api.front.requests import fixed_headers
from api.hot import hot_route, json_bytes
from common.security_headers import PAGE_POLICY

FRONT, DJANGO = "front", "django"
API, PAGE = "api", "page"
ADMITTED = "sentra.admitted"  # scope / environ key: the front counted and admitted this request

NEVER_REFUSED = ("/livez", "/healthz", "/static/", "/favicon.ico", "/robots.txt")
PAGE_PREFIXES = ("/daftar/", "/undangan/", "/janji/")
# Seconds an API client is told to wait. Each refusal is a request the worker answers too:
# with 2,000 clients at a drop, 1 s meant about 1,150 refusals a second on a loaded machine
# (ADR 0012); 2 s halves them, and the admitted lane still refills at once.
RETRY_AFTER_BUSY = 2

TICKET_COOKIE = "__Host-sentra-queue"
TICKET_SECONDS = 15 * 60  # a ticket older than this is a new arrival (a person who came back)
_TICKET_SALT = "sentra.waiting-room"
STALE_SECONDS = 30.0  # a waiting ticket not seen again for this long has left the line
REFRESH_MIN, REFRESH_MAX = 1, 10
STEER_WINDOW_SECONDS = 0.1
WARM_ANSWERS = 256  # answers of a lane not steered by: the worker's first, slow once


def request_kind(path: str) -> str | None:
    """API, PAGE, or None for a request that is never refused (health, static files, anything
    that is not the booking path)."""
    if path.startswith(NEVER_REFUSED):
        return None
    if path.startswith("/api/"):
        return API
    if path == "/" or path.startswith(PAGE_PREFIXES):
        return PAGE
    return None


def request_lane(method: str, path: str) -> str:
    """FRONT for the two hot requests (api.hot), which the rush front answers on its own
    connections; DJANGO for everything else."""
    return FRONT if hot_route(method, path) is not None else DJANGO


_SETTINGS: dict[str, int] = {}  # read once: a Django setting costs several dictionary look-ups


def _setting(name: str) -> int:
    value = _SETTINGS.get(name)
    if value is None:
        value = _SETTINGS[name] = getattr(settings, name)
    return value


@receiver(setting_changed)
def _settings_changed(**_kwargs: object) -> None:
    _SETTINGS.clear()  # override_settings in tests


def admission_bound(
    lane: str, *, connections: int | None = None, threads: int | None = None
) -> int:
    """How many requests of `lane` one worker may have in progress: per connection of the
    front's pool, per Django thread (the worker's own when given, else the settings)."""
    if lane == FRONT:
        pool = connections or _setting("SENTRA_FRONT_DB_CONNECTIONS")
        return pool * _setting("SENTRA_ADMISSION_PER_CONNECTION")
    return (threads or _setting("SENTRA_WEB_THREADS")) * _setting("SENTRA_ADMISSION_PER_THREAD")


@dataclass(frozen=True)
class Ticket:
    """A place in the waiting room: when its holder first arrived, and who it is."""

    arrival: float
    token: str

    @property
    def order(self) -> tuple[float, str]:
        return (self.arrival, self.token)

    def cookie_value(self) -> str:
        return signing.Signer(salt=_TICKET_SALT).sign(f"{self.arrival:.3f}~{self.token}")

    @classmethod
    def new(cls, now: float) -> Ticket:
        """A new arrival, stamped to the millisecond as its cookie carries it: read back, it is
        the same place in line (stamped finer, a stamp rounded up put the person behind their
        own place, second to themselves)."""
        return cls(round(now, 3), secrets.token_urlsafe(12))


def ticket_read(value: str | None, now: float) -> Ticket | None:
    """The ticket of a cookie this platform signed lately, else None (absent, forged, old)."""
    if not value:
        return None
    try:
        text = signing.Signer(salt=_TICKET_SALT).unsign(value)
        stamp, _sep, token = text.partition("~")
        arrival = float(stamp)
    except (signing.BadSignature, ValueError):
        return None
    if not token or not now - TICKET_SECONDS <= arrival <= now + 5:
        return None
    return Ticket(min(arrival, now), token)


def refresh_seconds(position: int, bound: int) -> int:
    """How soon the waiting room reloads: the first in line often, the others less (each reload
    is a request the worker answers)."""
    return min(REFRESH_MAX, REFRESH_MIN + (position - 1) // max(1, bound))


class WaitingRoom:
    """The people this worker told to wait, in order of arrival."""

    def __init__(self) -> None:
        self.line: list[tuple[float, str]] = []  # sorted (arrival, token)
        self.seen: dict[str, float] = {}  # token -> when last seen
        self.pruned = 0.0

    def __len__(self) -> int:
        return len(self.seen)

    def position(self, ticket: Ticket, now: float) -> int:
        """1 for the first in line; the ticket joins the line if it is not in it."""
        self._prune(now)
        if ticket.token not in self.seen:
            bisect.insort(self.line, ticket.order)
        self.seen[ticket.token] = now
        return bisect.bisect_left(self.line, ticket.order) + 1

    def leave(self, ticket: Ticket) -> None:
        if self.seen.pop(ticket.token, None) is not None:
            index = bisect.bisect_left(self.line, ticket.order)
            if index < len(self.line) and self.line[index] == ticket.order:
                del self.line[index]

    def _prune(self, now: float) -> None:
        """Once a second: forget the tickets not seen for STALE_SECONDS (people who left)."""
        if now - self.pruned < 1.0:
            return
        self.pruned = now
        gone = {token for token, seen in self.seen.items() if now - seen > STALE_SECONDS}
        if gone:
            for token in gone:
                del self.seen[token]
            self.line = [entry for entry in self.line if entry[1] not in gone]


@dataclass(frozen=True)
class Refusal:
    """Why and how a request is refused: API (429) or PAGE (the waiting room)."""

    kind: str
    retry_after: int
    position: int = 0
    ticket: Ticket | None = None


class AdmissionGate:
    """The requests one worker has in progress, per lane, and its waiting room. The rush front
    keeps one (used from its event loop); Django's middleware keeps one for requests that did
    not come through the front (used from its threads, hence the lock: uncontended, about
    0.1 µs)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        connections: int | None = None,
        threads: int | None = None,
        threaded: bool = True,
    ) -> None:
        self.connections, self.threads = connections, threads  # of this worker, when known
        self.in_progress = {FRONT: 0, DJANGO: 0}
        # The limit each lane is steered to (SENTRA_ADMISSION_TARGET_MS, `_steer`), None until
        # a window of answers was seen; per lane, the window being counted: [its start,
        # answers, their seconds in progress summed, what was in progress at each, summed].
        self.steered: dict[str, float | None] = {FRONT: None, DJANGO: None}
        self.answered = {FRONT: 0, DJANGO: 0}
        self.wanted_before: dict[str, float | None] = {FRONT: None, DJANGO: None}
        self.steer_window: dict[str, list] = {
            lane: [clock(), 0, 0.0, 0] for lane in (FRONT, DJANGO)
        }
        self.room = WaitingRoom()
        self.clock = clock
        # Django's threads share a gate; the front's event loop has its gate to itself.
        self.lock = threading.Lock() if threaded else None

    def limit(self, lane: str, in_progress: int = 0) -> int:
        """How many requests of `lane` may be in progress now: the bound, or with
        SENTRA_ADMISSION_TARGET_MS set, the number the gate steers to (`_steer`): as many as
        this worker answers within that time on average, never fewer than its pool (front
        connections, Django threads: those are not waiting) and never more than the bound."""
        bound = admission_bound(lane, connections=self.connections, threads=self.threads)
        steered = self.steered[lane]
        if steered is None or not _setting("SENTRA_ADMISSION_TARGET_MS"):
            return bound
        return max(self.pool(lane, bound), min(bound, round(steered)))

    def pool(self, lane: str, bound: int | None = None) -> int:
        """The requests of `lane` this worker answers at once (front connections, Django
        threads): up to this many, none waits for another."""
        if bound is None:
            bound = admission_bound(lane, connections=self.connections, threads=self.threads)
        if lane == FRONT:
            return min(bound, self.connections or _setting("SENTRA_FRONT_DB_CONNECTIONS"))
        return min(bound, self.threads or _setting("SENTRA_WEB_THREADS"))

    def _steer(self, lane: str, seconds: float) -> None:
        """Count one answered request that was `seconds` in progress; at the end of each
        STEER_WINDOW_SECONDS with at least a pool's worth of answers, steer the limit to what
        keeps the average time in progress at the target. By Little's law the requests in
        progress are the rate times the time each spends, so the number that keeps the time at
        the target is the average in progress x target / average time: a worker that answers
        slowly (a loaded machine) queues less, a fast one more. Rising at most doubles the
        limit per window (a worker that was refusing takes a few windows to open again);
        falling takes two windows in a row that want less. Nothing is steered while nothing is
        answered: clients that all wait Retry-After leave gaps that say nothing about the
        worker's speed."""
        self.answered[lane] += 1
        if self.answered[lane] <= WARM_ANSWERS:
            return  # a new worker's first answers are slow once (it learns, connects, primes)
        now = self.clock()
        window = self.steer_window[lane]
        window[1] += 1
        window[2] += seconds
        window[3] += self.in_progress[lane] + 1  # what was in progress when it was answered
        if now - window[0] < STEER_WINDOW_SECONDS:
            return
        count, total, in_progress = window[1], window[2], window[3]
        self.steer_window[lane] = [now, 0, 0.0, 0]
        if count < self.pool(lane) or now - window[0] > 10 * STEER_WINDOW_SECONDS:
            return  # too few answers, or a window with a gap: no evidence either way
        target = _setting("SENTRA_ADMISSION_TARGET_MS") / 1000
        average_time, average_in_progress = total / count, in_progress / count
        wanted = average_in_progress * target / max(average_time, 1e-6)
        current = self.steered[lane]
        if current is None:
            current = float(
                admission_bound(lane, connections=self.connections, threads=self.threads)
            )
        last, self.wanted_before[lane] = self.wanted_before[lane], wanted
        if wanted < current:
            # Down only when two windows in a row say so, to the higher of the two: one slow
            # window (a cold statement, a pause) is not a queue.
            if last is not None and last < current:
                self.steered[lane] = max(wanted, last)
            return
        self.steered[lane] = min(wanted, 2 * max(current, average_in_progress))

    def admit(
        self, *, lane: str, kind: str | None, ticket_cookie: str | None = None
    ) -> Refusal | None:
        """None, and the request counts as in progress until `leave(lane)`; or the refusal.
        `kind` is request_kind's; `ticket_cookie` the waiting-room cookie of a PAGE request."""
        if self.lock is None:
            return self._admit(lane, kind, ticket_cookie)
        with self.lock:
            return self._admit(lane, kind, ticket_cookie)

    def _admit(self, lane: str, kind: str | None, ticket_cookie: str | None) -> Refusal | None:
        in_progress = self.in_progress[lane]
        bound = self.limit(lane)
        free = bound - in_progress
        if kind is None or (free > 0 and (kind == API or not self.room.seen)):
            self.in_progress[lane] = in_progress + 1
            return None
        if kind == API:
            return Refusal(API, RETRY_AFTER_BUSY)
        now = self.clock()
        ticket = ticket_read(ticket_cookie, now) or Ticket.new(now)
        position = self.room.position(ticket, now)
        if position <= free:  # room for everyone before this person, and for them
            self.room.leave(ticket)
            self.in_progress[lane] = in_progress + 1
            return None
        seconds = refresh_seconds(position, bound)
        return Refusal(PAGE, seconds, position, ticket)

    def leave(self, lane: str, seconds: float | None = None) -> None:
        """The request is answered; `seconds`: how long it was in progress (steers the limit
        when SENTRA_ADMISSION_TARGET_MS is set)."""
        if self.lock is None:
            self._leave(lane, seconds)
            return
        with self.lock:
            self._leave(lane, seconds)

    def _leave(self, lane: str, seconds: float | None) -> None:
        self.in_progress[lane] -= 1
        if seconds is not None and _setting("SENTRA_ADMISSION_TARGET_MS"):
            self._steer(lane, seconds)


# --- The answers -------------------------------------------------------------------------------

Headers = list[tuple[bytes, bytes]]
_API_ANSWERS: dict[tuple[str, bool], tuple[Headers, bytes]] = {}
_PAGES: dict[str, str] = {}
_POSITION, _NONCE = "@@position@@", "@@nonce@@"
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


def busy_body() -> dict[str, dict[str, str]]:
    """The API's 429 body, in the active language."""
    return {
        "error": {
            "code": "busy_try_again",
            "message": str(_("Many people are booking right now. Please try again in a moment.")),
        }
    }


def busy_answer(
    refusal: Refusal, *, language: str, secure: bool, path: str, query: str = ""
) -> tuple[int, Headers, bytes]:
    """(status, headers, body) of a refusal, the same bytes whoever refuses: the API's 429, or
    the waiting room (503, Retry-After, the ticket cookie) with a CSP nonce of its own."""
    if refusal.kind == API:
        kept = _API_ANSWERS.get((language, secure))
        if kept is None:
            with translation.override(language):
                body = json_bytes(busy_body())
            kept = _API_ANSWERS[(language, secure)] = (
                _headers(b"application/json", body, language, secure),
                body,
            )
        headers, body = kept
        return 429, [*headers, (b"retry-after", str(refusal.retry_after).encode())], body
    nonce = secrets.token_urlsafe(16)
    url = quote(path, safe=_PATH_SAFE) + (f"?{quote(query, safe=_QUERY_SAFE)}" if query else "")
    body = _page(language).replace(_POSITION, str(refusal.position)).replace(_NONCE, nonce).encode()
    policy = PAGE_POLICY.format(nonce=nonce).encode()
    headers = [
        (name, policy if name == b"content-security-policy" else value)
        for name, value in _headers(b"text/html; charset=utf-8", body, language, secure)
    ]
    ticket = refusal.ticket or Ticket.new(time.time())
    cookie: SimpleCookie = SimpleCookie()
    cookie[TICKET_COOKIE] = ticket.cookie_value()
    morsel = cookie[TICKET_COOKIE]
    morsel.update({"path": "/", "max-age": str(TICKET_SECONDS), "samesite": "Lax"})
    morsel["secure"] = morsel["httponly"] = True
    headers += [
        (b"retry-after", str(refusal.retry_after).encode()),
        # The reload: a header, not <meta http-equiv="refresh"> (axe-core counts a timed
        # refresh in the page as a WCAG 2.2.1 failure; the page says it reloads) nor a script
        # (one more request to a busy worker).
        (b"refresh", f"{refusal.retry_after}; url={url}".encode("latin-1")),
        (b"set-cookie", morsel.OutputString().encode("latin-1")),
    ]
    return 503, headers, body


def _headers(content_type: bytes, body: bytes, language: str, secure: bool) -> Headers:
    return [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"vary", b"Cookie"),
        (b"content-language", language.encode()),
        *fixed_headers(secure),
    ]


def _page(language: str) -> str:
    """The waiting room in `language`, rendered once (no request, so no context processor and
    no database) with markers for what changes per person."""
    page = _PAGES.get(language)
    if page is None:
        with translation.override(language):
            page = _PAGES[language] = render_to_string(
                "public_site/waiting_room.html",
                {"position": _POSITION, "csp_nonce": _NONCE},
            )
    return page


def cookie_language(cookie_header: str | None) -> str:
    """As common.language.language_activate: the language cookie, else the default."""
    chosen = (
        parse_cookie(cookie_header).get(settings.LANGUAGE_COOKIE_NAME) if cookie_header else None
    )
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def ticket_cookie_of(cookie_header: str | None) -> str | None:
    return parse_cookie(cookie_header).get(TICKET_COOKIE) if cookie_header else None


# --- Django's side -------------------------------------------------------------------------------

DJANGO_GATE = AdmissionGate()


class AdmissionMiddleware:
    """Admission for a request that reached Django without the rush front (which admits the
    requests it passes on itself, and says so in the environ). Early in the chain: before the
    host's tenant is looked up, so a refusal touches no database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get(ADMITTED):
            return self.get_response(request)
        path = request.path_info
        lane = request_lane(request.method or "GET", path)
        kind = request_kind(path)
        cookie = request.META.get("HTTP_COOKIE")
        refusal = DJANGO_GATE.admit(
            lane=lane, kind=kind, ticket_cookie=ticket_cookie_of(cookie) if kind == PAGE else None
        )
        if refusal is not None:
            return _as_response(
                busy_answer(
                    refusal,
                    language=cookie_language(cookie),
                    secure=request.is_secure(),
                    path=path,
                    query=request.META.get("QUERY_STRING", ""),
                )
            )
        started = time.monotonic()
        try:
            return self.get_response(request)
        finally:
            DJANGO_GATE.leave(lane, time.monotonic() - started)


def _as_response(answer: tuple[int, Headers, bytes]) -> HttpResponse:
    status, headers, body = answer
    response = HttpResponse(body, status=status)
    for name, value in headers:  # one Set-Cookie at most: a header, byte for byte the front's
        if name != b"content-length":
            response.headers[name.decode("latin-1")] = value.decode("latin-1")
    response.headers["Content-Length"] = str(len(body))
    return response
