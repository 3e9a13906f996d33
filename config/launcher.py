"""What `./sentra run` and `./sentra test` do once the virtual environment is installed.

run:  database (DATABASE_URL, or an embedded PostgreSQL from the `pgserver` package), migrate
      every schema, seed demo data, then the web server, a Celery worker and Celery beat until
      Ctrl-C. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport.
test: database (DATABASE_URL, else PostgreSQL on 127.0.0.1:5432 if it answers, else embedded),
      broker (REDIS_URL, else Redis on 127.0.0.1:6379 if it answers, else filesystem), Chromium
      for browser tests, then ruff (lint and format check), the import contracts, mypy, and
      pytest with coverage (on two pytest-xdist workers for the whole suite).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from config.env import BASE_DIR, VAR_DIR, redacted_url
from config.supervisor import ProcessSpec, Supervisor

PYTHON = sys.executable
BIN = Path(PYTHON).parent
WORKER_START_SECONDS = 90
_embedded_server = None  # keeps pgserver's handle alive: it stops PostgreSQL when released


def say(message: str) -> None:
    print(f"sentra: {time.strftime('%H:%M:%S')} {message}", flush=True)


# --- Database -------------------------------------------------------------------------------


def _tcp_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _local_postgres_url(database: str) -> str | None:
    if not _tcp_answers("127.0.0.1", 5432):
        return None
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return None
    return url


def _embedded_postgres_url(database: str) -> str:
    global _embedded_server
    import pgserver

    pgdata = VAR_DIR / "pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    say(f"starting embedded PostgreSQL in {pgdata}")
    _embedded_server = pgserver.get_server(pgdata, cleanup_mode="stop")
    socket_dir = _embedded_server.get_postmaster_info().socket_dir
    return f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{database}"


def stop_embedded_database() -> None:
    if _embedded_server is not None:
        _embedded_server.cleanup()  # stops PostgreSQL unless another process still uses it


def _forget_dead_handles(pgdata: Path) -> None:
    """pgserver stops PostgreSQL when the last process using it exits, judged by a list of
    process ids in the data folder. A process killed outright stays on that list for ever and
    the server would never be stopped again: drop ids of processes that no longer exist."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    import json

    import psutil

    alive = [pid for pid in json.loads(handles.read_text() or "[]") if psutil.pid_exists(pid)]
    handles.write_text(json.dumps(alive))


def _ensure_database(url: str) -> None:
    """CREATE DATABASE if it does not exist (the embedded server starts with none)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    admin = psycopg.connect(
        dbname="postgres",
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
        connect_timeout=10,
    )
    with admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (config["NAME"],)
        ).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            say(f"created database {config['NAME']}")


def release_test_database(url: str) -> None:
    """End sessions left on the test database by an interrupted run (a server process killed
    mid-test), so that pytest can drop and recreate it."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            dbname="postgres",
            user=config["USER"] or "postgres",
            password=config["PASSWORD"] or None,
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            autocommit=True,
            connect_timeout=5,
        ) as admin:
            # test_<name>, and test_<name>_gw0, _gw1 of the pytest-xdist workers.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE (datname = %s OR starts_with(datname, %s)) AND pid <> pg_backend_pid()",
                (f"test_{config['NAME']}", f"test_{config['NAME']}_gw"),
            )
    except psycopg.Error as exc:
        say(f"could not check the test database for stale sessions: {exc}")


def choose_database(*, probe_local: bool) -> str:
    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        say(f"database from DATABASE_URL: {redacted_url(url)}")
        return url
    if probe_local:
        local = _local_postgres_url("sentra")
        if local:
            _ensure_database(local)
            say("database: PostgreSQL on 127.0.0.1:5432")
            return local
    url = _embedded_postgres_url("sentra")
    _ensure_database(url)
    say("database: embedded PostgreSQL (pgserver)")
    return url


def _redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- Processes ------------------------------------------------------------------------------


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, str(BASE_DIR / "manage.py"), *args], env=env, check=True)


