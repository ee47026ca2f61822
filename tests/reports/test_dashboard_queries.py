"""Query-count guards: no dashboard page (nor its CSV) issues more queries for more targets."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.e2e.seed import add_targets, build_seed
from tests.factories import make_superuser

pytestmark = pytest.mark.django_db

PAGES = [
    ("reports:overview", lambda s: []),
    ("reports:plan-list", lambda s: []),
    ("reports:plan-detail", lambda s: [s.plans["ganyu"].code]),
    ("reports:department-list", lambda s: []),
    ("reports:department-detail", lambda s: [s.departments["gxj"].pk]),
    ("reports:indicator-list", lambda s: []),
    ("reports:indicator-detail", lambda s: [s.indicators["build"].code]),
    ("reports:target-detail", lambda s: [s.targets["build"].pk]),
]


@pytest.mark.parametrize("fmt", ["html", "csv"])
@pytest.mark.parametrize(("name", "args"), PAGES, ids=[name for name, _ in PAGES])
def test_page_queries_do_not_grow_with_the_number_of_targets(
    client, django_assert_max_num_queries, name, args, fmt
):
    with time_machine.travel("2025-08-01 10:00 +0800", tick=False):
        seed = build_seed()
        client.force_login(make_superuser())
        plan, department = seed.plans["ganyu"], seed.departments["gxj"]
        add_targets(plan, department, seed.indicators["build"], 5)
        url = reverse(name, args=args(seed))
        query = {"format": "csv"} if fmt == "csv" else {}
        client.get(url, query)  # warm-up: session, content types
        with CaptureQueriesContext(connection) as with_5:
            assert client.get(url, query).status_code == 200

        add_targets(plan, department, seed.indicators["build"], 45)

        with django_assert_max_num_queries(len(with_5)):
            assert client.get(url, query).status_code == 200
