"""The Celery app. Configuration lives in Django settings under the CELERY_ namespace.

The tasks' one retry policy and the after-commit enqueue are ``core.broker``'s.
"""

import os

from celery import Celery

from core.broker import task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualitytrack.settings")

app = Celery("qualitytrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task(name="qualitytrack.ping", ignore_result=False)
def ping() -> str:
    """Round trip used by CI to prove a task travels through the broker to a worker."""
    return "pong"