def _printed_urls(port: str, root: str) -> list[str]:
    return [
        f"http://{root}:{port}          platform (landing, sign-up, admin)",
        f"http://demo.{root}:{port}     Demo Vaccine Centre (public programme)",
        f"http://acme.{root}:{port}     Acme Corp (company programme)",
        f"http://{root}:{port}/healthz  health check",
    ]


class _Stop:
    """Set by SIGINT (Ctrl-C), SIGTERM and SIGHUP; checked between steps and while running."""

    requested = False

    @classmethod
    def install(cls) -> None:
        def handler(*_: object) -> None:
            cls.requested = True

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, handler)


def command_run(args: argparse.Namespace) -> int:
    _Stop.install()  # first: a stop during the first migrations must still clean up
    try:
        return _run()
    finally:
        stop_embedded_database()


def _run() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["DATABASE_URL"] = choose_database(probe_local=False)
    if env.get("REDIS_URL"):
        say(f"broker and cache: Redis at {redacted_url(env['REDIS_URL'])}")
    else:
        say(f"broker: filesystem transport in {VAR_DIR / 'broker'} (set REDIS_URL for Redis)")
    _ensure_database(env["DATABASE_URL"])
    steps = (
        ("migrating the public schema", ("migrate_schemas", "--shared", "--verbosity", "0")),
        ("routing the root domain", ("ensure_public_tenant",)),
        ("migrating tenant schemas", ("migrate_schemas", "--tenant", "--verbosity", "0")),
        ("seeding demo data", ("seed_demo",)),
    )
    for message, command in steps:
        if _Stop.requested:
            say("stopped before start-up finished")
            return 130
        say(message)
        manage(*command, env=env)

    bind = env.get("SENTRA_BIND", "127.0.0.1")
    port = env.get("SENTRA_PORT", "8000")
    env["SENTRA_PUBLIC_PORT"] = port
    s3_port = embedded_s3_configure(env)
    supervisor = Supervisor(
        platform_processes(bind=bind, port=port, s3_port=s3_port), env=env, cwd=BASE_DIR, say=say
    )
    supervisor.start()
    root = env.get("SENTRA_ROOT_DOMAIN", "localhost")
    print("\n  Sentra is starting. Open:", flush=True)
    for line in _printed_urls(port, root):
        print(f"    {line}", flush=True)
    print(
        "\n  Demo logins (password sentra-demo-2026):\n"
        "    staff@sentra.localhost   platform staff: sign in at the root, set up TOTP\n"
        "    owner@demo.localhost     owner of Demo Vaccine Centre (sign in on demo.)\n"
        "    owner@acme.localhost     owner of Acme Corp (sign in on acme.)\n"
        f"  Emails are written to {VAR_DIR / 'mail'}. Ctrl-C stops everything.\n",
        flush=True,
    )
    try:
        # A process that dies is started again (the others keep running); a worker whose pool
        # stopped finishing tasks is killed and started again (config/supervisor.py).
        while not _Stop.requested:
            supervisor.tick()
            time.sleep(0.5)
    finally:
        supervisor.stop()
        say("stopped")
    return 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def embedded_s3_configure(env: dict[str, str]) -> str | None:
    """Without AWS_S3_ENDPOINT_URL, documents go to an S3 API server on this machine (moto in
    server mode, started with the platform on a free port): the same presigned POSTs and boto3
    calls as production, no account. Its objects live in its memory: they are gone when it
    stops. Returns its port, or None when an endpoint is configured."""
    if env.get("AWS_S3_ENDPOINT_URL"):
        say(f"documents: S3 at {env['AWS_S3_ENDPOINT_URL']}")
        return None
    s3_port = env.get("SENTRA_S3_PORT") or str(_free_port())
    env["AWS_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{s3_port}"
    env["SENTRA_S3_CREATE_BUCKET"] = "true"
    env.setdefault("AWS_ACCESS_KEY_ID", "sentra-local")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "sentra-local")
    say(f"documents: embedded S3 API server (moto) on {env['AWS_S3_ENDPOINT_URL']}")
    return s3_port


