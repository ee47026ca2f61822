"""Fixtures of the REST feed: an API client, a published plan, department tokens.

``scjg`` (区市场监管局) leads the indicator ``quality_rate`` of 赣榆区's plan; ``gxj``
(区工信局) leads ``enterprise_count``. Throttle buckets live in the cache, emptied per test.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services.tokens import token_create
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory


@pytest.fixture(autouse=True)
def _empty_throttle_buckets():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def plan(district):
    return PlanFactory(code="ganyu-2025", region=district, title="“品质赣榆”建设行动方案")


@pytest.fixture
def quality_rate(db):
    return IndicatorFactory(code="quality_rate", name="产品质量监督抽查合格率")


@pytest.fixture
def enterprise_count(db):
    return IndicatorFactory(
        code="enterprise_count", name="规上工业企业数", unit="家", measure="flow",
        lower_bound=0, upper_bound=None,
    )


@pytest.fixture
def scjg_target(plan, quality_rate, scjg, gxj):
    target = TargetFactory(
        plan=plan, code="T001", indicator=quality_rate, leads=[scjg], source_clause="一、(二)",
    )
    target.participating_departments.set([gxj])
    return target


@pytest.fixture
def gxj_target(plan, enterprise_count, gxj):
    return TargetFactory(
        plan=plan, code="T002", indicator=enterprise_count, leads=[gxj], kind="cumulative_new",
        value=7, unit="家", baseline_value=None, baseline_year=None,
    )


def _token(office_user, department, name):
    _token_row, key = token_create(
        by=office_user, name=name, kind="department", department=department
    )
    return key


@pytest.fixture
def scjg_key(office_user, scjg):
    return _token(office_user, scjg, "市场监管局业务系统")


@pytest.fixture
def gxj_key(office_user, gxj):
    return _token(office_user, gxj, "工信局业务系统")


@pytest.fixture
def portal_key(office_user):
    return token_create(by=office_user, name="数据开放平台", kind="portal")[1]


