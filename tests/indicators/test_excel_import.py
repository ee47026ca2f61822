"""Excel round trip: download the pre-filled template, fill it in, upload it back."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from indicators.models import ImportJob, Observation
from tests.factories import ObservationFactory, download, fill, upload, uploaded_file

pytestmark = pytest.mark.django_db
TEMPLATE = reverse("indicators:excel-template", kwargs={"period": "2025Q2"})
UPLOAD = reverse("indicators:excel-upload", kwargs={"period": "2025Q2"})


def test_template_is_prefilled_with_the_departments_due_indicators(
    client, scjg_user, district, rate, count, gxj_rate
):
    ObservationFactory(indicator=rate, region=district, year=2025, quarter=1, value=95.1)
    client.force_login(scjg_user)

    sheet = download(client)["填报数据"]

    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"product_pass_rate", "pinzibiao_new"}
    headers = [cell.value for cell in sheet[1]]
    line = dict(zip(headers, rows["product_pass_rate"], strict=True))
    assert (line["单位"], line["目标"], line["允许范围"], line["报告期"]) == (
        "%",
        "≥96%",
        "0至100",
        "2025年第2季度",
    )
    assert line["上期数值"] == "95.1（2025年第1季度）"


def test_a_file_with_three_bad_rows_is_refused_whole_with_three_messages(
    client, scjg_user, rate, count, milestone, django_capture_on_commit_callbacks
):
    client.force_login(scjg_user)
    book = download(client)
    fill(book, {"product_pass_rate": "abc", "pinzibiao_new": -3})
    content = fill(book, {"quality_center": "快完成了"}, column="进展状态")

    page = upload(client, content, django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED
    assert len(job.errors) == 3
    assertContains(page, "文件未通过校验，未导入任何数据。共 3 个问题")
    assertContains(page, "第3行“本期数值”：“abc”不是有效数字")
    assertContains(page, "“本期数值”：指标“新增品字标企业数”是计数，不能为负数")
    assertContains(page, "“进展状态”：指标“国家级质检中心建设”的进展状态“快完成了”不在可选范围")
    assert not Observation.objects.exists()


def test_a_valid_file_lands_whole(
    client, scjg_user, rate, count, milestone, django_capture_on_commit_callbacks
):
    client.force_login(scjg_user)
    book = download(client)
    fill(book, {"product_pass_rate": 95.5, "pinzibiao_new": 2})
    content = fill(book, {"quality_center": "推进中"}, column="进展状态")

    page = upload(client, content, django_capture_on_commit_callbacks, submit="on")

    assertContains(page, "已导入 3 条数据。")
    assert Observation.objects.filter(status="submitted").count() == 3
    assert set(Observation.objects.values_list("changes__action", flat=True)) == {
        "import",
        "submit",
    }
    status = client.get(
        reverse("indicators:import-status", kwargs={"pk": ImportJob.objects.get().pk})
    )
    assert status.json() == {
        "state": "done",
        "state_label": "已导入",
        "progress": 100,
        "finished": True,
        "written": 3,
        "errors": [],
    }


def test_uploading_the_same_file_again_after_approval_changes_nothing(
    client, scjg_user, office_user, rate, django_capture_on_commit_callbacks
):
    client.force_login(scjg_user)
    content = fill(download(client), {"product_pass_rate": 95.5})
    upload(client, content, django_capture_on_commit_callbacks, submit="on")
    from indicators.services import observation_approve

    observation_approve(observation=Observation.objects.get(), by=office_user)

    page = upload(client, content, django_capture_on_commit_callbacks)

    assertContains(page, "文件中没有填写任何")
    assert Observation.objects.get().status == "approved"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "上传的文件是空的"),
        (b"a,b\n1,2\n", "不是Excel（.xlsx）文件"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    client, scjg_user, rate, content, message, django_capture_on_commit_callbacks
):
    client.force_login(scjg_user)

    if not content:  # Django refuses an empty upload in the form itself
        response = client.post(UPLOAD, {"file": uploaded_file(content, "x.xlsx")})
        assertContains(response, "提交的是空文件。")
        return
    page = upload(client, content, django_capture_on_commit_callbacks, name="x.csv")
    assertContains(page, message)


def test_a_file_of_another_period_is_refused(
    client, scjg_user, rate, django_capture_on_commit_callbacks
):
    client.force_login(scjg_user)
    content = fill(download(client), {"product_pass_rate": 95.5})
    other = reverse("indicators:excel-upload", kwargs={"period": "2025Q1"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(other, {"file": uploaded_file(content, "a.xlsx")})

    assertContains(
        client.get(response["Location"]), "报告期2025年第2季度与本次上传的报告期2025年第1季度不一致"
    )


def test_indicator_codes_of_other_departments_are_refused(
    client, scjg_user, rate, gxj_rate, django_capture_on_commit_callbacks
):
    client.force_login(scjg_user)
    book = download(client)
    book["填报数据"].append(["industry_quality", "", "", "", "", "", "2025年第2季度", 88])
    buffer = io.BytesIO()
    book.save(buffer)

    page = upload(client, buffer.getvalue(), django_capture_on_commit_callbacks)

    assertContains(page, "“industry_quality”不是本部门牵头的指标代码")
    assert not Observation.objects.exists()


def test_only_the_uploader_sees_the_job(
    client, scjg_user, gxj_user, rate, django_capture_on_commit_callbacks
):
    client.force_login(scjg_user)
    upload(
        client,
        fill(download(client), {"product_pass_rate": 95.5}),
        django_capture_on_commit_callbacks,
    )
    client.force_login(gxj_user)

    pk = ImportJob.objects.get().pk
    assert client.get(reverse("indicators:import-status", kwargs={"pk": pk})).status_code == 403
