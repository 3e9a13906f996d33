"""documents.clamd: INSTREAM to a clamd (here a stand-in speaking its protocol on a Unix
socket), and no scan at all when none is configured."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from documents.clamd import ScanFailedError, clamd_infected

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def fake_clamd(tmp_path: Path) -> Iterator[str]:
    """Reads one INSTREAM per connection; answers FOUND when the stream holds EICAR."""
    path = str(tmp_path / "clamd.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\0"):
                    data += conn.recv(1)
                assert data == b"zINSTREAM\0"
                received = b""
                while True:
                    size = struct.unpack("!L", conn.recv(4, socket.MSG_WAITALL))[0]
                    if size == 0:
                        break
                    received += conn.recv(size, socket.MSG_WAITALL)
                found = b"stream: Eicar-Signature FOUND\0" if EICAR in received else b"stream: OK\0"
                conn.sendall(found)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    server.close()


def test_clean_file_passes_and_eicar_is_found(fake_clamd: str) -> None:
    with override_settings(SENTRA_CLAMD_ADDRESS=fake_clamd):
        assert clamd_infected(b"%PDF-1.4 clean" * 10_000) is False
        assert clamd_infected(b"%PDF-1.4 " + EICAR) is True


def test_no_address_is_no_scan() -> None:
    with override_settings(SENTRA_CLAMD_ADDRESS=""):
        assert clamd_infected(EICAR) is None


def test_unreachable_clamd_is_a_failure_to_retry(tmp_path: Path) -> None:
    with (
        override_settings(SENTRA_CLAMD_ADDRESS=str(tmp_path / "absent.sock")),
        pytest.raises(ScanFailedError),
    ):
        clamd_infected(b"data")
