"""PostgreSQL out of reach: the production server (python -m config.serve) tells people to try
again instead of answering 500 (issue #11, item 4). A real server whose DATABASE_URL points at a
port nothing listens on: the host look-up, the rush front and Django all fail to connect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.config.test_serve import _answers, _free_port, _until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cut_off(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    log = (tmp_path_factory.mktemp("outage") / "serve.log").open("wb")
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/sentra",  # nothing listens on 1
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SENTRA_TENANT_HOST_CACHE_SECONDS": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "config.serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert _until(lambda: _answers(port), 60), "the server did not start"
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _ask(port: int, path: str, *, host: str, body: dict | None = None, language: str = "id"):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Host": host,
            "Cookie": f"{settings.LANGUAGE_COOKIE_NAME}={language}",
            **({"Content-Type": "application/json"} if body is not None else {}),
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = response
            content = response.read()
    except urllib.error.HTTPError as error:
        answer, content = error, error.read()
    headers = {name.lower(): value for name, value in answer.headers.items()}
    return answer.status, headers, content, time.monotonic() - started


def test_a_booking_page_says_try_again_in_the_language_the_person_chose(cut_off: int) -> None:
    status, headers, content, took = _ask(cut_off, "/", host="alpha.localhost", language="en")

    assert status == 503
    assert headers["retry-after"] == "30"
    assert headers["cache-control"] == "no-store"
    assert "Please try again in a minute" in content.decode()
    assert took < 10  # a refused connection fails at once, not after a hang
    _status, _headers, indonesian, _took = _ask(cut_off, "/", host="alpha.localhost")
    assert "Silakan coba lagi sebentar lagi" in indonesian.decode()


def test_a_booking_through_the_api_is_a_json_try_again(cut_off: int) -> None:
    body = {"programme_id": 1, "slot_id": 1, "dose": 1, "nik": "3273015403580002"}

    status, headers, content, _took = _ask(
        cut_off, "/api/v1/bookings", host="alpha.localhost", body=body
    )

    assert status == 503
    assert headers["retry-after"] == "30"
    assert headers["content-type"].startswith("application/json")
    assert json.loads(content)["error"]["code"] == "try_again"


def test_the_root_domain_says_try_again_too(cut_off: int) -> None:
    status, headers, _content, _took = _ask(cut_off, "/", host="localhost")

    assert status == 503
    assert headers["retry-after"] == "30"
