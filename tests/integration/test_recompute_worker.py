"""With the real worker: approving a figure updates its targets' progress, nobody running a
command (issue 4 and issue 7 acceptance). Data is committed (transactional_db) so the worker,
another process, sees it."""

import time
from decimal import Decimal

import pytest

from indicators.services import observation_approve, observation_save_draft, observation_submit
from targets.models import Progress, RecomputeRequest
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory

from .services import requires_real_services

pytestmark = [pytest.mark.integration, requires_real_services]


def _wait_for(condition, timeout: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not done within {timeout} s")


def test_an_approval_reaches_progress_through_redis_and_the_worker(
    transactional_db, celery_worker_process, district, scjg, scjg_user, office_user
):
    plan = PlanFactory(region=district, start_year=2021, end_year=2025, base_year=2020)
    target = TargetFactory(plan=plan, indicator=IndicatorFactory(), value=96, baseline_value=90,
                           baseline_year=2020, deadline_year=2025, leads=[scjg])
    observation = observation_save_draft(
        by=scjg_user, indicator=target.indicator, year=2025, value=Decimal("96.3")
    )
    observation_submit(observation=observation, by=scjg_user)

    observation_approve(observation=observation, by=office_user)  # commits; no command run

    seconds = _wait_for(
        lambda: Progress.objects.filter(target=target, status=Progress.Status.ACHIEVED).exists()
    )
    assert not RecomputeRequest.objects.filter(done_at__isnull=True).exists()
    print(f"approval → progress updated by the worker in {seconds:.2f} s")
