"""ClamAV's daemon (clamd), when SENTRA_CLAMD_ADDRESS names one: the INSTREAM command over its
socket (a Unix socket path, or host:port). Without an address there is no scan: a documented
no-op (docs/adr/0015-documents-straight-to-s3.md), the other checks still apply."""

from __future__ import annotations

import socket
import struct

from django.conf import settings

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 60


class ScanFailedError(Exception):
    """clamd could not be reached or answered something unexpected: try again later."""


def _connect(address: str) -> socket.socket:
    if address.startswith("/"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(TIMEOUT_SECONDS)
        conn.connect(address)
        return conn
    host, _, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)


def clamd_infected(data: bytes) -> bool | None:
    """True when clamd finds a virus, False when it finds none, None when no clamd is
    configured. Raises ScanFailedError when the configured clamd does not answer."""
    address = settings.SENTRA_CLAMD_ADDRESS
    if not address:
        return None
    try:
        with _connect(address) as conn:
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = conn.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as exc:
        raise ScanFailedError(str(exc)) from exc
    answer = reply.rstrip(b"\0").decode("utf-8", "replace")
    if answer.endswith("FOUND"):
        return True
    if answer.endswith("OK"):
        return False
    raise ScanFailedError(answer)
