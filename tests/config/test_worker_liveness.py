"""A worker whose pool stops finishing tasks is seen as stale (config/worker_liveness.py), and
one whose pool is busy with a long task is not. A real prefork worker on the suite's broker,
with its own queue and a liveness interval of one second."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery.utils import worker_direct

from tests.conftest import suite_database_url

INTERVAL = 1  # seconds; stale after 4


class LivenessWorker:
    def __init__(self, hostname: str, alive_file: Path, process: subprocess.Popen) -> None:
        self.hostname = hostname
        self.alive_file = alive_file
        self.process = process

    def check(self) -> tuple[int, str]:
        """`python -m config.worker_liveness --check`, as a container health check runs it."""
        done = subprocess.run(
            [sys.executable, "-m", "config.worker_liveness", "--check"],
            env={
                **os.environ,
                "SENTRA_WORKER_ALIVE_FILE": str(self.alive_file),
                "SENTRA_WORKER_ALIVE_SECONDS": str(INTERVAL),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode, done.stdout.strip()

    def pool_children(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def _until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def liveness_worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LivenessWorker]:
    tmp_path = tmp_path_factory.mktemp("liveness")
    hostname = f"liveness-{uuid.uuid4().hex[:8]}@test"
    alive_file = tmp_path / "worker-alive"
    env = {
        **os.environ,
        "DATABASE_URL": suite_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SENTRA_WORKER_ALIVE_FILE": str(alive_file),
        "SENTRA_WORKER_ALIVE_SECONDS": str(INTERVAL),
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--hostname={hostname}",
            "--include=tests.config.worker_tasks",
            # Its own queue only: the suite's shared worker keeps the default one.
            f"--queues=liveness-{hostname}",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = LivenessWorker(hostname, alive_file, process)
    try:
        _until(alive_file.exists, 90)
        yield worker
    finally:
        for child in worker.pool_children() if process.poll() is None else []:
            os.kill(child, signal.SIGCONT)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_a_worker_whose_pool_stopped_finishing_tasks_is_stale_and_alive_again_after(
    liveness_worker: LivenessWorker,
) -> None:
    assert liveness_worker.check()[0] == 0

    # A pool child that never comes back (as when billiard's queue lock is wedged): the main
    # process still runs and takes messages, but nothing finishes.
    children = liveness_worker.pool_children()
    for child in children:
        os.kill(child, signal.SIGSTOP)
    _until(lambda: liveness_worker.check()[0] == 1, 20)
    code, said = liveness_worker.check()
    assert code == 1
    assert said.startswith("worker: stale, last finished a task ")

    for child in children:
        os.kill(child, signal.SIGCONT)
    _until(lambda: liveness_worker.check()[0] == 0, 20)


def test_a_pool_busy_with_a_long_task_is_not_taken_for_wedged(
    liveness_worker: LivenessWorker,
) -> None:
    from tests.config.worker_tasks import sleep_for

    sleep_for.apply_async(args=(14,), queue=worker_direct(liveness_worker.hostname))
    log = liveness_worker.alive_file.parent / "worker.log"
    _until(lambda: "Task tests.sleep_for" in log.read_text(errors="replace"), 20)
    started = time.monotonic()
    ages = []
    while time.monotonic() - started < 6:
        ages.append(liveness_worker.check())
        time.sleep(0.5)

    # Four intervals (4 s) without a finished liveness task would be stale; the long task
    # keeps the only pool child from running one for fourteen.
    assert [said for code, said in ages if code != 0] == []
    # ...and the long task was still running all that while: the pool really was busy.
    assert not re.search(r"Task tests\.sleep_for\[[^\]]+\] succeeded", log.read_text())
