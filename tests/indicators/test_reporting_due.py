"""ReportingDue: what each lead department owes, kept right as figures, targets and the calendar
move (docs/monitoring.md "Reporting completeness and overdue", issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from indicators.models import Indicator, Observation, ReportingDue
from indicators.services import observation_approve, observation_return, observation_submit
from indicators.services.reporting import (
    reporting_due_batch,
    reporting_due_rebuild,
    reporting_due_sweep,
)
from targets.models import Plan
from tests.factories import IndicatorFactory, ObservationFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db
State = ReportingDue.State


@pytest.fixture
def today():
    with time_machine.travel("2025-07-10 10:00 +0800", tick=False):
        yield dt.date(2025, 7, 10)


@pytest.fixture
def quarterly(today, district, scjg):
    """区市场监管局 leads a quarterly indicator in 赣榆区's 2024–2025 plan."""
    indicator = IndicatorFactory(code="q_rate", name="季度合格率",
                                 frequency=Indicator.Frequency.QUARTERLY)
    plan = PlanFactory(region=district, code="ganyu", start_year=2024, end_year=2025)
    TargetFactory(plan=plan, code="T1", indicator=indicator, leads=[scjg])
    return indicator


def state(department, indicator, year, quarter=None):
    return ReportingDue.objects.get(department=department, indicator=indicator, year=year,
                                    quarter=quarter).state


def snapshot():
    return sorted(ReportingDue.objects.values_list(
        "department_id", "indicator_id", "region_id", "year", "quarter", "due_on", "state"))


def test_a_lead_department_owes_every_period_of_its_plan_with_its_due_date(quarterly, scjg):
    rows = ReportingDue.objects.filter(department=scjg).order_by("year", "quarter")

    assert [(r.year, r.quarter) for r in rows] == [(y, q) for y in (2024, 2025)
                                                  for q in (1, 2, 3, 4)]
    assert rows[0].due_on == dt.date(2024, 4, 15)  # 31 March + 15 grace days
    assert {r.region_id for r in rows} == {scjg.region_id}
    # as of 10 July 2025: 2024 Q1 to 2025 Q1 are overdue, 2025 Q2 is due on 15 July
    assert state(scjg, quarterly, 2025, 1) == State.OVERDUE
    assert state(scjg, quarterly, 2025, 2) == State.MISSING


def test_each_write_path_moves_the_figures_state(quarterly, district, scjg, scjg_user,
                                                 office_user):
    figure = ObservationFactory(indicator=quarterly, region=district, department=scjg,
                                year=2025, quarter=1, status=Observation.Status.DRAFT,
                                created_by=scjg_user)
    assert state(scjg, quarterly, 2025, 1) == State.OVERDUE  # a draft is not reported

    figure = observation_submit(observation=figure, by=scjg_user)
    assert state(scjg, quarterly, 2025, 1) == State.SUBMITTED

    figure = observation_return(observation=figure, by=office_user, comment="请核实")
    assert state(scjg, quarterly, 2025, 1) == State.OVERDUE

    figure = observation_submit(observation=figure, by=scjg_user)
    observation_approve(observation=figure, by=office_user)
    assert state(scjg, quarterly, 2025, 1) == State.APPROVED


def test_a_figure_saved_or_deleted_directly_moves_its_state_too(quarterly, district, scjg):
    figure = ObservationFactory(indicator=quarterly, region=district, year=2024, quarter=4)
    assert state(scjg, quarterly, 2024, 4) == State.APPROVED

    figure.delete()  # the demo history's removal; fixtures and the history load save()
    assert state(scjg, quarterly, 2024, 4) == State.OVERDUE


def test_the_calendar_turns_missing_figures_overdue(quarterly, scjg):
    assert state(scjg, quarterly, 2025, 2) == State.MISSING  # due on 15 July

    changed = reporting_due_sweep(today=dt.date(2025, 10, 16))

    assert state(scjg, quarterly, 2025, 2) == State.OVERDUE
    assert state(scjg, quarterly, 2025, 3) == State.OVERDUE  # due 15 October
    assert state(scjg, quarterly, 2025, 4) == State.MISSING
    assert changed == 2


def test_the_command_sweeps_and_rebuilds(quarterly, scjg, capsys):
    ReportingDue.objects.all().delete()

    call_command("reporting_due", "--rebuild", "--today", "2025-10-16")

    assert ReportingDue.objects.filter(department=scjg).count() == 8
    assert state(scjg, quarterly, 2025, 3) == State.OVERDUE
    assert "应报数据 8 条" in capsys.readouterr().out


def test_what_a_department_leads_rewrites_its_rows(quarterly, district, scjg, gxj):
    plan = Plan.objects.get(code="ganyu")
    target = plan.targets.get()

    target.lead_departments.set([gxj])  # the lead moves to 区工信局
    assert not ReportingDue.objects.filter(department=scjg).exists()
    assert ReportingDue.objects.filter(department=gxj).count() == 8

    plan.status = Plan.Status.FINAL_REVIEW  # only the deadline year's figures are still owed
    plan.save()
    assert {r.year for r in ReportingDue.objects.filter(department=gxj)} == {2025}

    target.cancelled = True
    target.save()
    assert not ReportingDue.objects.filter(department=gxj).exists()


def test_a_batch_rewrites_each_department_once(quarterly, district, scjg):
    plan = Plan.objects.get(code="ganyu")
    with reporting_due_batch():
        for n in range(10):
            TargetFactory(plan=plan, code=f"B{n}", indicator=IndicatorFactory(), leads=[scjg])
        assert ReportingDue.objects.filter(department=scjg).count() == 8  # not yet

    assert ReportingDue.objects.filter(department=scjg).count() == 8 + 10 * 2  # annual: 2 years


