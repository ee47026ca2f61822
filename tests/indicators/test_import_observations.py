"""manage.py import_observations: the office's bulk load, all or nothing (issue 7)."""

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Observation, ObservationChange
from targets.models import Progress
from tests.factories import IndicatorFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate(district, scjg, office_user):
    # An imported figure belongs to the target's lead department (issue 12, row 10).
    indicator = IndicatorFactory(code="mfg_rate", name="制造业产品质量合格率")
    plan = PlanFactory(region=district, start_year=2021, end_year=2025, base_year=2020)
    TargetFactory(plan=plan, indicator=indicator, value=96, baseline_value=90,
                  baseline_year=2020, deadline_year=2025, leads=[scjg])
    return indicator


BY = ("--by", "office")  # the office account that answers for the import (issue 12, row 10)


def _csv(tmp_path, text):
    path = tmp_path / "history.csv"
    path.write_text("\ufeff地区,指标,年份,季度,数值\n" + text, encoding="utf-8")
    return path


def test_a_valid_file_lands_whole_approved_and_feeds_progress(
    rate, tmp_path, capsys, django_capture_on_commit_callbacks
):
    path = _csv(tmp_path, "赣榆区,制造业产品质量合格率,2021,,91.2\n赣榆区,mfg_rate,2022,,92.5\n"
                          "赣榆区,制造业产品质量合格率,2023,,93.6\n")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_observations", str(path), "--approve", *BY)

    assert "已导入 3 条数据（已审核）" in capsys.readouterr().out
    assert Observation.objects.filter(status="approved").count() == 3
    assert ObservationChange.objects.filter(action="import").count() == 3
    assert Progress.objects.filter(target__indicator=rate).exists()


def test_a_file_with_bad_rows_is_refused_whole_with_every_reason(rate, tmp_path, capsys):
    path = _csv(tmp_path, "赣榆区,制造业产品质量合格率,2021,,91.2\n"
                          "赣榆县,制造业产品质量合格率,2022,,92\n"
                          "赣榆区,制造业产品质量合格率,2023,5,93\n"
                          "赣榆区,制造业产品质量合格率,2024,,百分之九十\n"
                          "赣榆区,制造业产品质量合格率,2021,,91.2\n"
                          "赣榆区,制造业产品质量合格率,2024,,120\n")

    with pytest.raises(CommandError, match="共 5 处错误，未写入任何数据"):
        call_command("import_observations", str(path), *BY)

    errors = capsys.readouterr().err
    assert "第3行“地区”：系统中没有名为“赣榆县”的地区" in errors
    assert "第4行“季度”：季度应为1至4" in errors
    assert "第5行“数值”：“百分之九十”不是有效数字" in errors
    assert "第6行“指标”：与第2行重复" in errors
    # The same message as the entry form, the Excel upload and the API (issue 12, row 10).
    assert ("第7行“数值”：指标“制造业产品质量合格率”是百分比，应在0至100之间，"
            "填报值为120。") in errors
    assert not Observation.objects.exists()


def test_an_approved_figure_is_not_overwritten_by_an_import(rate, district, tmp_path, capsys):
    from tests.factories import ObservationFactory

    ObservationFactory(indicator=rate, region=district, year=2021, value=91)
    path = _csv(tmp_path, "赣榆区,制造业产品质量合格率,2021,,95\n")

    with pytest.raises(CommandError):
        call_command("import_observations", str(path), *BY)

    # The entry rules' message, as in the form and the API (issue 12, row 10).
    assert ("第2行“指标”：指标“制造业产品质量合格率”2021年的数据状态为“已审核”，不能重复填报；"
            "如需修改已审核的数据，请提交更正并说明原因。") in capsys.readouterr().err
    assert Observation.objects.get().value == 91


def test_a_file_without_the_columns_is_refused(tmp_path, office_user):
    path = tmp_path / "x.csv"
    path.write_text("region,value\n1,2\n", encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("import_observations", str(path), *BY)
