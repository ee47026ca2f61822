"""CI's second pass: the database really is PostgreSQL and tasks really cross Redis."""

import pytest
from django.db import connection

from .services import requires_real_services

pytestmark = [pytest.mark.integration, requires_real_services]


@pytest.mark.django_db
def test_the_database_is_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        (version,) = cursor.fetchone()

    assert connection.vendor == "postgresql"
    assert version.startswith("PostgreSQL")


def test_a_task_travels_through_redis_to_the_worker_and_back(celery_worker_process):
    from qualitytrack.celery import app, ping

    assert app.conf.broker_url.startswith("redis://")
    assert not app.conf.task_always_eager

    result = ping.delay()

    assert result.get(timeout=30) == "pong"
    assert result.successful()
