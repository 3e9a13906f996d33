"""The HTTP protocol the web workers speak: uvicorn's httptools protocol, writing what a response
sends in one loop iteration (its head and its body) to the socket once.

uvicorn writes a response's head and its body with two socket writes. On the rush front's
answers, which are one short body, those two system calls were about a fifth of a worker's time
(py-spy), and each wakes the client's reader twice. `OneWriteTransport` holds the writes made
during one iteration of the event loop and writes them together at its end: nothing waits
longer than the current iteration, and a streamed response still goes out chunk by chunk.
Beyond HOLD_BYTES it writes at once, so an application that sends many chunks without yielding
still meets the transport's flow control (pause_writing) as it would without it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HOLD_BYTES = 64 * 1024


class OneWriteTransport:
    """A transport that joins the writes of one event-loop iteration into one write."""

    __slots__ = ("held", "held_bytes", "loop", "transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self.loop = loop
        self.held: list[bytes] = []
        self.held_bytes = 0

    def write(self, data: bytes) -> None:
        if not self.held:
            self.loop.call_soon(self.flush)
        self.held.append(bytes(data))  # a bytearray changed after send() must not change it
        self.held_bytes += len(data)
        if self.held_bytes > HOLD_BYTES:
            self.flush()

    def flush(self) -> None:
        held, self.held, self.held_bytes = self.held, [], 0
        if held and not self.transport.is_closing():
            self.transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        loop = asyncio.get_running_loop()
        super().connection_made(OneWriteTransport(transport, loop))  # type: ignore[arg-type]
