"""Progress rows from the database: frames in, engine, upsert out."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from indicators.models import Observation
from indicators.signals import observation_approved
from targets.models import Plan, Progress, RecomputeRequest
from targets.services import progress_recompute, recompute_outbox_drain
from tests.factories import IndicatorFactory, ObservationFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(district):
    return PlanFactory(region=district, start_year=2021, end_year=2025, base_year=2020)


def _rate_target(plan, **kwargs):
    fields = {"value": 96, "baseline_value": 90, "baseline_year": 2020, "deadline_year": 2025}
    return TargetFactory(plan=plan, indicator=IndicatorFactory(), **{**fields, **kwargs})


def test_an_approved_figure_gives_the_worked_case_status(plan, district):
    target = _rate_target(plan)
    ObservationFactory(indicator=target.indicator, region=district, year=2023, value="93.6")

    progress_recompute(as_of=date(2024, 3, 31))

    row = Progress.objects.get(target=target, year=2024, quarter=1)
    assert row.status == Progress.Status.ON_TRACK
    assert row.get_status_display() == "进度正常"
    assert row.elapsed_share == pytest.approx(0.6)
    assert row.pace == pytest.approx(1.0)


def test_draft_and_submitted_figures_do_not_count(plan, district):
    target = _rate_target(plan)
    ObservationFactory(
        indicator=target.indicator,
        region=district,
        year=2023,
        value=96.5,
        status=Observation.Status.SUBMITTED,
    )

    progress_recompute(as_of=date(2024, 3, 31))

    assert Progress.objects.get(target=target).status == Progress.Status.NO_DATA


def test_figures_of_another_region_do_not_count(plan, other_city):
    target = _rate_target(plan)
    ObservationFactory(indicator=target.indicator, region=other_city, year=2023, value=99)

    progress_recompute(as_of=date(2024, 3, 31))

    assert Progress.objects.get(target=target).status == Progress.Status.NO_DATA


def test_recompute_is_idempotent(plan, district):
    target = _rate_target(plan)
    ObservationFactory(indicator=target.indicator, region=district, year=2023, value=92.9)

    first = progress_recompute(as_of=date(2024, 3, 31))
    before = list(Progress.objects.values("target", "year", "quarter", "status", "pace"))
    second = progress_recompute(as_of=date(2024, 3, 31))

    assert first == second == 1
    assert list(Progress.objects.values("target", "year", "quarter", "status", "pace")) == before


def test_all_quarters_stores_the_status_history_and_stops_closed_plans_at_their_end(plan, district):
    _rate_target(plan)
    closed = PlanFactory(
        region=district, start_year=2016, end_year=2020, base_year=2015, status=Plan.Status.CLOSED
    )
    _rate_target(closed, deadline_year=2020, baseline_year=2015)

    progress_recompute(as_of=date(2024, 3, 31), all_quarters=True)

    assert Progress.objects.filter(target__plan=plan).count() == 13  # 2021Q1 … 2024Q1
    closed_rows = Progress.objects.filter(target__plan=closed)
    assert closed_rows.count() == 20  # 2016Q1 … 2020Q4
    assert max((r.year, r.quarter) for r in closed_rows) == (2020, 4)


def test_recompute_query_count_does_not_grow_with_targets(plan, district):
    """Reads are one query per frame; writes are bulk upserts (SQLite caps a batch at 999
    parameters, so only the number of INSERT batches may grow, by one per ~36 rows)."""
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int) -> tuple[int, int]:
        Progress.objects.all().delete()
        while plan.targets.count() < count:
            _rate_target(plan)
        with CaptureQueriesContext(connection) as context:
            progress_recompute(as_of=date(2024, 3, 31))
        inserts = sum("INSERT" in q["sql"] for q in context.captured_queries)
        return len(context.captured_queries) - inserts, inserts

    reads_few, _ = queries_for(5)
    reads_many, inserts_many = queries_for(120)

    assert reads_many == reads_few <= 4
    assert inserts_many <= 120 // 36 + 1
    assert Progress.objects.count() == 120


def test_an_approval_recomputes_its_targets_after_commit(
    plan, district, django_capture_on_commit_callbacks
):
    target = _rate_target(plan)
    observation = ObservationFactory(
        indicator=target.indicator, region=district, year=2025, value=96.2
    )

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        observation_approved.send(sender=Observation, observation_id=observation.pk)
        assert RecomputeRequest.objects.filter(done_at__isnull=True).count() == 1

    assert not RecomputeRequest.objects.filter(done_at__isnull=True).exists()
    assert Progress.objects.filter(target=target, status=Progress.Status.ACHIEVED).exists()


def test_the_outbox_keeps_requests_until_a_worker_drains_them(plan, district):
    target = _rate_target(plan)
    ObservationFactory(indicator=target.indicator, region=district, year=2025, value=96.2)
    RecomputeRequest.objects.create(indicator=target.indicator, region=district)

    assert recompute_outbox_drain(as_of=date(2026, 3, 31)) == 1
    assert recompute_outbox_drain(as_of=date(2026, 3, 31)) == 0
    assert Progress.objects.get(target=target, year=2026, quarter=1).status == "achieved"


def test_compute_progress_command_says_what_it_did(plan, district, capsys):
    _rate_target(plan)

    call_command("compute_progress", "--quarter", "2025Q4")

    assert "已计算进度 1 条（2025年第4季度" in capsys.readouterr().out
    assert Progress.objects.filter(year=2025, quarter=4).count() == 1


def test_compute_progress_command_refuses_a_bad_quarter():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="格式不正确"):
        call_command("compute_progress", "--quarter", "2025Q7")


def test_model_choices_mirror_the_engine_vocabulary():
    from targets.models import Target
    from targets.progress import STATUS_LABELS, Comparator, Kind, Status

    assert {c.value for c in Progress.Status} == {s.value for s in Status}
    assert {c.value for c in Target.Kind} == {k.value for k in Kind}
    assert {c.value for c in Target.Comparator} == {c.value for c in Comparator}
    assert {c.value: str(c.label) for c in Progress.Status} == {
        s.value: label for s, label in STATUS_LABELS.items()
    }


def test_approval_and_correction_through_the_services_move_the_progress(
    plan, district, scjg, scjg_user, office_user, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from accounts import roles
    from tests.factories import UserFactory

    other_office = UserFactory.with_role("office2", roles.OFFICE, district)

    from indicators.services import (
        observation_approve,
        observation_correct,
        observation_save_draft,
        observation_submit,
    )

    target = _rate_target(plan, leads=[scjg])
    observation = observation_save_draft(
        by=scjg_user, indicator=target.indicator, year=2025, value=Decimal("96.2")
    )
    observation_submit(observation=observation, by=scjg_user)
    with django_capture_on_commit_callbacks(execute=True):
        observation_approve(observation=observation, by=office_user)
    latest = Progress.objects.filter(target=target).order_by("-year", "-quarter").first()
    assert latest.status == Progress.Status.ACHIEVED

    with django_capture_on_commit_callbacks(execute=True):
        observation_correct(observation=observation, by=scjg_user, value=Decimal("95.1"),
                            reason="统计口径调整")

    latest.refresh_from_db()
    # Issue 12 row 3: the correction awaits approval, the approved figure still counts.
    assert latest.status == Progress.Status.ACHIEVED

    observation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        observation_approve(observation=observation, by=other_office)
    latest.refresh_from_db()
    assert latest.status != Progress.Status.ACHIEVED  # 95.1 < 96 once approved


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the COPY upsert is PostgreSQL's")
def test_an_unchanged_verdict_keeps_its_computed_at_on_postgresql(plan, district):
    target = _rate_target(plan)
    ObservationFactory(indicator=target.indicator, region=district, year=2023, value=92.9)
    progress_recompute(as_of=date(2024, 3, 31))
    first = Progress.objects.get(target=target).computed_at

    progress_recompute(as_of=date(2024, 3, 31))

    assert Progress.objects.get(target=target).computed_at == first
