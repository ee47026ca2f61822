"""Which requests may read from the replica (issue 18 item 4, docs/scale.md): the decision of
``ReplicaReadsMiddleware`` and ``ReplicaRouter``, without a replica. The real streaming
replica is exercised by tests/faults/test_replica_reads.py."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from qualitytrack.db_router import PIN_COOKIE, ReplicaReadsMiddleware, ReplicaRouter
from targets.models import Progress

router = ReplicaRouter()


def _route(request, *, write_first: bool = False) -> tuple[str | None, HttpResponse]:
    chosen: list[str | None] = []

    def view(request):
        if write_first:
            router.db_for_write(Progress)
        chosen.append(router.db_for_read(Progress))
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return chosen[0], response


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/api/v1/progress/", "replica"),
        ("head", "/api/v1/progress/export/", "replica"),
        ("get", "/dashboard/", "replica"),
        ("get", "/plans/ganyu-2025/", "replica"),
        ("get", "/", "replica"),
        ("get", "/entry/", None),  # data entry reads what it writes
        ("get", "/admin/", None),
        ("get", "/accounts/login/", None),
        ("post", "/api/v1/observations/", None),
        ("options", "/api/v1/progress/", None),
    ],
)
def test_feed_and_dashboard_reads_go_to_the_replica_and_nothing_else(method, path, expected):
    chosen, _ = _route(getattr(RequestFactory(), method)(path))

    assert chosen == expected


def test_a_write_pins_the_rest_of_the_request_to_the_primary():
    chosen, _ = _route(RequestFactory().get("/api/v1/progress/"), write_first=True)

    assert chosen is None  # None: Django's default, the primary


def test_whoever_just_wrote_reads_the_primary_until_the_pin_expires(settings):
    settings.REPLICA_PIN_SECONDS = 15
    _, response = _route(RequestFactory().post("/entry/"))

    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 15
    assert cookie["httponly"]
    request = RequestFactory().get("/dashboard/")
    request.COOKIES[PIN_COOKIE] = "1"
    assert _route(request)[0] is None


def test_outside_a_request_everything_reads_the_primary():
    assert router.db_for_read(Progress) is None
    assert router.db_for_write(Progress) == "default"
    assert router.allow_migrate("replica", "targets") is False
    assert router.allow_migrate("default", "targets") is True
