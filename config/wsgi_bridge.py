"""Django (WSGI) behind the ASGI server, in a pool of threads: everything the rush front does
not answer itself (api/front/) comes here.

Why not a2wsgi, or uvicorn's own (deprecated) WSGI middleware: a2wsgi hands every message
(the status line, each body chunk) from the thread to the event loop and blocks the thread
until the loop has taken it: three round trips between threads for a plain page. Measured with
wrk on two cores, /livez: 2,944/s through a2wsgi, 6,672/s through uvicorn's adapter, 5,192/s
like this, 4,066/s under gunicorn.

Here the request body is read before the thread starts: in memory up to 1 MB, then in a
temporary file. It is refused with 413 beyond SENTRA_WEB_MAX_BODY_BYTES, and with 408 when it
stops coming. The thread passes what it produces to the loop without waiting. A streamed answer
(a file) goes out as the thread reads it, at most BACKLOG chunks ahead of the client.

With a deadline (config/request_deadline.py), the request runs inside `watch` (its database
connections are cut when they outlive their share), and an answer not started by the deadline
is replaced by `late` (the outage answer, made on the event loop: no thread may be free); a
thread that picks up a request already answered so skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from config.request_deadline import database_deadline, request_deadline_start

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# The answer given in the application's place at the deadline: (status, headers, body).
LateAnswer = Callable[[dict[str, Any]], tuple[int, list[tuple[bytes, bytes]], bytes]]
Watch = Callable[[float | None], contextlib.AbstractContextManager[None]]

SPOOL_BYTES = 1024 * 1024  # bodies above this wait in a temporary file, not in memory
BACKLOG = 16  # chunks a streamed answer may run ahead of the client
BODY_IDLE_SECONDS = 30.0  # a client that stops sending its body is answered 408
_NO_BODY_STATUSES = {204, 304}


def _too_large(limit: int) -> _RefusedError:
    # Before Django, so before the person's language is known: Bahasa Indonesia, then English.
    megabytes = limit // (1024 * 1024)
    return _RefusedError(
        413,
        (
            f"Berkas atau isian ini terlalu besar (lebih dari {megabytes} MB). Kembali, lalu pilih "
            f"berkas yang lebih kecil.\nThis file or form is too large (over {megabytes} MB). Go "
            "back and choose a smaller file."
        ),
    )


_TOO_SLOW = (
    "Kiriman Anda terputus sebelum selesai. Kembali, lalu coba lagi.\n"
    "What you sent stopped arriving before it was complete. Go back and try again."
)


class _RefusedError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


class WSGIBridge:
    def __init__(
        self,
        app: WSGIApp,
        *,
        threads: int,
        warm: Callable[[], object] | None = None,
        max_body_bytes: int = 25 * 1024 * 1024,
        late: LateAnswer | None = None,
        watch: Watch | None = None,
    ) -> None:
        self.app = app
        self.late = late
        self.watch = watch
        self.max_body_bytes = max_body_bytes
        self.threads = threads
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django")
        self.warm_thread = warm

    def warm(self) -> None:
        """Start every thread now and run `warm` in each (say, open its database connection),
        so that the first requests of opening hour do not pay for it. The tasks meet at a
        barrier, which makes the pool start one thread for each."""
        if self.warm_thread is None:
            return
        meeting = threading.Barrier(self.threads)

        def warm_one() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                meeting.wait(timeout=10)
            try:
                self.warm_thread()  # type: ignore[misc]
            except Exception as exc:  # a warm-up failure only costs time later
                print(f"sentra: a web thread could not warm up: {exc!r}", file=sys.stderr)

        for _thread in range(self.threads):
            self.executor.submit(warm_one)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # websockets: nothing of ours speaks them
        try:
            body = await _read_body(receive, scope, self.max_body_bytes)
        except _RefusedError as refused:
            return await _plain_answer(send, refused.status, refused.text)
        except ConnectionAbortedError:
            return  # the client left before its request was whole: nothing to answer
        deadline = request_deadline_start(scope) if self.late is not None else None
        try:
            exchange = _Exchange(asyncio.get_running_loop(), watch=self.watch)
            environ = _environ(scope, body)
            work = asyncio.wrap_future(
                self.executor.submit(exchange.run, self.app, environ, database_deadline(deadline))
            )
            try:
                started = await exchange.forward(send, deadline=deadline)
            except BaseException:
                exchange.abandon()  # the client left: the thread stops streaming
                raise
            if not started:  # the deadline passed first: the outage answer, in its place
                exchange.abandon()
                work.add_done_callback(_consumed)  # the thread's own outcome is dropped
                status, headers, payload = self.late(environ)  # type: ignore[misc]
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": payload})
                return
            await work  # Django's own errors are answered by Django; anything else is raised
        finally:
            body.close()


class _Exchange:
    """One request's answer, passed from the Django thread to the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, watch: Watch | None = None) -> None:
        self.loop = loop
        self.watch = watch
        self.messages: asyncio.Queue[Message | None] = asyncio.Queue()
        self.room = threading.Semaphore(BACKLOG)
        self.started = False
        self.abandoned = False
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []

    def _post(self, message: Message | None) -> None:
        self.room.acquire()
        if self.abandoned:
            self.room.release()
            if message is not None:
                raise ConnectionAbortedError("the client is gone")
            return
        self.loop.call_soon_threadsafe(self.messages.put_nowait, message)

    def abandon(self) -> None:
        self.abandoned = True
        self.room.release()  # a thread waiting for room wakes, sees it and stops

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = int(status.split(" ", 1)[0])
        self.headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        return self._write

    def _start(self, length: int | None = None) -> None:
        if not self.started:
            self.started = True
            names = {name for name, _value in self.headers}
            if (
                length is not None
                and self.status not in _NO_BODY_STATUSES
                and not names & {b"content-length", b"transfer-encoding"}
            ):
                self.headers.append((b"content-length", str(length).encode()))
            self._post(
                {"type": "http.response.start", "status": self.status, "headers": self.headers}
            )

    def _write(self, chunk: bytes) -> None:
        self._start()
        if chunk:
            self._post({"type": "http.response.body", "body": chunk, "more_body": True})

    def run(self, app: WSGIApp, environ: dict[str, Any], deadline: float | None = None) -> None:
        try:
            if self.abandoned:
                return  # answered at its deadline while it waited for a thread
            if self.watch is None:
                iterable = app(environ, self.start_response)
            else:
                with self.watch(deadline):  # not while streaming: a file is no database
                    iterable = app(environ, self.start_response)
            try:
                chunks = iter(iterable)
                first = next(chunks, None)
                second = next(chunks, None) if first is not None else None
                if second is None:  # the usual page: one message for the whole body
                    self._start(len(first or b""))
                    self._post({"type": "http.response.body", "body": first or b""})
                else:
                    self._write(first)  # type: ignore[arg-type]
                    self._write(second)
                    for chunk in chunks:
                        self._write(chunk)
                    self._post({"type": "http.response.body", "body": b""})
            finally:
                close = getattr(iterable, "close", None)
                if close is not None:
                    close()
        finally:
            self._post(None)

    async def forward(self, send: Send, *, deadline: float | None = None) -> bool:
        """Send the thread's answer on; False (nothing sent) when it did not start by
        `deadline` (time.monotonic())."""
        if deadline is not None:
            try:
                async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                    message = await self.messages.get()
            except TimeoutError:
                return False
            self.room.release()
            if message is None:
                return True
            await send(message)
        while True:
            message = await self.messages.get()
            self.room.release()
            if message is None:
                return True
            await send(message)