def platform_processes(
    *, bind: str, port: str, log_level: str = "INFO", s3_port: str | None = None
) -> list[ProcessSpec]:
    """The processes of a running platform, as `./sentra run` supervises them (and the
    reliability command, benchmarks/reliability/, which breaks them on purpose). With
    `s3_port`, the embedded S3 API server too (embedded_s3_configure)."""
    celery = str(BIN / "celery")
    schedule = str(VAR_DIR / "celerybeat-schedule")
    embedded_s3 = (
        [ProcessSpec("s3", [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", s3_port])]
        if s3_port
        else []
    )
    return [
        *embedded_s3,
        # The production web server (the rush front before Django), two workers.
        ProcessSpec(
            "web",
            [PYTHON, "-m", "config.serve", "--bind", f"{bind}:{port}", "--workers", "2"],
        ),
        ProcessSpec(
            "worker",
            [celery, "-A", "config", "worker", f"--loglevel={log_level}", "--concurrency=2"],
            alive=_worker_alive,
        ),
        # Hands new outbox messages (e-vouchers) to the worker in batches, woken by
        # PostgreSQL (config/outbox_relay.py).
        ProcessSpec("relay", [PYTHON, "-m", "config.outbox_relay"]),
        ProcessSpec(
            "beat",
            [celery, "-A", "config", "beat", f"--loglevel={log_level}", "--schedule", schedule],
        ),
    ]


def _worker_alive(up_seconds: float) -> bool:
    """The worker's pool finished a task lately (config/worker_liveness.py). The first minute
    and a half is its start-up (and the file may still be an earlier run's)."""
    from config.worker_liveness import STALE_AFTER, alive_age

    if up_seconds < WORKER_START_SECONDS:
        return True
    age = alive_age()
    return age is not None and age <= STALE_AFTER


# --- Tests ----------------------------------------------------------------------------------


def _apt_install(*packages: str, why: str) -> None:
    apt = shutil.which("apt-get")
    if apt is None:
        raise SystemExit(f"sentra: {why}; install {' '.join(packages)}")
    say(f"installing Debian's {' '.join(packages)}: {why}")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, apt, "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, apt, "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )


def _ensure_chromium() -> None:
    if os.environ.get("SENTRA_CHROMIUM") or shutil.which("chromium"):
        return
    _apt_install("chromium", why="the browser tests need Chromium (or set SENTRA_CHROMIUM)")


def _ensure_axe_core() -> None:
    """axe-core from npm (package-lock.json) for the accessibility checks in tests/browser."""
    if (BASE_DIR / "node_modules" / "axe-core" / "axe.min.js").exists():
        return
    if shutil.which("npm") is None:
        _apt_install("nodejs", "npm", why="the browser tests need axe-core from npm")
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("sentra: browser tests need npm (for axe-core); install Node.js")
    say("installing axe-core from npm for the accessibility checks")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BASE_DIR, check=True
    )


def _selects_tests(pytest_args: list[str]) -> bool:
    """Whether the arguments name tests (a path or node id) rather than only options."""
    return any(
        not arg.startswith("-") and (BASE_DIR / arg.split("::")[0]).exists() for arg in pytest_args
    )


def _check(name: str, command: list[str]) -> bool:
    say(name)
    return subprocess.run(command, cwd=BASE_DIR, check=False).returncode == 0


def command_test(args: argparse.Namespace) -> int:
    """ruff, the import contracts, mypy, then pytest with coverage. The whole suite runs on
    two pytest-xdist workers; when the arguments name tests (a file, a folder, a node id), in
    one process, which starts faster (add `-n 2` to spread a large selection anyway)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["SENTRA_VAR_DIR"] = str(VAR_DIR / "test")
    env["DATABASE_URL"] = choose_database(probe_local=True)
    release_test_database(env["DATABASE_URL"])
    if not env.get("REDIS_URL") and _redis_answers():
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    broker = redacted_url(env["REDIS_URL"]) if env.get("REDIS_URL") else "filesystem transport"
    say(f"broker: {broker}")
    shutil.rmtree(VAR_DIR / "test", ignore_errors=True)
    if not args.no_browser:
        _ensure_chromium()
        _ensure_axe_core()
    failed = [
        name
        for name, command in (
            ("ruff check", [str(BIN / "ruff"), "check", "."]),
            ("ruff format --check", [str(BIN / "ruff"), "format", "--check", "."]),
            ("import contracts (lint-imports)", [str(BIN / "lint-imports")]),
            # Incremental: .mypy_cache makes a second run take a few seconds.
            ("mypy", [PYTHON, "-m", "mypy"]),
        )
        if not _check(name, command)
    ]
    pytest_args = [PYTHON, "-m", "pytest", "--cov", "--cov-report=term:skip-covered"]
    if not _selects_tests(args.pytest_args) and not any(
        arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in args.pytest_args
    ):
        pytest_args += ["-n", "2", "--dist", "loadgroup"]
    if args.no_browser:
        pytest_args += ["-m", "not browser"]
    say("pytest")
    tests = subprocess.run([*pytest_args, *args.pytest_args], cwd=BASE_DIR, env=env, check=False)
    stop_embedded_database()
    if failed:
        say(f"failed: {', '.join(failed)} (see above)")
        return 1
    return tests.returncode


def command_bench(args: argparse.Namespace) -> int:
    """The rush benchmark on a fresh database `<database>_bench` (see benchmarks/rush/)."""
    env = dict(os.environ)
    env["DATABASE_URL"] = choose_database(probe_local=True)
    env["SENTRA_VAR_DIR"] = str(VAR_DIR / "bench")
    try:
        return subprocess.run(
            [PYTHON, "-m", "benchmarks.rush"], cwd=BASE_DIR, env=env, check=False
        ).returncode
    finally:
        stop_embedded_database()


def command_bench_documents(args: argparse.Namespace) -> int:
    """Verification time of a 10 MB PDF and a 12-megapixel JPEG (benchmarks/documents.py),
    against an S3 API server of its own; no database."""
    env = dict(os.environ)
    env["SENTRA_VAR_DIR"] = str(VAR_DIR / "bench")
    return subprocess.run(
        [PYTHON, "-m", "benchmarks.documents"], cwd=BASE_DIR, env=env, check=False
    ).returncode


def command_reliability(args: argparse.Namespace) -> int:
    """The fault scenarios against a running platform of its own (benchmarks/reliability/):
    its own PostgreSQL, Redis and mail server, so that it may stop and freeze them."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # never the shared server: it is stopped and frozen
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [PYTHON, "-m", "benchmarks.reliability", *args.rest], cwd=BASE_DIR, env=env, check=False
    ).returncode


