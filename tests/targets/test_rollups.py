"""The rollup tables equal a from-scratch aggregate of Progress after every way of writing it:
the full recompute, the incremental one after an approval (outbox), the sharded one, test
factories, target and lead-department changes, deletions (docs/scale.md "Rollup tables")."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, Q

from indicators.models import Observation
from indicators.signals import observation_approved
from targets.models import (
    DepartmentRollup,
    PlanRollup,
    Progress,
    QuarterRollup,
    Target,
    TargetTally,
)
from targets.rollups import rollups_rebuild
from targets.services import progress_recompute, recompute_outbox_drain
from targets.sharding import progress_recompute_sharded
from tests.factories import (
    DepartmentFactory,
    IndicatorFactory,
    ObservationFactory,
    PlanFactory,
    ProgressFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

_FLAGS = {
    "n": Count("pk"),
    "aspirational": Count("pk", filter=Q(target__aspirational=True)),
    "binding": Count("pk", filter=Q(target__binding=Target.Binding.BINDING)),
}


def _from_scratch() -> tuple[dict, dict, dict, dict]:
    """Plan, department, quarter and tally counts aggregated from Progress and Target."""
    plans = {
        (r["year"], r["quarter"], r["target__plan"], r["target__indicator__category"],
         r["status"]): (r["n"], r["aspirational"], r["binding"])  # type: ignore[misc]
        for r in Progress.objects.values("year", "quarter", "target__plan",
                                         "target__indicator__category", "status")
        .annotate(**_FLAGS)
    }
    departments = {
        (r["year"], r["quarter"], r["target__lead_departments"], r["target__plan"],
         r["target__indicator__category"], r["status"]): (r["n"], r["aspirational"], r["binding"])  # type: ignore[misc]
        for r in Progress.objects.filter(target__lead_departments__isnull=False)
        .values("year", "quarter", "target__lead_departments", "target__plan",
                "target__indicator__category", "status").annotate(**_FLAGS)
    }
    quarters = set(Progress.objects.values_list("year", "quarter").distinct())
    tally: Counter = Counter()
    for target in Target.objects.prefetch_related("lead_departments"):
        tally[(target.plan_id, 0)] += 1
        for department in target.lead_departments.all():
            tally[(target.plan_id, department.pk)] += 1
    return plans, departments, quarters, dict(tally)  # type: ignore[return-value]


def _stored() -> tuple[dict, dict, dict, dict]:
    assert not PlanRollup.objects.filter(n__lt=0).exists()
    assert not DepartmentRollup.objects.filter(n__lt=0).exists()
    plans = {(r.year, r.quarter, r.plan_id, r.category, r.status): (r.n, r.aspirational, r.binding)
             for r in PlanRollup.objects.exclude(n=0)}
    departments = {
        (r.year, r.quarter, r.department_id, r.plan_id, r.category, r.status):
        (r.n, r.aspirational, r.binding)
        for r in DepartmentRollup.objects.exclude(n=0)
    }
    quarters = set(QuarterRollup.objects.values_list("year", "quarter"))
    tally = {(r.plan_id, r.department_id): r.n for r in TargetTally.objects.exclude(n=0)}
    return plans, departments, quarters, tally  # type: ignore[return-value]


def assert_rollups_right() -> None:
    expected = _from_scratch()
    assert _stored() == expected
    assert expected[0], "the comparison must not be vacuous"


@pytest.fixture
def two_plans(district, other_city):
    """Two plans in two regions, two categories, shared and single lead departments,
    力争 and 约束性 targets, approved figures."""
    plans = [PlanFactory(region=region, start_year=2021, end_year=2025, base_year=2020)
             for region in (district, other_city)]
    rate = IndicatorFactory(category="产品质量")
    air = IndicatorFactory(category="环境质量")
    for plan in plans:
        first = DepartmentFactory(region=plan.region)
        second = DepartmentFactory(region=plan.region)
        TargetFactory(plan=plan, indicator=rate, value=96, leads=[first],
                      binding=Target.Binding.BINDING)
        TargetFactory(plan=plan, indicator=air, value=98, leads=[first, second],
                      aspirational=True)
        TargetFactory(plan=plan, indicator=IndicatorFactory(category="产品质量"), value=50)
        for year, value in ((2021, 91.0), (2022, 92.0), (2023, 93.5)):
            ObservationFactory(indicator=rate, region=plan.region, year=year, value=value)
            ObservationFactory(indicator=air, region=plan.region, year=year, value=value + 4)
    return plans


def test_the_full_recompute_builds_the_rollups(two_plans):
    progress_recompute(as_of=date(2024, 3, 31), all_quarters=True)
    assert_rollups_right()
    progress_recompute(as_of=date(2024, 3, 31), all_quarters=True)  # idempotent
    assert_rollups_right()


def test_the_incremental_recompute_after_an_approval_moves_only_what_changed(
    two_plans, django_capture_on_commit_callbacks
):
    progress_recompute(as_of=date(2026, 3, 31), all_quarters=True)
    target = Target.objects.filter(plan=two_plans[0], binding=Target.Binding.BINDING).get()
    other_plan_rows = set(PlanRollup.objects.filter(plan=two_plans[1]).values_list(
        "year", "quarter", "category", "status", "n"))
    figure = ObservationFactory(indicator=target.indicator, region=two_plans[0].region,
                                year=2025, value=96.5)
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        observation_approved.send(sender=Observation, observation_id=figure.pk)
    assert recompute_outbox_drain(as_of=date(2026, 3, 31)) == 1

    assert Progress.objects.get(target=target, year=2026, quarter=1).status == "achieved"
    assert_rollups_right()
    assert set(PlanRollup.objects.filter(plan=two_plans[1]).values_list(
        "year", "quarter", "category", "status", "n")) == other_plan_rows


def test_the_sharded_recompute_builds_the_rollups(two_plans):
    progress_recompute_sharded(as_of=date(2024, 3, 31), all_quarters=True, shards=2)
    assert_rollups_right()


def test_factories_target_changes_and_deletions_keep_the_rollups(two_plans):
    progress_recompute(as_of=date(2024, 3, 31), all_quarters=True)
    target = Target.objects.filter(plan=two_plans[0], aspirational=True).get()
    row = Progress.objects.filter(target=target).first()
    row.status = Progress.Status.OFF_TRACK
    row.save()
    ProgressFactory(target=Target.objects.filter(plan=two_plans[1]).first(), year=2030,
                    quarter=1)
    assert_rollups_right()

    target.aspirational = False
    target.binding = Target.Binding.BINDING
    target.save()
    target.lead_departments.remove(target.lead_departments.first())
    assert_rollups_right()
    target.indicator.category = "品牌建设"
    target.indicator.save()
    assert_rollups_right()

    Progress.objects.filter(target=target, year=2022).delete()
    Progress.objects.filter(year=2023).update(status=Progress.Status.NO_DATA)
    assert_rollups_right()
    target.delete()
    assert_rollups_right()
    two_plans[1].delete()
    assert_rollups_right()


def test_a_rebuild_gives_what_the_triggers_keep(two_plans):
    progress_recompute(as_of=date(2024, 3, 31), all_quarters=True)
    kept = _stored()
    rollups_rebuild()
    assert _stored() == kept
    PlanRollup.objects.all().delete()
    rollups_rebuild(plan_ids=[p.pk for p in two_plans])
    assert _stored() == kept


def test_the_rebuild_command_says_what_it_did(two_plans, capsys):
    from django.core.management import call_command

    progress_recompute(as_of=date(2024, 3, 31), all_quarters=True)
    PlanRollup.objects.all().delete()
    call_command("rebuild_rollups")
    assert "已重建看板汇总" in capsys.readouterr().out
    assert_rollups_right()
