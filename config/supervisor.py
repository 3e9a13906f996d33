"""Keeps `./sentra run`'s processes going: what dies is started again, the rest keeps running.

Each process runs in a session (process group) of its own, so that stopping one stops its
children too: a Celery worker's pool children or the web server's workers would otherwise be
left behind holding the port or the broker's messages. A process may also have a liveness
check (the Celery worker's: its pool still finishes tasks, config/worker_liveness.py): when it
fails, the whole group is killed and started again, as a container orchestrator would.

Restarts back off (1 s, 2 s, 4 s ... up to 30 s) so that a process that cannot start (a port
taken, a broken setting) does not spin; a process that stayed up for a minute starts again
from 1 s. Standard library only: the launcher runs before Django is set up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

BACKOFF_FIRST = 1.0
BACKOFF_MOST = 30.0
STABLE_AFTER = 60.0  # seconds up after which the backoff starts again from BACKOFF_FIRST


@dataclass
class ProcessSpec:
    name: str
    command: Sequence[str]
    # Called every tick while the process runs; False means "wedged: kill and start again".
    # It gets the seconds since this process was started (to allow for its start-up).
    alive: Callable[[float], bool] | None = None


@dataclass
class _Running:
    spec: ProcessSpec
    process: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    backoff: float = BACKOFF_FIRST
    start_after: float = 0.0  # monotonic time before which a dead process is not restarted


class Supervisor:
    def __init__(
        self,
        specs: Sequence[ProcessSpec],
        *,
        env: Mapping[str, str],
        cwd: str | os.PathLike[str],
        say: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._running = {spec.name: _Running(spec) for spec in specs}
        self._env = dict(env)
        self._cwd = cwd
        self._say = say
        self._clock = clock

    def start(self) -> None:
        for running in self._running.values():
            self._start(running)

    def pid(self, name: str) -> int | None:
        process = self._running[name].process
        return None if process is None or process.poll() is not None else process.pid

    def restarts(self, name: str) -> int:
        return self._running[name].restarts

    def tick(self) -> None:
        """One look at every process: restart the dead (after their backoff), kill the wedged."""
        now = self._clock()
        for running in self._running.values():
            process = running.process
            if process is None:
                if now >= running.start_after:
                    self._start(running)
                continue
            code = process.poll()
            if code is None:
                alive = running.spec.alive
                if alive is not None and not alive(now - running.started):
                    self._say(f"{running.spec.name} stopped finishing its work; restarting it")
                    self._kill_group(process)
                    code = process.wait()
                else:
                    continue
            else:
                self._say(f"{running.spec.name} exited with {code}")
            self._kill_group(process)  # children it left behind (a worker's pool)
            up = now - running.started
            running.backoff = BACKOFF_FIRST if up >= STABLE_AFTER else running.backoff
            running.process = None
            running.start_after = now + running.backoff
            self._say(f"starting {running.spec.name} again in {running.backoff:.0f} s")
            running.backoff = min(running.backoff * 2, BACKOFF_MOST)
            running.restarts += 1

    def stop(self, *, grace: float = 2.0) -> None:
        """SIGTERM every group, then SIGKILL what is still there after `grace` seconds. The
        grace is short: tasks are acknowledged late, so one cut off is delivered again."""
        processes = [r.process for r in self._running.values() if r.process is not None]
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        deadline = self._clock() + grace
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - self._clock()))
            except subprocess.TimeoutExpired:
                self._kill_group(process)
                process.wait()
            self._kill_group(process)
        for running in self._running.values():
            running.process = None

    def _start(self, running: _Running) -> None:
        running.process = subprocess.Popen(  # noqa: S603 (the launcher's own commands)
            list(running.spec.command),
            env=self._env,
            cwd=self._cwd,
            start_new_session=True,
        )
        running.started = self._clock()

    @staticmethod
    def _kill_group(process: subprocess.Popen) -> None:
        _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
