"""The platform under test and the services it breaks, all its own: a PostgreSQL cluster in a
temporary folder, a Redis server (the broker and the cache) when `redis-server` is installed,
a mail server that counts every e-voucher received per address (MailSink), and the platform's
processes as `./sentra run` starts them (config.supervisor.Supervisor)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.platform_data import platform_data_made

ROOT = Path(__file__).resolve().parents[2]


DEADLINE_SECONDS = 15  # the platform's request deadline (SENTRA_REQUEST_DEADLINE_SECONDS)


def say(message: str) -> None:
    print(f"reliability: {time.strftime('%H:%M:%S')} {message}", flush=True)


class MailSink:
    """A mail server that accepts everything and remembers who got what and when (SMTP as
    Django's backend speaks it: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), on an event loop in a
    thread of its own."""

    def __init__(self) -> None:
        self.received: list[tuple[float, tuple[str, ...]]] = []  # (time.time(), recipients)
        self.lock = threading.Lock()
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="mail-sink", daemon=True)

    def start(self) -> MailSink:
        self.thread.start()
        self.ready.wait(10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)

    def per_address(self) -> dict[str, list[float]]:
        seen: dict[str, list[float]] = {}
        with self.lock:
            for at, recipients in self.received:
                for address in recipients:
                    seen.setdefault(address.lower(), []).append(at)
        return seen

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        recipients: list[str] = []
        try:
            writer.write(b"220 reliability sink\r\n")
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-reliability sink\r\n250 8BITMIME\r\n")
                elif verb == b"RCPT":
                    match = re.search(rb"<([^>]*)>", line)
                    recipients.append(match.group(1).decode() if match else "")
                    writer.write(b"250 ok\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go on\r\n")
                    await writer.drain()
                    while (await reader.readline()) not in (b".\r\n", b".\n", b""):
                        pass
                    with self.lock:
                        self.received.append((time.time(), tuple(recipients)))
                    recipients = []
                    writer.write(b"250 kept\r\n")
                elif verb == b"RSET":
                    recipients = []
                    writer.write(b"250 ok\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    break
                else:  # HELO, MAIL, NOOP
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


class PrivateRedis:
    """redis-server on a free port, appending every write to its file (a restart keeps the
    queued tasks, as a managed Redis that fails over does)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.process: subprocess.Popen | None = None
        self.binary = shutil.which("redis-server")

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not redis_answers(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def redis_answers(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Platform:
    """PostgreSQL, the broker, the mail server and the platform's processes, all our own."""

    def __init__(self, folder: Path) -> None:
        from benchmarks.private_postgres import PrivatePostgres, free_port

        self.folder = folder
        # Read by config.env (the beat schedule) and config.worker_liveness (whether the worker
        # is alive) in this process too: set before they are imported.
        os.environ["SENTRA_VAR_DIR"] = str(folder / "var")
        (folder / "var").mkdir(parents=True)
        self.postgres = PrivatePostgres(root=folder / "postgres")
        self.postgres.root.mkdir(parents=True)
        self.redis = PrivateRedis(folder / "redis", free_port())
        self.mail = MailSink()
        self.port = free_port()
        self.supervisor: Any = None
        self.ticking = False
        self.url = ""
        self.made: dict[str, Any] = {}

    @property
    def host(self) -> str:
        return f"{self.made['slug']}.localhost:{self.port}"

    def start(self) -> None:
        say(f"PostgreSQL of our own on port {self.postgres.port} ({self.postgres.bin})")
        self.postgres.init()
        self.postgres.start()
        self.url = self.postgres.create_database("sentra")
        self.mail.start()
        say(f"mail server of our own on port {self.mail.port}")
        if self.redis.binary:
            say(f"Redis of our own on port {self.redis.port} (the broker and the cache)")
            self.redis.start()
        else:
            say("no redis-server: the filesystem broker, and no broker scenario")
        env = self.env()
        say("migrating, and an approved organiser with a public programme")
        self.made = platform_data_made(self.url, env=env, slots=100, seats=60)
        from config.launcher import platform_processes
        from config.supervisor import Supervisor

        self.supervisor = Supervisor(
            platform_processes(bind="127.0.0.1", port=str(self.port), log_level="WARNING"),
            env=env,
            cwd=ROOT,
            say=say,
        )
        self.supervisor.start()
        self.ticking = True
        threading.Thread(target=self._tick, name="supervisor", daemon=True).start()
        self._wait_until_serving()

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.reliability",
            "DATABASE_URL": self.url,
            "SENTRA_EMAIL_PORT": str(self.mail.port),
            "SENTRA_REQUEST_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
            "SENTRA_PUBLIC_PORT": str(self.port),
            "SENTRA_WEB_LOG_LEVEL": "error",
        }
        if self.redis.binary:
            env["REDIS_URL"] = self.redis.url()
        else:
            env.pop("REDIS_URL", None)
        return env

    def _tick(self) -> None:
        while self.ticking:
            self.supervisor.tick()
            time.sleep(0.5)

    def _wait_until_serving(self) -> None:
        import urllib.request

        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/livez", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the platform did not start") from None
                time.sleep(0.3)
        # The worker is up once its pool has touched the liveness file.
        from config.worker_liveness import alive_age

        while alive_age() is None and time.monotonic() < deadline:
            time.sleep(0.3)

    def stop(self) -> None:
        self.ticking = False
        if self.supervisor is not None:
            self.supervisor.stop()
        self.mail.stop()
        self.redis.stop()
        self.postgres.destroy()

    def children(self, name: str) -> list[int]:
        import psutil

        pid = self.supervisor.pid(name)
        if pid is None:
            return []
        with contextlib.suppress(psutil.NoSuchProcess):
            return [child.pid for child in psutil.Process(pid).children()]
        return []