def _consumed(work: asyncio.Future) -> None:
    """Retrieve the outcome of a thread whose answer was replaced, so that asyncio does not
    report it as never retrieved."""
    if not work.cancelled():
        work.exception()


async def _read_body(receive: Receive, scope: Scope, limit: int) -> IO[bytes]:
    """The whole body, before Django runs: refused with 413 beyond `limit` (as soon as the
    declared length or the bytes so far say so), 408 when the client stops sending it."""
    declared = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by caller
    size = 0
    try:
        while True:
            try:
                async with asyncio.timeout(BODY_IDLE_SECONDS):  # a timer, not a task per chunk
                    message = await receive()
            except TimeoutError:
                raise _RefusedError(408, _TOO_SLOW) from None
            if message["type"] != "http.request":
                raise ConnectionAbortedError("the client left")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            body.write(chunk)
            if not message.get("more_body", False):
                break
    except BaseException:
        body.close()
        raise
    body.seek(0)
    return body


async def _plain_answer(send: Send, status: int, text: str) -> None:
    payload = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _environ(scope: Scope, body: IO[bytes]) -> dict[str, Any]:
    """PEP 3333's environ for an ASGI HTTP scope."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    root = scope.get("root_path", "")
    path = scope["path"]
    if root and path.startswith(root):
        path = path[len(root) :]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root.encode().decode("latin-1"),
        "PATH_INFO": path.encode().decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]) if server[1] is not None else "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for key, value in scope.items():  # what the rush front says of the request (admitted, ...)
        if key.startswith("sentra."):
            environ[key] = value
    for raw_name, raw_value in scope["headers"]:
        if b"_" in raw_name:
            # As gunicorn and nginx do: "X_Forwarded_Proto" would read as X-Forwarded-Proto.
            continue
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        if key in environ:  # a repeated header: one value, as HTTP joins them
            value = f"{environ[key]}{'; ' if key == 'HTTP_COOKIE' else ','}{value}"
        environ[key] = value
    # What was read, however it came (a chunked body has no Content-Length of its own).
    size = body.seek(0, 2)
    body.seek(0)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    if size or "CONTENT_LENGTH" in environ:
        environ["CONTENT_LENGTH"] = str(size)
    return environ
