"""Sending a Celery task when the broker may be down (docs/architecture.md "Recompute").

Kept apart from the Celery app (``qualitytrack.celery``, wiring) so that every layer may send
its after-commit nudges without importing the project package.
"""

from __future__ import annotations

import logging


def send_or_leave(task, **kwargs) -> bool:
    """Send ``task`` without waiting on the broker; on failure log and return False.

    For after-commit nudges whose work is also recorded in the database (the recompute
    outbox, pending report runs) and swept by beat: with Redis down the request that
    committed the work must still succeed (celery/celery#6046), so nothing here may raise.
    """
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception:
        logging.getLogger(__name__).warning(
            "broker unreachable; %s left for the sweep", task.name, exc_info=True
        )
        return False
    return True
