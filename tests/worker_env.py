"""pytest plugin loaded first (`-p tests.worker_env` in pyproject): under pytest-xdist, each
worker process gets a var folder of its own before Django reads its settings.

The settings (config/settings/test.py) give each worker its own cache keys and broker keys
(tests/worker_cache.py); pytest-django gives it its own test database (suffix _gw0, _gw1).
The Celery worker and the web server a test worker starts inherit this environment, so they
share that worker's folder, keys and database and nobody else's.
"""

from __future__ import annotations

import os
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("SENTRA_TEST_WORKER") != _worker:
    _base = Path(os.environ.get("SENTRA_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    os.environ["SENTRA_VAR_DIR"] = str(_base / _worker)
    # Screenshots for a person to look at stay in one place: var/test/screenshots.
    os.environ["SENTRA_TEST_SCREENSHOTS"] = str(_base / "screenshots")
    os.environ["SENTRA_TEST_WORKER"] = _worker
