"""CSV for Excel: ``?format=csv`` opens with the right columns and Chinese intact."""

import csv
import io

import pytest

from tests.factories import TargetFactory

pytestmark = pytest.mark.django_db


def read(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM: Excel reads UTF-8, not GBK
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_targets_csv_has_chinese_headers_a_bom_and_one_row_per_target(api, scjg_target):
    response = api.get("/api/v1/targets/?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="qualitytrack-target.csv"' in response["Content-Disposition"]
    header, row = read(response)
    assert header[:6] == ["ID", "编号", "地区", "区划代码", "规划代码", "规划"]
    for column in ["指标代码", "单位", "目标类型", "目标值", "目标年份", "基期值", "牵头单位",
                   "参与单位", "条款", "原文"]:
        assert column in header
    cells = dict(zip(header, row, strict=True))
    assert cells["地区"] == "赣榆区"
    assert cells["牵头单位"] == "区市场监管局"
    assert cells["参与单位"] == "区工信局"
    assert cells["力争目标"] == "否"
    assert cells["目标值"] == "96"


def test_csv_keeps_a_quote_that_starts_like_a_formula_as_text(api, plan):
    TargetFactory(plan=plan, source_quote="=HYPERLINK(\"http://x\")")

    header, row = read(api.get("/api/v1/targets/?format=csv"))

    assert dict(zip(header, row, strict=True))["原文"] == "'=HYPERLINK(\"http://x\")"


def test_progress_and_observations_export_as_csv(api, scjg_target):
    from tests.factories import ProgressFactory

    ProgressFactory(target=scjg_target, status="lagging")

    header, row = read(api.get("/api/v1/progress/?format=csv"))

    cells = dict(zip(header, row, strict=True))
    assert cells["季度"] == "2025Q4"
    assert cells["状态名称"] == "进度滞后"
    assert read(api.get("/api/v1/observations/?format=csv"))[0][0] == "ID"


def test_csv_errors_are_readable_too(api):
    response = api.get("/api/v1/progress/?format=csv&quarter=nonsense")

    assert response.status_code == 400
    header, row = read(response)
    assert header == ["字段", "代码", "说明"]
    assert row[0] == "quarter"
