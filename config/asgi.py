"""The web application as production serves it (python -m config.serve): the rush front
(api/front/) in front, Django behind it in a thread pool for everything else."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_wsgi_application()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.middleware.clickjacking import XFrameOptionsMiddleware  # noqa: E402
from django.middleware.security import SecurityMiddleware  # noqa: E402

from api.front.application import RushFront  # noqa: E402 - needs the settings loaded above
from config.request_deadline import DatabaseWatch  # noqa: E402
from config.wsgi_bridge import WSGIBridge  # noqa: E402
from public_site.views.errors import deadline_answer  # noqa: E402


def _connect() -> None:
    from django.db import connection

    connection.ensure_connection()


def _late(environ: dict) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The outage answer for a request past its deadline (config/request_deadline.py), with
    the headers Django's middleware would have added."""
    request = WSGIRequest(environ)
    response = deadline_answer(request)
    response = SecurityMiddleware(_unused).process_response(request, response)
    response = XFrameOptionsMiddleware(_unused).process_response(request, response)
    response["Content-Length"] = str(len(response.content))
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.items()
    ]
    return response.status_code, headers, response.content


def _unused(_request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called here
    raise NotImplementedError


application = RushFront(
    WSGIBridge(
        django_application,
        threads=settings.SENTRA_WEB_THREADS,
        warm=_connect,
        max_body_bytes=settings.SENTRA_WEB_MAX_BODY_BYTES,
        late=_late if settings.SENTRA_REQUEST_DEADLINE_SECONDS > 0 else None,
        watch=DatabaseWatch().watching,
    )
)
