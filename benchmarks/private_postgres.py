"""A PostgreSQL cluster of our own, in a temporary folder on a free port, that a test or the
reliability command (benchmarks/reliability/) may stop, start again and freeze (SIGSTOP) without
touching the server other sessions use.

Binaries: those the `pgserver` package ships (the embedded database of `./sentra run`), else
Debian's /usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as root: as root, the
cluster runs as the system user pgserver's embedded database uses (created the same way when
missing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SYSTEM_USER = "pgserver"  # the user pgserver runs its embedded server as, when we are root


def postgres_bin() -> Path:
    """The folder with initdb, pg_ctl and postgres."""
    try:
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin"
        if (bundled / "pg_ctl").exists():
            return bundled
    except ImportError:  # pragma: no cover - a dependency of the project
        pass
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    if not versions:
        raise RuntimeError("no PostgreSQL binaries (pgserver, /usr/lib/postgresql)")
    return versions[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """initdb, then start/stop/freeze/thaw. Listens on 127.0.0.1 (TCP, as production's clients
    reach their server), trust authentication, no fsync (the data is thrown away)."""

    def __init__(self, *, root: Path | None = None, port: int | None = None) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="sentra-pg-"))
        self.data = self.root / "data"
        self.port = port or free_port()
        self.bin = postgres_bin()
        self.user: str | None = SYSTEM_USER if os.geteuid() == 0 else None

    # --- life -------------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> PrivatePostgres:
        if self.user is not None:
            _ensure_system_user(self.user)
            _traversable(self.bin.parent)
            _traversable(self.root.parent)
            os.chown(self.root, *_ids(self.user))
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=utf8",
            "--no-sync",
        )
        settings = (
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 120\nshared_buffers = 64MB\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        return self

    def start(self, *, wait: float = 30.0) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")
        deadline = time.monotonic() + wait
        while not self.answers():
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start on port {self.port}")
            time.sleep(0.1)

    def stop(self, *, mode: str = "fast") -> None:
        """Stop the server (`fast`: sessions are ended; `immediate`: as if it crashed)."""
        if self.postmaster_pid() is None:
            return
        self.thaw()  # a frozen server cannot stop
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name` (a plain identifier); its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        self.stop(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                pass
        except OSError:
            return False
        out = subprocess.run(
            [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"],
            capture_output=True,
            check=False,
        )
        return out.returncode == 0

    # --- freezing ---------------------------------------------------------------------------

    def postmaster_pid(self) -> int | None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        import psutil

        return pid if psutil.pid_exists(pid) else None

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, walwriter)."""
        import psutil

        pid = self.postmaster_pid()
        if pid is None:
            return []
        try:
            return [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    def freeze(self) -> None:
        """SIGSTOP the postmaster (first: it starts no new backend) and all its processes. Their
        TCP stack still answers: connections are accepted by the kernel and data acknowledged,
        but nothing replies (a hung host, a VM paused, a storage stall)."""
        for pid in self.processes():
            _signal(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in reversed(self.processes()):
            _signal(pid, signal.SIGCONT)

    # --- plumbing ---------------------------------------------------------------------------

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        out = subprocess.run(
            [str(self.bin / program), *args],
            capture_output=True,
            text=True,
            check=False,
            user=self.user,
            cwd=self.root,
        )
        if check and out.returncode:
            raise RuntimeError(f"{program} failed: {out.stderr.strip()[-2000:]}")


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def _ensure_system_user(user: str) -> None:
    import pwd

    try:
        pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/sh", user], check=True, capture_output=True)


def _traversable(path: Path) -> None:
    """Let the system user reach the binaries (as pgserver does for its own)."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if mode & 0o005 != 0o005:
            folder.chmod(mode | 0o055)
