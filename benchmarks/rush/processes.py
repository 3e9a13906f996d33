"""The processes a bench run starts and stops: the production server (config.serve) with a
bounded number of workers, the e-vouchers' way out (the outbox relay and a Celery worker, at the
lowest priority), and the bench's own database."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parents[2]


WORKERS = int(os.environ.get("SENTRA_BENCH_WORKERS", "2"))  # one per core: measured best


THREADS = int(os.environ.get("SENTRA_BENCH_THREADS", "4"))


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=config["USER"] or "postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        password=config["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (config["NAME"],),
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(config["NAME"])))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


class Server:
    """The production server (python -m config.serve: uvicorn workers with the rush lane in
    front of Django) with a bounded number of workers."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "config.serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
            ],
            cwd=ROOT,
            env={**env, "SENTRA_WEB_THREADS": str(THREADS)},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/livez", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


class Delivery:
    """The e-vouchers' way out, as `./sentra run` has it: the outbox relay and a Celery worker
    (2 processes) writing the mail to files. Both run at the lowest priority (nice 19, and their
    session's scheduling group too: lowest_priority_group): on this one machine they share the
    cores with the server and PostgreSQL, where production gives them their own; at the lowest
    priority they take what the drop leaves and catch up after."""

    def __init__(self, env: dict[str, str]) -> None:
        self.mail_dir = Path(tempfile.mkdtemp(prefix="sentra-bench-mail-"))
        env = {
            **env,
            "SENTRA_BENCH_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "SENTRA_BENCH_EMAIL_DIR": str(self.mail_dir),
        }
        celery = [sys.executable, "-m", "celery", "-A", "config", "worker"]
        commands = (
            [sys.executable, "-m", "config.outbox_relay"],
            [*celery, "--concurrency=2", "--loglevel=WARNING", "--without-mingle"],
        )
        self.processes = [
            subprocess.Popen(
                ["nice", "-n", "19", *command],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                preexec_fn=lowest_priority_group,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for command in commands
        ]

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(self.mail_dir, ignore_errors=True)


def lowest_priority_group() -> None:
    """In the child, after it became a session of its own: give its scheduling group the
    lowest priority too. Linux groups the processes of each session (autogroup, on by default
    on desktops and here): between groups, CPU time is shared by group, whatever a process's
    own nice value says. Without this, `nice -n 19` in a session of its own was a peer of the
    server's session, and a relay and an idle worker took half of B1 rush's rate."""
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text("19")


def raise_fd_limit() -> None:
    """The server's workers inherit this process's limit: each holds about half of the drop's
    2,000 connections, besides its files and database connections."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
