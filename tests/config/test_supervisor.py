"""`./sentra run` keeps its processes going (config/supervisor.py): what dies is started again,
the rest keeps running, a wedged process is killed with its children, and nothing is left
behind after a stop. Real processes throughout."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config import launcher
from config.supervisor import ProcessSpec, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _with_child(pid_file: Path) -> list[str]:
    """A process that starts a child of its own (as a Celery worker starts its pool) and
    writes the child's pid to `pid_file`."""
    code = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(pid_file)!r}, 'w').write(str(child.pid)); time.sleep(120)"
    )
    return [sys.executable, "-c", code]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left to collect


def _gone(pid: int, seconds: float = 5) -> bool:
    """Whether the process ends within `seconds`: a SIGKILL is delivered, not waited for."""
    deadline = time.monotonic() + seconds
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _until(condition: Callable[[], bool], supervisor: Supervisor, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        supervisor.tick()
        time.sleep(0.05)


@pytest.fixture
def said() -> list[str]:
    return []


@pytest.fixture
def supervise(said: list[str], tmp_path: Path) -> Iterator[Callable[..., Supervisor]]:
    started: list[Supervisor] = []

    def make(*specs: ProcessSpec) -> Supervisor:
        supervisor = Supervisor(specs, env=dict(os.environ), cwd=tmp_path, say=said.append)
        supervisor.start()
        started.append(supervisor)
        return supervisor

    yield make
    for supervisor in started:
        supervisor.stop()


def test_a_process_that_dies_is_started_again_and_the_others_keep_running(
    supervise: Callable[..., Supervisor], said: list[str]
) -> None:
    supervisor = supervise(ProcessSpec("worker", SLEEPER), ProcessSpec("web", SLEEPER))
    worker, web = supervisor.pid("worker"), supervisor.pid("web")
    assert worker is not None
    assert web is not None

    os.kill(worker, 9)  # as the OOM killer would
    _until(lambda: supervisor.pid("worker") not in (None, worker), supervisor)

    assert supervisor.pid("web") == web
    assert supervisor.restarts("worker") == 1
    assert supervisor.restarts("web") == 0
    assert said[:2] == ["worker exited with -9", "starting worker again in 1 s"]


def test_a_wedged_process_is_killed_with_its_children_and_started_again(
    supervise: Callable[..., Supervisor], tmp_path: Path, said: list[str]
) -> None:
    pid_file = tmp_path / "child.pid"
    wedged = {"now": False}
    supervisor = supervise(
        ProcessSpec("worker", _with_child(pid_file), alive=lambda up: not wedged["now"])
    )
    _until(lambda: pid_file.exists() and pid_file.read_text() != "", supervisor)
    first, child = supervisor.pid("worker"), int(pid_file.read_text())
    pid_file.unlink()

    supervisor.tick()
    assert supervisor.pid("worker") == first  # alive: left alone
    wedged["now"] = True
    supervisor.tick()
    wedged["now"] = False

    assert _gone(child)  # the pool child went with it
    _until(lambda: supervisor.pid("worker") not in (None, first), supervisor)
    assert said[0] == "worker stopped finishing its work; restarting it"


def test_a_process_that_cannot_start_is_not_restarted_in_a_tight_loop(
    supervise: Callable[..., Supervisor], said: list[str]
) -> None:
    supervisor = supervise(ProcessSpec("beat", [sys.executable, "-c", "raise SystemExit(3)"]))
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:
        supervisor.tick()
        time.sleep(0.02)

    # Started at 0 s, again after 1 s, then after 2 s more: never more than three starts.
    assert 1 <= supervisor.restarts("beat") <= 3
    assert "starting beat again in 2 s" in said
    assert set(said) <= {
        "beat exited with 3",
        "starting beat again in 1 s",
        "starting beat again in 2 s",
        "starting beat again in 4 s",
    }


def test_stop_leaves_no_process_behind(supervise: Callable[..., Supervisor], tmp_path) -> None:
    pid_file = tmp_path / "child.pid"
    supervisor = supervise(
        ProcessSpec("worker", _with_child(pid_file)), ProcessSpec("web", SLEEPER)
    )
    _until(lambda: pid_file.exists() and pid_file.read_text() != "", supervisor)
    pids = [supervisor.pid("worker"), supervisor.pid("web"), int(pid_file.read_text())]

    supervisor.stop()

    assert [pid for pid in pids if pid and not _gone(pid)] == []


def test_the_launcher_restarts_a_worker_only_when_its_pool_stopped_finishing_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.worker_liveness import STALE_AFTER

    alive_file = tmp_path / "worker-alive"
    monkeypatch.setenv("SENTRA_WORKER_ALIVE_FILE", str(alive_file))
    starting = launcher.WORKER_START_SECONDS - 1

    assert launcher._worker_alive(starting)  # starting: no file yet, and that is fine
    assert not launcher._worker_alive(launcher.WORKER_START_SECONDS + 1)  # never became ready
    alive_file.touch()
    assert launcher._worker_alive(600)
    os.utime(alive_file, (time.time() - STALE_AFTER - 5,) * 2)
    assert not launcher._worker_alive(600)
    assert launcher._worker_alive(starting)  # an earlier run's file does not count at start
