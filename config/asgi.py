"""The web application as production serves it (python -m config.serve): the rush front
(api/front/) in front, Django behind it in a thread pool for everything else."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_wsgi_application()

from api.front.application import RushFront  # noqa: E402 - needs the settings loaded above
from config.wsgi_bridge import WSGIBridge  # noqa: E402


def _connect() -> None:
    from django.db import connection

    connection.ensure_connection()


application = RushFront(
    WSGIBridge(
        django_application,
        threads=settings.SENTRA_WEB_THREADS,
        warm=_connect,
        max_body_bytes=settings.SENTRA_WEB_MAX_BODY_BYTES,
    )
)
