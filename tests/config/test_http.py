"""The web workers' HTTP protocol writes what a response sends in one loop iteration at once."""

from __future__ import annotations

import asyncio
from typing import Any

from config.http import HOLD_BYTES, OneWriteTransport
from tests.conftest import LoopThread


class Recording:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 8000) if name == "sockname" else None


def test_a_head_and_body_sent_together_reach_the_socket_in_one_write(
    loop_thread: LoopThread,
) -> None:
    async def scenario() -> list[bytes]:
        socket = Recording()
        transport = OneWriteTransport(socket, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n")
        transport.write(b"{}")
        assert socket.writes == []  # held until the end of this iteration
        await asyncio.sleep(0)
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        await asyncio.sleep(0)
        return socket.writes

    writes = loop_thread.run(scenario())

    assert writes == [
        b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
    ]


def test_closing_sends_what_is_held_first_and_a_closed_socket_gets_nothing(
    loop_thread: LoopThread,
) -> None:
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        loop = asyncio.get_running_loop()
        closing, gone = Recording(), Recording()
        first = OneWriteTransport(closing, loop)  # type: ignore[arg-type]
        first.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        first.close()  # e.g. connection: close after the answer
        second = OneWriteTransport(gone, loop)  # type: ignore[arg-type]
        second.write(b"late")
        gone.closed = True  # the client left meanwhile
        await asyncio.sleep(0)
        assert first.get_extra_info("sockname") == ("127.0.0.1", 8000)  # the rest passes through
        return closing.writes, gone.writes

    closing_writes, gone_writes = loop_thread.run(scenario())

    assert closing_writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"]
    assert gone_writes == []


def test_beyond_the_hold_limit_writes_go_out_at_once(loop_thread: LoopThread) -> None:
    # An application that sends chunk after chunk without yielding still reaches the socket
    # (and its flow control) as it writes, not all at the end of the iteration.
    async def scenario() -> list[int]:
        socket = Recording()
        transport = OneWriteTransport(socket, asyncio.get_running_loop())  # type: ignore[arg-type]
        for _ in range(10):
            transport.write(b"x" * (HOLD_BYTES // 4))
        sizes = [len(write) for write in socket.writes]
        await asyncio.sleep(0)
        return [*sizes, len(socket.writes[-1])]

    sizes = loop_thread.run(scenario())

    assert sizes[:2] == [5 * (HOLD_BYTES // 4)] * 2  # written while the loop was still busy
    assert sizes[-1] == 5 * (HOLD_BYTES // 4)
