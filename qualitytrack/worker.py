"""The Celery worker's consumer, hardened against one broker-outage failure of kombu 5.7.

When Redis vanishes while the worker holds unacknowledged messages (a task waiting out its
countdown, such as a retry with back-off, or a late-ack task still running), Celery closes the
broken connection after ``collect()`` has already detached its transport. Closing the channel
then tries to put those messages back through the detached transport and raises
``AttributeError`` (kombu's ``_connparams`` reads ``transport.client``, now None). Celery
counts only connection and channel errors as recoverable, so the worker stopped with
"Unrecoverable error" and nothing was consumed until someone restarted it
(tests/faults/test_redis_outage.py reproduces it).

The messages are not lost by skipping that put-back: they stay in Redis's unacknowledged set
and are restored after the visibility timeout, as after any worker crash. So the failed close
is logged and the consumer goes on to reconnect. Selected by ``CELERY_WORKER_CONSUMER``.

Under ``make run`` the broker is kombu's filesystem transport (a folder, no connection to
lose): the override is then inert, and the same consumer runs the outbox drains and report
builds there (tests/integration/test_make_run.py).
"""

from __future__ import annotations

import logging

from celery.worker.consumer import Consumer as CeleryConsumer

logger = logging.getLogger(__name__)


class Consumer(CeleryConsumer):
    def on_connection_error_after_connected(self, exc: Exception) -> None:
        connection = self.connection
        if connection is not None:
            close = connection.close

            def close_detached() -> None:
                try:
                    close()
                except AttributeError:  # the transport was detached by collect()
                    logger.warning("closing the lost broker connection failed; reconnecting "
                                   "anyway (unacknowledged messages return after the "
                                   "visibility timeout)", exc_info=True)

            connection.close = close_detached  # type: ignore[method-assign]
        super().on_connection_error_after_connected(exc)
