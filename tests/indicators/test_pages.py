"""Each role through the pages, with the Django test client (what a user sees)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import AuditEvent
from indicators.models import Observation
from tests.factories import ObservationFactory, post_entry, submitted

pytestmark = pytest.mark.django_db
ENTRY_Q2 = reverse("indicators:entry", kwargs={"period": "2025Q2"})


# --- Reporter ------------------------------------------------------------------------------


def test_reporter_sees_the_open_period_of_its_own_indicators_only(
    client, scjg_user, rate, gxj_rate
):
    client.force_login(scjg_user)

    response = client.get(reverse("indicators:due"))

    assertContains(response, "本期待填报")
    assertContains(response, "2025年第2季度")
    assertContains(response, "截止 2025-07-15")
    assertContains(response, rate.name)
    assertNotContains(response, gxj_rate.name)


def test_reporter_enters_saves_a_draft_then_submits(client, scjg_user, rate):
    client.force_login(scjg_user)

    page = client.get(ENTRY_Q2)
    assertContains(page, rate.name)
    assertContains(page, "0至100")  # the allowed range
    assertContains(page, "≥96%")  # the target

    assertContains(post_entry(client, rate, "95.2"), "草稿已保存。")
    observation = Observation.objects.get()
    assert observation.status == Observation.Status.DRAFT

    assertContains(post_entry(client, rate, "95.4", submit=True), "已提交审核。")
    observation.refresh_from_db()
    assert (observation.status, str(observation.value)) == ("submitted", "95.4000")


def test_entry_errors_name_the_indicator_and_the_reason(client, scjg_user, rate, count):
    client.force_login(scjg_user)

    response = post_entry(client, rate, "abc", **{f"value_{count.pk}": "-3"})

    assertContains(response, "指标“产品质量监督抽查合格率”的填报值“abc”不是有效数字")
    response = post_entry(client, rate, "120", **{f"value_{count.pk}": "-3"})
    assertContains(response, "是百分比，应在0至100之间，填报值为120")
    assertContains(response, "指标“新增品字标企业数”是计数，不能为负数")
    assert not Observation.objects.exists()


def test_a_suspected_unit_mistake_is_saved_once_confirmed(client, scjg_user, district, rate):
    ObservationFactory(indicator=rate, region=district, year=2025, quarter=1, value=96)
    client.force_login(scjg_user)

    assertContains(post_entry(client, rate, "0.96"), "请核实，确认无误后勾选")
    response = post_entry(client, rate, "0.96", **{f"confirm_{rate.pk}": "on"})

    assertContains(response, "草稿已保存。")


def test_reporter_gets_403_on_another_departments_indicator(
    client, scjg_user, gxj_user, district, rate, gxj_rate
):
    gxj_figure = ObservationFactory(indicator=gxj_rate, region=district, year=2025, quarter=1)
    client.force_login(scjg_user)
    url = reverse("indicators:entry-indicator", kwargs={"period": "2025Q2", "code": gxj_rate.code})

    assert client.get(url).status_code == 403
    response = client.post(url, {f"value_{gxj_rate.pk}": "80", "save": "1"})
    assert response.status_code == 403
    assertContains(response, "您无权填报指标“规上工业企业质量管理体系认证率”", status_code=403)
    detail = reverse("indicators:observation-detail", kwargs={"pk": gxj_figure.pk})
    assert client.get(detail).status_code == 403
    assert not Observation.objects.filter(indicator=gxj_rate, quarter=2).exists()
    assert AuditEvent.objects.filter(kind="denied", username="scjg").count() == 3


def test_reporter_may_not_approve_nor_open_the_office_pages(client, scjg_user, rate):
    client.force_login(scjg_user)
    post_entry(client, rate, "95", submit=True)
    observation = Observation.objects.get()

    assert (
        client.post(
            reverse("indicators:observation-approve", kwargs={"pk": observation.pk})
        ).status_code
        == 403
    )
    for name in ["indicators:approvals", "indicators:completeness", "indicators:audit-log"]:
        assert client.get(reverse(name)).status_code == 403
    observation.refresh_from_db()
    assert observation.status == Observation.Status.SUBMITTED


def test_overdue_lists_closed_periods_without_a_submitted_figure(client, scjg_user, rate):
    client.force_login(scjg_user)

    response = client.get(reverse("indicators:overdue"))

    assertContains(response, "2025年第1季度")
    assertContains(response, "2021年第1季度")
    assertNotContains(response, "2025年第2季度")  # still open
    assert [i.period.slug for i in response.context["page"].object_list][:2] == ["2025Q1", "2024Q4"]


# --- Office -------------------------------------------------------------------------------


def test_office_returns_then_approves(client, scjg_user, office_user, rate):
    observation = submitted(client, scjg_user, rate)
    client.force_login(office_user)
    detail = reverse("indicators:observation-detail", kwargs={"pk": observation.pk})

    assertContains(client.get(reverse("indicators:approvals")), rate.name)
    response = client.post(
        reverse("indicators:observation-return", kwargs={"pk": observation.pk}),
        {"comment": "请附抽查报告"},
        follow=True,
    )
    assertContains(response, "已退回填报单位。")
    assertContains(response, "请附抽查报告")

    client.force_login(scjg_user)
    assertContains(client.get(ENTRY_Q2), "退回意见：请附抽查报告")
    post_entry(client, rate, "95.3", submit=True)

    client.force_login(office_user)
    observation.refresh_from_db()
    response = client.post(
        reverse("indicators:observation-approve", kwargs={"pk": observation.pk}),
        {"version": observation.version},
        follow=True,
    )
    assertContains(response, "已审核通过。")
    observation.refresh_from_db()
    assert observation.status == Observation.Status.APPROVED
    page = client.get(detail)
    for action in ["新建", "提交", "退回", "修改", "审核通过"]:
        assertContains(page, action)


def test_a_return_without_comment_is_refused(client, scjg_user, office_user, rate):
    observation = submitted(client, scjg_user, rate)
    client.force_login(office_user)

    response = client.post(
        reverse("indicators:observation-return", kwargs={"pk": observation.pk}),
        {"comment": ""},
        follow=True,
    )

    assertContains(response, "退回时必须填写退回意见。")


def test_second_approver_sees_the_clear_message(
    client, scjg_user, office_user, second_office, rate
):
    observation = submitted(client, scjg_user, rate)
    seen_version = observation.version  # both offices loaded the list at this version
    url = reverse("indicators:observation-approve", kwargs={"pk": observation.pk})

    client.force_login(office_user)
    assertContains(client.post(url, {"version": seen_version}, follow=True), "已审核通过。")
    client.force_login(second_office)
    response = client.post(url, {"version": seen_version}, follow=True)

    assertContains(response, "该数据已被他人处理，请刷新后重试。")
    assert Observation.objects.get().changes.filter(action="approve").count() == 1


def test_office_approves_in_bulk_and_filters_the_list(client, scjg_user, office_user, rate, count):
    client.force_login(scjg_user)
    post_entry(client, rate, "95.2", submit=True, **{f"value_{count.pk}": "2"})
    ids = list(Observation.objects.values_list("pk", flat=True))
    client.force_login(office_user)

    response = client.post(
        reverse("indicators:approvals"), {"ids": ids, "action": "approve"}, follow=True
    )

    assertContains(response, "已审核通过2条。")
    assert set(Observation.objects.values_list("status", flat=True)) == {"approved"}
    assertContains(client.get(reverse("indicators:approvals")), "没有符合条件的数据。")
    approved = client.get(
        reverse("indicators:approvals"), {"status": "approved", "period": "2025Q2"}
    )
    assertContains(approved, rate.name)
    assertNotContains(
        client.get(reverse("indicators:approvals"), {"status": "approved", "period": "2025Q1"}),
        rate.name,
    )


def test_bulk_return_needs_a_comment(client, scjg_user, office_user, rate):
    observation = submitted(client, scjg_user, rate)
    client.force_login(office_user)

    response = client.post(
        reverse("indicators:approvals"), {"ids": [observation.pk], "action": "return"}, follow=True
    )

    assertContains(response, "退回时必须填写退回意见。")


def test_the_approval_list_pages_long_lists(
    client, office_user, district, rate, scjg, monkeypatch, django_assert_max_num_queries
):
    for year in range(2021, 2025):
        for quarter in range(1, 5):
            ObservationFactory(
                indicator=rate,
                region=district,
                year=year,
                quarter=quarter,
                status="submitted",
                department=scjg,
            )
    monkeypatch.setattr("core.views.PAGE_SIZE", 10)
    client.force_login(office_user)

    # 12 before issue 16; the page now also reads the targets each figure feeds and the
    # approved values before it (one query each, and one more when a correction is listed),
    # whatever the page's length (tests/indicators/test_approvals_page.py)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("indicators:approvals"))
    second = client.get(reverse("indicators:approvals"), {"status": "submitted", "page": 2})

    assertContains(first, "第1页 / 共2页（16条）")
    assertContains(second, "上一页")


def test_completeness_counts_expected_and_reported_per_department(
    client, scjg_user, office_user, rate, count, gxj_rate
):
    submitted(client, scjg_user, rate)
    client.force_login(office_user)

    response = client.get(reverse("indicators:completeness"), {"period": "2025Q2"})

    rows = {r.department.name: r for r in response.context["rows"]}
    assert (rows["区市场监管局"].expected, rows["区市场监管局"].reported) == (2, 1)
    assert rows["区市场监管局"].rate == 50.0
    assert (rows["区工信局"].expected, rows["区工信局"].reported) == (1, 0)
    (total,) = response.context["totals"]
    assert (total.region_name, total.expected, total.reported) == ("赣榆区", 3, 1)
    assertContains(response, "完整率")


def test_completeness_has_an_empty_state(client, office_user):
    client.force_login(office_user)

    assertContains(client.get(reverse("indicators:completeness")), "没有应报的指标。")


def test_office_sees_overdue_per_department(client, office_user, rate, gxj_rate):
    client.force_login(office_user)

    response = client.get(reverse("indicators:overdue"))

    assertContains(response, "按部门")
    assertContains(response, "区工信局")


def test_office_export_is_audited(client, office_user, district, rate, scjg):
    ObservationFactory(indicator=rate, region=district, year=2024, quarter=4, department=scjg)
    client.force_login(office_user)

    response = client.get(
        reverse("indicators:observation-export"), {"status": "approved", "format": "csv"}
    )

    assert response.status_code == 200
    assert rate.name in response.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(kind="export", username="office").exists()


# --- Correction ---------------------------------------------------------------------------


def test_a_correction_keeps_both_values_in_the_history(client, scjg_user, office_user, rate):
    observation = submitted(client, scjg_user, rate, "95.2")
    client.force_login(office_user)
    client.post(reverse("indicators:observation-approve", kwargs={"pk": observation.pk}))
    client.force_login(scjg_user)
    correct = reverse("indicators:observation-correct", kwargs={"pk": observation.pk})

    refused = client.post(correct, {"value": "95.8", "reason": ""}, follow=True)
    assertContains(refused, "更正原因")
    response = client.post(correct, {"value": "95.8", "reason": "复核抽检批次后更正"}, follow=True)

    assertContains(response, "更正已提交，待领导小组办公室审核。")
    assertContains(response, "复核抽检批次后更正")
    change = observation.changes.get(action="correct")
    assert (change.old_value, change.new_value) == ("95.2", "95.8")
    client.force_login(office_user)
    client.post(reverse("indicators:observation-approve", kwargs={"pk": observation.pk}))
    observation.refresh_from_db()
    assert (observation.status, str(observation.value)) == ("approved", "95.8000")


def test_an_approved_figure_is_locked_on_the_entry_form(client, scjg_user, office_user, rate):
    observation = submitted(client, scjg_user, rate, "95.2")
    client.force_login(office_user)
    client.post(reverse("indicators:observation-approve", kwargs={"pk": observation.pk}))
    client.force_login(scjg_user)

    page = client.get(ENTRY_Q2)

    assertContains(page, "已锁定")
    assertNotContains(page, f'name="value_{rate.pk}"')


# --- Leader and auditor -------------------------------------------------------------------


def test_leader_reads_but_cannot_enter_or_approve(client, leader_user, scjg_user, rate):
    observation = submitted(client, scjg_user, rate)
    client.force_login(leader_user)

    assert (
        client.get(
            reverse("indicators:observation-detail", kwargs={"pk": observation.pk})
        ).status_code
        == 200
    )
    assert client.get(reverse("indicators:completeness")).status_code == 200
    assert client.get(ENTRY_Q2).status_code == 403
    assert (
        client.post(
            reverse("indicators:observation-approve", kwargs={"pk": observation.pk})
        ).status_code
        == 403
    )
    assert client.get(reverse("indicators:approvals")).status_code == 403


def test_auditor_reads_the_audit_log_and_exports_the_history(client, auditor_user, scjg_user, rate):
    submitted(client, scjg_user, rate)
    client.force_login(auditor_user)

    page = client.get(reverse("indicators:audit-log"))
    csv_export = client.get(reverse("indicators:audit-export"), {"format": "csv"})
    xlsx_export = client.get(reverse("indicators:audit-export"), {"format": "xlsx"})

    assertContains(page, "审计日志")
    text = csv_export.content.decode("utf-8-sig")
    for expected in ["产品质量监督抽查合格率", "95.2", "新建"]:
        assert expected in text
    assert xlsx_export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(kind="export", username="auditor").count() == 2


def test_auditor_sees_nothing_else(client, auditor_user, scjg_user, rate):
    observation = submitted(client, scjg_user, rate)
    client.force_login(auditor_user)

    assert (
        client.get(
            reverse("indicators:observation-detail", kwargs={"pk": observation.pk})
        ).status_code
        == 403
    )
    assert client.get(reverse("indicators:approvals")).status_code == 403
    assertContains(client.get(reverse("indicators:due")), "审计日志")


def test_pages_need_a_login(client, rate):
    response = client.get(reverse("indicators:due"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- Empty states and odd input -----------------------------------------------------------


def test_office_home_shows_the_pending_count_and_shortcuts(client, office_user, scjg_user, rate):
    submitted(client, scjg_user, rate)
    client.force_login(office_user)

    response = client.get(reverse("indicators:due"))

    assertContains(response, "待审核数据 1 条。")
    assertContains(response, reverse("indicators:completeness"))


def test_a_period_without_due_indicators_says_so(client, scjg_user, rate):
    client.force_login(scjg_user)

    response = client.get(reverse("indicators:entry", kwargs={"period": "2024"}))

    assertContains(response, "本部门在2024年没有需要填报的指标。")


def test_a_malformed_period_is_not_found(client, scjg_user, rate):
    client.force_login(scjg_user)

    assert client.get("/entry/period/2024Q9/").status_code == 404


def test_a_user_without_a_task_sees_an_empty_state(client, district):
    from accounts import roles
    from tests.factories import UserFactory

    client.force_login(UserFactory.with_role("sysadmin", roles.ADMIN, district))

    assertContains(client.get(reverse("indicators:due")), "您的账号没有数据填报任务。")


def test_the_import_page_shows_a_progress_bar_while_pending(client, scjg_user, scjg, rate):
    from django.core.files.base import ContentFile

    from indicators.models import ImportJob

    job = ImportJob(department=scjg, year=2025, quarter=2, created_by=scjg_user, filename="a.xlsx")
    job.file.save("a.xlsx", ContentFile(b"x"), save=True)
    client.force_login(scjg_user)

    page = client.get(reverse("indicators:import-detail", kwargs={"pk": job.pk}))

    assertContains(page, "<progress")
    assertContains(page, "indicators/js/import_progress.js")
    assertContains(page, "正在处理，页面会自动更新。")
