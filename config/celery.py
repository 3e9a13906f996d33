"""The Celery app. tenant-schemas-celery stamps the current schema into every message it sends
and switches the worker's connection to that schema before the task runs."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("sentra")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
