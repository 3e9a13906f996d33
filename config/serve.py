"""The production web server: `python -m config.serve`.

uvicorn (C HTTP parser, uvloop; each response written once, config/http.py) in a bounded
number of worker processes, one per core by default, serving config.asgi:application (the rush
front before Django). Each worker binds
its own listening socket with SO_REUSEPORT, so the kernel spreads connections evenly across
the workers. With one shared socket, the first worker to wake takes most of a burst of new
keep-alive connections and keeps them: in the rush benchmark 44 of 64 connections sat on one
worker, and its requests waited twice as long (docs/adr/0008-rush-front.md).

This parent process only supervises: it starts the workers, starts a new one when one dies,
and passes SIGTERM / SIGINT on for a graceful stop (uvicorn finishes the requests in flight).

Settings (flags win over the environment):
  --bind      SENTRA_WEB_BIND      host:port             default 0.0.0.0:8000
  --workers   SENTRA_WEB_WORKERS   worker processes      default: the number of cores
  SENTRA_WEB_THREADS, SENTRA_FRONT_DB_CONNECTIONS: per worker, see config/settings/base.py
  SENTRA_FORWARDED_ALLOW_IPS   proxies trusted for X-Forwarded-For/-Proto  default 127.0.0.1
  SENTRA_WEB_KEEP_ALIVE        seconds an idle connection is kept           default 75 (above
                               the AWS load balancer's 60 s idle timeout, so it closes first)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
import sys
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

APP = "config.asgi:application"


def _listen(host: str, port: int, *, shared: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(4096)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, app: str) -> None:
    # The supervisor's handlers came along with fork(); uvicorn installs its own while it
    # serves and raises the signal again once it has stopped, for the default action.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _stop_with_parent()
    import uvicorn

    from config.http import OneWriteHttpToolsProtocol

    config = uvicorn.Config(
        app,
        http=OneWriteHttpToolsProtocol,
        loop="uvloop",
        lifespan="on",
        access_log=False,
        log_level=os.environ.get("SENTRA_WEB_LOG_LEVEL", "warning"),
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("SENTRA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_keep_alive=int(os.environ.get("SENTRA_WEB_KEEP_ALIVE", "75")),
        server_header=False,
    )
    # Load the application before joining the port: the kernel hands connections to every
    # socket bound to it, and a worker still importing Django would leave its share waiting.
    config.load()
    _freeze_what_is_loaded()
    uvicorn.Server(config).run(sockets=[_listen(host, port)])


def _freeze_what_is_loaded() -> None:
    """Move everything loaded so far (Django, the apps, their modules: about 130,000 objects)
    out of the garbage collector's sight. Those objects live as long as the worker, yet every
    full collection walked them all: 60 to 100 ms with the event loop stopped, several times
    in each benchmark rush, and each time every request in flight waited (the rush's p99).
    Objects made later are still collected as usual."""
    import gc

    gc.collect()
    gc.freeze()


def _stop_with_parent() -> None:
    """On Linux, a worker is sent SIGTERM when the supervisor dies (even by SIGKILL): an
    orphaned worker would otherwise keep its share of the port with old code."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the supervisor died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


class Supervisor:
    def __init__(self, *, host: str, port: int, workers: int, app: str = APP) -> None:
        self.host, self.port, self.app = host, port, app
        self.count = workers
        self.context = multiprocessing.get_context("fork")  # nothing of Django is loaded yet
        self.workers: list[BaseProcess] = []
        self.stopping = False

    def _start_one(self) -> BaseProcess:
        process = self.context.Process(
            target=_worker, args=(self.host, self.port, self.app), name="sentra-web", daemon=False
        )
        process.start()
        return process

    def run(self) -> int:
        # Bind once here first, without SO_REUSEPORT, so a port that is taken (by anyone, our
        # own workers of an earlier run included) fails loudly before any worker starts.
        _listen(self.host, self.port, shared=False).close()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.workers = [self._start_one() for _ in range(self.count)]
        print(
            f"sentra: serving on http://{self.host}:{self.port} with {self.count} workers",
            flush=True,
        )
        while not self.stopping:
            wait([w.sentinel for w in self.workers], timeout=1.0)
            for index, worker in enumerate(self.workers):
                if worker.exitcode is not None and not self.stopping:
                    print(
                        f"sentra: worker {worker.pid} exited ({worker.exitcode}); starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    time.sleep(0.5)
                    self.workers[index] = self._start_one()
        deadline = time.monotonic() + 30
        for worker in self.workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.exitcode is None:
                worker.kill()
                worker.join()
        return 0

    def _stop(self, signum: int, _frame: object) -> None:
        self.stopping = True
        for worker in self.workers:
            if worker.exitcode is None and worker.pid is not None:
                os.kill(worker.pid, signal.SIGTERM)  # uvicorn: finish in-flight requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m config.serve",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bind", default=os.environ.get("SENTRA_WEB_BIND", "0.0.0.0:8000"))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("SENTRA_WEB_WORKERS", os.cpu_count() or 1)),
    )
    parser.add_argument("--app", default=APP)
    args = parser.parse_args(argv)
    host, _, port = args.bind.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 - a server listens on all addresses
    return Supervisor(host=host, port=int(port), workers=max(1, args.workers), app=args.app).run()


if __name__ == "__main__":
    sys.exit(main())
