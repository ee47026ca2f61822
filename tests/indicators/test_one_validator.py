"""One validator for every way a figure arrives (issue 12, rows 10 and 11).

The entry form, the Excel upload, the API and ``manage.py import_observations`` refuse the
same figures with the same Chinese messages, and accept the same ones: a growth rate may be
negative or above 100 (湛江's 工业企业技术改造投资额增长率, 「年均增长16%」), a share stays
within 0–100. "Today" is 2025-07-10 (tests/indicators/conftest.py): 2025 Q2 has ended.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts import roles
from accounts.services.tokens import token_create
from indicators.models import Indicator, Observation, ObservationChange
from tests.factories import (
    IndicatorFactory,
    RegionFactory,
    TargetFactory,
    UserFactory,
    download,
    fill,
    post_entry,
    upload,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/observations/"


@pytest.fixture
def annual_rate(plan, scjg):
    """A share without a configured upper bound: 0–100 all the same (its natural bound)."""
    indicator = IndicatorFactory(code="cert_rate", name="认证企业比例", upper_bound=None)
    TargetFactory(plan=plan, indicator=indicator, value=60, leads=[scjg])
    return indicator


@pytest.fixture
def growth(plan, scjg):
    """A growth rate as the seed configures it: lower bound -100, no upper bound."""
    indicator = IndicatorFactory(
        code="tech_invest_growth", name="工业企业技术改造投资额增长率",
        frequency=Indicator.Frequency.QUARTERLY, lower_bound=-100, upper_bound=None,
        description="同比增长率,可为负。",
    )
    TargetFactory(plan=plan, indicator=indicator, value=16, leads=[scjg])
    return indicator


@pytest.fixture
def key(office_user, scjg):
    return token_create(by=office_user, name="业务系统", kind="department", department=scjg)[1]


def _csv(tmp_path, text):
    path = tmp_path / "history.csv"
    path.write_text("\ufeff地区,指标,年份,季度,数值\n" + text, encoding="utf-8")
    return path


def cli(tmp_path, capsys, rows: str, by: str = "office") -> list[str]:
    """The command's error lines ("第N行“列”：原因"), or [] when it imported."""
    try:
        call_command("import_observations", str(_csv(tmp_path, rows)), "--by", by)
    except CommandError:
        return capsys.readouterr().err.strip().splitlines()
    return []


