"""Django behind the ASGI server (config.wsgi_bridge): what a WSGI application sees of a request
and what the client gets back, including a streamed answer and a client that leaves."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from config import wsgi_bridge
from config.wsgi_bridge import WSGIBridge
from tests.conftest import LoopThread


def _scope(**overrides: Any) -> dict[str, Any]:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/daftar/ä/",
        "query_string": b"a=1&b=%20",
        "root_path": "",
        "scheme": "https",
        "http_version": "1.1",
        "server": ("10.0.0.5", 8000),
        "client": ("203.0.113.9", 51000),
        "headers": [
            (b"host", b"alpha.localhost"),
            (b"content-type", b"text/plain"),
            (b"content-length", b"11"),
            (b"cookie", b"a=1"),
            (b"cookie", b"b=2"),
            (b"x-forwarded-proto", b"https"),
            (b"x_forwarded_proto", b"http"),
            (b"accept", b"text/html"),
            (b"accept", b"*/*"),
        ],
    }
    return {**scope, **overrides}


def _serve(
    app: Callable, scope: dict, chunks: list[bytes], *, send_fails_after: int = -1
) -> list[dict]:
    bridge = WSGIBridge(app, threads=1)
    try:
        return _serve_with(bridge, scope, chunks, send_fails_after=send_fails_after)
    finally:
        bridge.executor.shutdown(wait=True)


def test_the_application_sees_the_request_as_a_wsgi_server_gives_it() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        seen.update(environ, body=environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    sent = _serve(app, _scope(), [b"hello ", b"world"])

    assert seen["REQUEST_METHOD"] == "POST"
    assert seen["PATH_INFO"] == "/daftar/ä/".encode().decode("latin-1")  # PEP 3333 bytes
    assert seen["QUERY_STRING"] == "a=1&b=%20"
    assert seen["body"] == b"hello world"
    assert (seen["CONTENT_TYPE"], seen["CONTENT_LENGTH"]) == ("text/plain", "11")
    assert seen["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["HTTP_ACCEPT"] == "text/html,*/*"
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"  # the underscore twin is dropped
    assert (seen["REMOTE_ADDR"], seen["wsgi.url_scheme"]) == ("203.0.113.9", "https")
    assert (seen["SERVER_NAME"], seen["SERVER_PORT"]) == ("10.0.0.5", "8000")
    assert sent[0]["status"] == 200
    assert (b"content-length", b"2") in sent[0]["headers"]
    assert sent[1] == {"type": "http.response.body", "body": b"ok"}


def test_a_streamed_answer_arrives_whole_and_in_order() -> None:
    parts = [f"part {n};".encode() for n in range(200)]

    def app(environ: dict, start_response: Callable) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "application/pdf")])
        yield from parts

    sent = _serve(app, _scope(method="GET"), [b""])

    assert sent[0]["status"] == 200
    assert all(name != b"content-length" for name, _value in sent[0]["headers"])
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"".join(parts)
    assert sent[-1] == {"type": "http.response.body", "body": b""}


def test_a_client_that_leaves_mid_stream_stops_the_thread_and_closes_the_answer() -> None:
    produced: list[int] = []
    closed = threading.Event()

    class Endless:
        def __iter__(self) -> Iterator[bytes]:
            for n in range(100_000):
                produced.append(n)
                yield b"x" * 1024

        def close(self) -> None:
            closed.set()

    def app(environ: dict, start_response: Callable) -> Endless:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return Endless()

    with pytest.raises(OSError, match="gone"):
        _serve(app, _scope(method="GET"), [b""], send_fails_after=5)

    assert closed.is_set()
    assert len(produced) < 5 + wsgi_bridge.BACKLOG + 3  # stopped, not read to the end


def test_an_error_the_application_does_not_handle_is_raised_to_the_server() -> None:
    def app(environ: dict, start_response: Callable) -> list[bytes]:
        raise ValueError("broken view")

    with pytest.raises(ValueError, match="broken view"):
        _serve(app, _scope(method="GET"), [b""])


def test_warming_runs_once_in_every_thread_before_any_request() -> None:
    threads: list[str] = []
    lock = threading.Lock()

    def connect() -> None:
        with lock:
            threads.append(threading.current_thread().name)

    bridge = WSGIBridge(lambda environ, start: [b""], threads=3, warm=connect)
    bridge.warm()
    bridge.executor.shutdown(wait=True)

    assert len(threads) == len(set(threads)) == 3


def test_a_chunked_body_reaches_django_with_its_length() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        seen.update(length=environ.get("CONTENT_LENGTH"), body=environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [b""]

    headers = [(b"host", b"alpha.localhost"), (b"transfer-encoding", b"chunked")]
    _serve(app, _scope(headers=headers), [b'{"a":', b" 1}"])

    assert seen == {"length": "8", "body": b'{"a": 1}'}


def test_a_body_over_the_limit_is_refused_before_django_reads_it() -> None:
    called = []

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        called.append(True)
        start_response("200 OK", [])
        return [b""]

    bridge_limit = wsgi_bridge.WSGIBridge(app, threads=1, max_body_bytes=10)
    declared = _serve_with(bridge_limit, _scope(), [b"hello world!"])
    streamed = _serve_with(
        bridge_limit,
        _scope(headers=[(b"host", b"a.localhost")]),
        [b"hello ", b"world!", b"and more"],
    )

    assert declared[0]["status"] == streamed[0]["status"] == 413
    assert b"terlalu besar" in declared[1]["body"]  # Bahasa Indonesia first, then English
    assert b"too large" in declared[1]["body"]
    assert not called


def test_a_client_that_stops_sending_its_body_gets_408(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsgi_bridge, "BODY_IDLE_SECONDS", 0.2)
    bridge = WSGIBridge(lambda environ, start: [b""], threads=1)
    runner = LoopThread()
    sent: list[dict] = []

    async def stalls() -> dict:
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    try:
        runner.run(bridge(_scope(), stalls, send))
    finally:
        runner.close()
        bridge.executor.shutdown()

    assert sent[0]["status"] == 408


def _serve_with(
    bridge: WSGIBridge, scope: dict, chunks: list[bytes], *, send_fails_after: int = -1
) -> list[dict]:
    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if len(sent) == send_fails_after:
            raise OSError("the client is gone")
        sent.append(message)

    runner = LoopThread()
    try:
        runner.run(bridge(scope, receive, send))
    finally:
        runner.close()
    return sent
