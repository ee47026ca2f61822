"""The one retry policy of every task and the one way to enqueue after commit.

Kept apart from the Celery app (``qualitytrack.celery``, wiring) so that every layer may
declare tasks and send its after-commit nudges without importing the project package.
Every task of every app is declared with ``task(name=…)`` (``TASK_POLICY``: acks late, no
result kept, transient database errors retried with backoff) and every after-commit send goes
through ``enqueue_on_commit``, whose work the caller has recorded in the database first (the
recompute outbox, a pending report run, a pending import job) and which beat sweeps: a broker
outage then delays the work, never loses it or fails the request (docs/architecture.md
"Background jobs").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import shared_task
from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

#: The retry policy of every task. All our tasks are idempotent (upserts, conditional
#: claims, overwrites), hence ``acks_late``; only transient database trouble is retried,
#: never a domain error. No result is kept: with a result backend, sending a task that keeps
#: its result first subscribes to it on Redis, which blocks the sender while Redis is down
#: (the run, job or outbox row is the result). A task whose caller waits on it (the sharded
#: recompute's fan-out, CI's ping) passes ``ignore_result=False``.
TASK_POLICY: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}
#: What a task may set besides its name; the retry policy itself is not among them.
_TASK_OPTIONS = frozenset({"bind", "ignore_result"})


def task(*, name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``shared_task`` with an explicit stable name and ``TASK_POLICY``."""
    unknown = set(options) - _TASK_OPTIONS
    if unknown:
        raise TypeError(f"{name}: the retry policy is TASK_POLICY's, not {sorted(unknown)}")
    return shared_task(name=name, **{**TASK_POLICY, **options})


def send_or_leave(task, **kwargs) -> bool:
    """Send ``task`` without waiting on the broker; on failure log and return False.

    For nudges whose work is also recorded in the database (the recompute outbox, pending
    report runs, pending import jobs) and swept by beat: with Redis down the request that
    committed the work must still succeed (celery/celery#6046), so nothing here may raise.
    """
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception:
        logger.warning("broker unreachable; %s left for the sweep", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, **kwargs) -> None:
    """Send ``task(**kwargs)`` once the current transaction commits, never failing it.

    The one way any app enqueues work: the caller has written the work down in the same
    transaction (an outbox row, a pending run or job), so a send lost to a broker outage is
    picked up by beat's sweep of that table; outside a transaction it is sent at once.
    """
    transaction.on_commit(partial(send_or_leave, task, **kwargs))