def api_message(api_client, key, **body) -> str:
    response = api_client.post(API, body, format="json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 400, response.json()
    return response.json()["errors"][0]["message"]


def test_the_cli_refuses_what_the_api_refuses_with_the_same_messages(
    rate, annual_rate, key, office_user, city, tmp_path, capsys
):
    from rest_framework.test import APIClient

    RegionFactory(code="320706", name="海州区", level="district", parent=city)
    UserFactory.with_role("city-office", roles.OFFICE, city)
    errors = cli(tmp_path, capsys,
                 "赣榆区,认证企业比例,2024,1,95\n"          # a quarter on an annual indicator
                 "赣榆区,产品质量监督抽查合格率,2024,,95\n"  # a year on a quarterly one
                 "赣榆区,产品质量监督抽查合格率,2025,3,95\n"  # a quarter not yet over
                 "赣榆区,认证企业比例,1995,,95\n"           # before the plan
                 "海州区,认证企业比例,2024,,95\n"           # a region without a target
                 "赣榆区,认证企业比例,2023,,150\n"          # a share above 100
                 "赣榆区,认证企业比例,2022,,85.123456789012345\n",  # more decimals than kept
                 by="city-office")
    api = APIClient()
    same = {
        2: api_message(api, key, indicator="cert_rate", year=2024, quarter=1, value=95),
        3: api_message(api, key, indicator="product_pass_rate", year=2024, value=95),
        4: api_message(api, key, indicator="product_pass_rate", year=2025, quarter=3, value=95),
        5: api_message(api, key, indicator="cert_rate", year=1995, value=95),
        7: api_message(api, key, indicator="cert_rate", year=2023, value=150),
        8: api_message(api, key, indicator="cert_rate", year=2022, value="85.123456789012345"),
    }

    assert len(errors) == 7, errors
    for row, message in same.items():
        assert any(line.startswith(f"第{row}行") and line.endswith(message) for line in errors), (
            row, message, errors)
    assert "第6行“指标”：“海州区”没有指标“认证企业比例”的目标（没有牵头单位），不能填报。" in errors
    assert same[7] == "指标“认证企业比例”是百分比，应在0至100之间，填报值为150。"
    assert not Observation.objects.exists()


def test_imported_figures_have_a_department_and_an_author_in_history(
    annual_rate, scjg, office_user, tmp_path, capsys
):
    assert cli(tmp_path, capsys, "赣榆区,认证企业比例,2024,,61.5\n") == []

    figure = Observation.objects.get()
    assert figure.department == scjg
    assert figure.created_by == office_user
    change = ObservationChange.objects.get(observation=figure)
    assert (change.action, change.by) == ("import", office_user)


def test_the_cli_needs_an_office_account_to_answer_for_the_import(
    annual_rate, scjg_user, tmp_path
):
    path = _csv(tmp_path, "赣榆区,认证企业比例,2024,,61.5\n")

    with pytest.raises(CommandError, match="--by"):
        call_command("import_observations", str(path))
    with pytest.raises(CommandError, match="只有领导小组办公室可以进行此操作"):
        call_command("import_observations", str(path), "--by", scjg_user.username)
    assert not Observation.objects.exists()


# --- Natural bounds, the same in every channel -----------------------------------------------


def through_form(client, scjg_user, indicator, value, **_):
    client.force_login(scjg_user)
    page = post_entry(client, indicator, str(value))
    text = page.content.decode()
    return "草稿已保存。" in text, text


def through_api(client, scjg_user, indicator, value, *, key, **_):
    from rest_framework.test import APIClient

    response = APIClient().post(
        API, {"indicator": indicator.code, "year": 2025, "quarter": 2, "value": str(value)},
        format="json", HTTP_AUTHORIZATION=f"Token {key}",
    )
    return response.status_code == 201, response.content.decode()


def through_excel(client, scjg_user, indicator, value, *, capture, **_):
    client.force_login(scjg_user)
    content = fill(download(client), {indicator.code: value})
    page = upload(client, content, capture)
    return Observation.objects.filter(indicator=indicator).exists(), page.content.decode()


def through_cli(client, scjg_user, indicator, value, *, tmp_path, capsys, **_):
    errors = cli(tmp_path, capsys, f"赣榆区,{indicator.name},2025,2,{value}\n")
    return not errors, "\n".join(errors)


CHANNELS = {"form": through_form, "api": through_api, "excel": through_excel,
            "cli": through_cli}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("value", [-5.2, 120])
def test_a_growth_rate_may_be_negative_or_above_100_in_every_channel(
    channel, value, client, scjg_user, office_user, growth, key, tmp_path, capsys,
    django_capture_on_commit_callbacks,
):
    accepted, page = CHANNELS[channel](
        client, scjg_user, growth, value, key=key, tmp_path=tmp_path, capsys=capsys,
        capture=django_capture_on_commit_callbacks,
    )

    assert accepted, page[:2000]
    assert float(Observation.objects.get(indicator=growth).value) == pytest.approx(value)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("value", [-5.2, 120])
def test_a_share_stays_within_0_and_100_in_every_channel(
    channel, value, client, scjg_user, office_user, rate, key, tmp_path, capsys,
    django_capture_on_commit_callbacks,
):
    accepted, page = CHANNELS[channel](
        client, scjg_user, rate, value, key=key, tmp_path=tmp_path, capsys=capsys,
        capture=django_capture_on_commit_callbacks,
    )

    assert not accepted
    assert (f"指标“产品质量监督抽查合格率”是百分比，应在0至100之间，填报值为{value:g}。"
            in page.replace("&ldquo;", "“").replace("&rdquo;", "”")), page[-3000:]
    assert not Observation.objects.filter(indicator=rate).exists()


def test_the_seed_marks_the_growth_rate_as_one_that_may_be_negative():
    import json
    from pathlib import Path

    from django.conf import settings

    fixture = json.loads(Path(settings.BASE_DIR, "fixtures", "seed_targets.json").read_text())
    growth = next(o["fields"] for o in fixture if o["model"] == "indicators.indicator"
                  and o["fields"]["code"] == "industrial_tech_upgrade_investment_growth")
    assert (growth["lower_bound"], growth["upper_bound"]) == ("-100", None)
