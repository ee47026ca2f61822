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


def send_or_leave(task, **kwargs) -> bool:
    """Send ``task`` without waiting on the broker; on failure log and return False.

    For after-commit nudges whose work is also recorded in the database (the recompute
    outbox, pending report runs) and swept by beat: with Redis down the request that
    committed the work must still succeed (celery/celery#6046), so nothing here may raise.
    """
    import logging

    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception:
        logging.getLogger(__name__).warning(
            "broker unreachable; %s left for the sweep", task.name, exc_info=True
        )
        return False
    return True
