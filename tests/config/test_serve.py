"""The production web server (python -m config.serve), run as production runs it: it answers,
replaces a worker that dies, stops cleanly on SIGTERM, and refuses a port that is taken."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import suite_database_url

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(port: int, *, workers: int = 2, output: object = subprocess.PIPE) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": suite_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "config.serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2) as response:
            return response.status == 200 and response.read() == b"ok"
    except OSError:
        return False


def _until(condition: object, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.fixture
def server(django_db_setup: None, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")  # a pipe nobody reads would stop the server
    process = _start(port, output=log)
    try:
        assert _until(lambda: _answers(port)), "the server did not answer"
        yield process, port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def test_the_server_answers_from_two_workers_and_replaces_one_that_dies(
    server: tuple[subprocess.Popen, int],
) -> None:
    process, port = server
    assert _until(lambda: len(_children(process.pid)) == 2)
    first, second = _children(process.pid)

    os.kill(first, signal.SIGKILL)

    assert _until(lambda: len(_children(process.pid)) == 2 and first not in _children(process.pid))
    assert second in _children(process.pid)
    assert _until(lambda: _answers(port))
    assert all(_answers(port) for _ in range(20))


def test_sigterm_stops_the_workers_and_the_server(server: tuple[subprocess.Popen, int]) -> None:
    process, port = server
    assert _until(lambda: len(_children(process.pid)) == 2)
    workers = _children(process.pid)

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=30) == 0
    assert not _answers(port)
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists()


def test_a_port_that_is_taken_is_refused_at_once(django_db_setup: None) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = _start(taken.getsockname()[1])
        output, _ = process.communicate(timeout=30)

    assert process.returncode != 0
    assert b"Address already in use" in output


def test_a_worker_hides_what_it_loaded_from_the_garbage_collector(django_db_setup: None) -> None:
    # A full collection walks every tracked object with the event loop stopped; the worker's
    # modules (Django and the apps) live as long as it does, so they are frozen after loading.
    script = (
        "import gc, uvicorn, config.serve as serve\n"
        "config = uvicorn.Config(serve.APP); config.load()\n"
        "loaded = len(gc.get_objects())\n"
        "serve._freeze_what_is_loaded()\n"
        "print(loaded, gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": suite_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded, frozen, still_walked = map(int, out.stdout.split())

    assert loaded > 50_000  # Django and the apps are loaded at this point
    assert frozen >= loaded * 0.9
    assert still_walked < loaded * 0.05