def test_the_incremental_table_equals_a_rebuild(quarterly, district, scjg, gxj, scjg_user):
    other = IndicatorFactory(code="annual_count", name="年度企业数")
    plan = Plan.objects.get(code="ganyu")
    TargetFactory(plan=plan, code="T2", indicator=other, leads=[scjg, gxj])
    ObservationFactory(indicator=other, region=district, year=2024, department=scjg)
    ObservationFactory(indicator=quarterly, region=district, year=2024, quarter=3,
                       status=Observation.Status.SUBMITTED, department=scjg)
    PlanFactory(region=district, code="draft", status=Plan.Status.DRAFT)
    incremental = snapshot()

    reporting_due_rebuild()

    assert snapshot() == incremental


def test_the_sweep_runs_daily_from_celery_beat(quarterly, scjg, settings):
    from indicators.tasks import sweep_reporting_due

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "indicators.sweep_reporting_due"]
    assert entry["schedule"].hour == {0}

    assert sweep_reporting_due.delay("2025-10-16").get() == 2
    assert state(scjg, quarterly, 2025, 3) == State.OVERDUE


# --- The rebuild writes exactly the owed rows (docs/scale.md §7) -------------------------------


def owed_rows(department, indicator, periods, grace, figures, today):
    """What a department owes, spelled from the rule: every period, due ``grace`` days after
    its end, in the state of its figure if that is in, else overdue once the due date passed."""
    rows = []
    for period in periods:
        due_on = period.end + dt.timedelta(days=grace)
        status = figures.get((indicator.pk, period.year, period.quarter), "")
        state = status if status in ("submitted", "approved") else (
            "overdue" if due_on < today else "missing")
        rows.append((department.pk, indicator.pk, department.region_id, period.year,
                     period.quarter, due_on, state))
    return rows


def test_a_rebuild_writes_every_owed_row_in_its_figures_state(
    today, district, other_city, scjg, gxj, settings
):
    from indicators.calendar import Period
    from tests.factories import DepartmentFactory

    settings.REPORTING_GRACE_DAYS = 10
    quarterly = IndicatorFactory(name="季度指标", frequency=Indicator.Frequency.QUARTERLY)
    annual = IndicatorFactory(name="年度指标", frequency=Indicator.Frequency.ANNUAL)
    in_force = PlanFactory(region=district, code="in-force", start_year=2022, end_year=2025)
    TargetFactory(plan=in_force, code="Q", indicator=quarterly, leads=[scjg, gxj])
    TargetFactory(plan=in_force, code="A", indicator=annual, leads=[scjg])
    TargetFactory(plan=in_force, code="X", indicator=IndicatorFactory(), leads=[gxj],
                  cancelled=True)  # a cancelled target owes nothing
    closing = PlanFactory(region=district, code="closing", start_year=2019, end_year=2023,
                          base_year=2018,
                          status=Plan.Status.FINAL_REVIEW)  # owes its deadline year only
    TargetFactory(plan=closing, code="F", indicator=annual, leads=[gxj], deadline_year=2023)
    draft = PlanFactory(region=district, code="draft", status=Plan.Status.DRAFT)
    TargetFactory(plan=draft, code="D", indicator=quarterly, leads=[DepartmentFactory(
        region=district)])  # a plan not in force owes nothing
    elsewhere = DepartmentFactory(region=other_city, name="市市场监管局")
    TargetFactory(plan=PlanFactory(region=other_city, code="city", start_year=2024,
                                   end_year=2025), code="C", indicator=quarterly,
                  leads=[elsewhere])
    figures = {}
    for indicator, year, quarter, status in [
        (quarterly, 2025, 1, "approved"), (quarterly, 2024, 4, "submitted"),
        (quarterly, 2024, 3, "draft"), (quarterly, 2024, 2, "returned"),
        (annual, 2024, None, "approved"), (annual, 2023, None, "submitted"),
        (annual, 2022, None, "returned"),
    ]:
        ObservationFactory(indicator=indicator, region=district, year=year, quarter=quarter,
                           status=status, department=scjg)
        figures[(indicator.pk, year, quarter)] = status
    quarters = [Period(y, q) for y in range(2022, 2026) for q in (1, 2, 3, 4)]
    expected = sorted(
        owed_rows(scjg, quarterly, quarters, 10, figures, today)
        + owed_rows(gxj, quarterly, quarters, 10, figures, today)
        + owed_rows(scjg, annual, [Period(y) for y in range(2022, 2026)], 10, figures, today)
        + owed_rows(gxj, annual, [Period(2023)], 10, figures, today)
        + owed_rows(elsewhere, quarterly, quarters[8:], 10, {}, today)
    )
    ReportingDue.objects.all().delete()

    written = reporting_due_rebuild()

    assert snapshot() == expected
    assert written == len(expected) == 16 + 16 + 4 + 1 + 8


def test_a_rebuild_drops_the_rows_of_a_department_removed_behind_djangos_back(quarterly, scjg):
    from django.db import connection

    from indicators.models import Department

    assert ReportingDue.objects.filter(department=scjg).exists()
    with connection.cursor() as cursor:  # a bulk reload: no foreign key stops it
        cursor.execute("DELETE FROM targets_target_lead_departments WHERE department_id = %s",
                       [scjg.pk])
        cursor.execute(f"DELETE FROM {Department._meta.db_table} WHERE id = %s", [scjg.pk])

    reporting_due_rebuild()

    assert not ReportingDue.objects.filter(department_id=scjg.pk).exists()
