"""The Celery app. Configuration lives in Django settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualitytrack.settings")

app = Celery("qualitytrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="qualitytrack.ping")
def ping() -> str:
    """Round trip used by CI to prove a task travels through the broker to a worker."""
    return "pong"
