"""Data for the data-entry tests: one plan of 赣榆区 whose targets 区市场监管局 (scjg) and
区工信局 (gxj) lead, and "today" frozen at 2025-07-10 — 2025 Q2 has ended and is open until
2025-07-15 (REPORTING_GRACE_DAYS = 15); 2025 Q1 and earlier are closed.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts import roles
from indicators.models import Indicator
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.datetime(2025, 7, 10, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _today(time_machine, settings):
    settings.REPORTING_GRACE_DAYS = 15
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def plan(district):
    return PlanFactory(
        region=district, code="ganyu-2021", start_year=2021, end_year=2025, base_year=2020
    )


@pytest.fixture
def rate(plan, scjg):
    """产品质量合格率 (%), quarterly, led by 区市场监管局."""
    indicator = IndicatorFactory(
        code="product_pass_rate",
        name="产品质量监督抽查合格率",
        frequency=Indicator.Frequency.QUARTERLY,
    )
    TargetFactory(plan=plan, indicator=indicator, value=96, leads=[scjg])
    return indicator


@pytest.fixture
def count(plan, scjg):
    """新增"品字标"企业数 (家), a quarterly flow, led by 区市场监管局."""
    indicator = IndicatorFactory(
        code="pinzibiao_new",
        name="新增品字标企业数",
        unit="家",
        measure=Indicator.Measure.FLOW,
        lower_bound=None,
        upper_bound=None,
        frequency=Indicator.Frequency.QUARTERLY,
    )
    TargetFactory(
        plan=plan, indicator=indicator, kind="cumulative_new", value=7, unit="家", leads=[scjg]
    )
    return indicator


@pytest.fixture
def milestone(plan, scjg):
    indicator = IndicatorFactory(
        code="quality_center",
        name="国家级质检中心建设",
        unit="",
        measure=Indicator.Measure.MILESTONE,
        lower_bound=None,
        upper_bound=None,
        frequency=Indicator.Frequency.QUARTERLY,
    )
    TargetFactory(
        plan=plan, indicator=indicator, kind="milestone", value=None, unit="", leads=[scjg]
    )
    return indicator


@pytest.fixture
def gxj_rate(plan, gxj):
    """An indicator 区工信局 leads: 区市场监管局 must not touch it."""
    indicator = IndicatorFactory(
        code="industry_quality",
        name="规上工业企业质量管理体系认证率",
        frequency=Indicator.Frequency.QUARTERLY,
    )
    TargetFactory(plan=plan, indicator=indicator, value=90, leads=[gxj])
    return indicator


@pytest.fixture
def second_office(district):
    return UserFactory.with_role("office2", roles.OFFICE, district)