def command_manage(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["DATABASE_URL"] = choose_database(probe_local=False)
    return subprocess.run(
        [PYTHON, str(BASE_DIR / "manage.py"), *args.rest], env=env, check=False
    ).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./sentra")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the platform on embedded defaults").set_defaults(
        handler=command_run
    )
    test = commands.add_parser("test", help="ruff and the test suite with coverage")
    test.add_argument("--no-browser", action="store_true", help="skip the Playwright tests")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(handler=command_test)
    commands.add_parser("bench", help="the rush benchmark; prints a table").set_defaults(
        handler=command_bench
    )
    commands.add_parser(
        "bench-documents", help="document verification times (p50, p95); prints a table"
    ).set_defaults(handler=command_bench_documents)
    reliability = commands.add_parser(
        "reliability", help="fault scenarios against a running platform; prints a table"
    )
    reliability.add_argument("rest", nargs=argparse.REMAINDER)
    reliability.set_defaults(handler=command_reliability)
    manage_parser = commands.add_parser("manage", help="a manage.py command on the same database")
    manage_parser.add_argument("rest", nargs=argparse.REMAINDER)
    manage_parser.set_defaults(handler=command_manage)
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command == "test":
        # pytest options before any path (`./sentra test -n 2`, `--durations=20`)
        args.pytest_args = [*unknown, *args.pytest_args]
    elif unknown and args.command in ("reliability", "manage"):
        # Their own options (`./sentra reliability --scenario "broker stopped"`): argparse
        # leaves an option that comes first out of the remainder.
        args.rest = [*unknown, *args.rest]
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
