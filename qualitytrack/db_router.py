"""Dashboard and feed reads from a streaming replica (``DATABASE_REPLICA_URL``), the rest from
the primary (issue 18 item 4, docs/scale.md).

``ReplicaReadsMiddleware`` decides per request: a GET or HEAD of a dashboard page or of the
feed (``REPLICA_READ_PATHS``) may read from the replica; everything else — any other method,
data entry, the admin, accounts — reads and writes the primary. Read-your-writes:

* within a request, the first write pins every later read of that request to the primary,
  and so does an open transaction on the primary;
* after a request that could have written (any method but GET/HEAD/OPTIONS), the browser or
  client gets a ``qt_primary`` cookie for ``REPLICA_PIN_SECONDS`` (longer than replica lag
  should ever be), and its reads stay on the primary until it expires, so whoever just saved
  a figure sees it on the next page.

``ReplicaRouter`` only follows that decision (a context variable, so it is per request and
per thread/task). Migrations run on the primary only. Without ``DATABASE_REPLICA_URL`` neither
is installed and every query goes to ``default``, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "qt_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class _Reads:
    replica: bool = False  # this request may read from the replica
    pinned: bool = False  # it wrote (or opened a transaction): primary from now on


_reads: ContextVar[_Reads | None] = ContextVar("qt_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads to the replica while the current request allows it; writes to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        state = _reads.get()
        if state is None or not state.replica or state.pinned:
            return None
        if connections["default"].in_atomic_block:  # read inside our own transaction
            state.pinned = True
            return None
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        state = _reads.get()
        if state is not None:
            state.pinned = True
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


def replica_reads_allowed(request: HttpRequest) -> bool:
    """Whether this request's reads may go to the replica (see the module docstring)."""
    if request.method not in ("GET", "HEAD") or PIN_COOKIE in request.COOKIES:
        return False
    return request.path.startswith(tuple(settings.REPLICA_READ_PATHS)) or (
        request.path in settings.REPLICA_READ_PAGES
    )


class ReplicaReadsMiddleware:
    """Marks the requests that may read from the replica; pins writers to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads.set(_Reads(replica=replica_reads_allowed(request)))
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                samesite="Lax", secure=request.is_secure(),
            )
        return response
