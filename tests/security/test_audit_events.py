"""Issue 12 row 7 (docs/reliability.md, "Penetration-test findings, part A"): audit gaps.

Token creation and revocation, report generation and download, and cross-scope attempts that
are answered 404 (so as not to reveal that the object exists) each leave an AuditEvent.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import ApiToken, AuditEvent
from accounts.services.tokens import token_create
from tests.factories import (
    IndicatorFactory,
    ObservationFactory,
    PlanFactory,
    ReportRunFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("seq")
                .values_list("username", "detail"))


def test_token_creation_and_revocation_are_audited_and_the_key_is_not(client, office_user, scjg):
    client.force_login(office_user)
    page = client.post(reverse("accounts:token-list"), {
        "name": "市场监管局业务系统", "kind": "department", "department": scjg.pk,
    })
    token = ApiToken.objects.get()
    client.post(reverse("accounts:token-revoke", kwargs={"pk": token.pk}))

    (created, revoked) = events("token")
    assert created[0] == "office"
    assert f"创建API令牌市场监管局业务系统（{token.prefix}" in created[1]
    assert "责任人：office" in created[1]
    assert revoked == ("office", f"吊销API令牌市场监管局业务系统（{token.prefix}）")
    key = page.content.decode().split("qt_", 1)[1].split("<", 1)[0]
    assert not AuditEvent.objects.filter(detail__contains=key[-20:]).exists()


def test_the_command_line_token_is_audited_too(db, scjg):
    token_create(by=None, name="门户", kind="portal")

    assert events("token") == [("manage.py", "创建API令牌门户（" + ApiToken.objects.get().prefix
                                + "，门户（只读），责任人：—）")]


def test_report_request_and_download_are_audited(client, office_user, district):
    client.force_login(office_user)

    client.post(reverse("reports:report-create"),
                {"quarter": "2025Q4", "scope": "region", "region": district.pk})
    run = ReportRunFactory(scope="region", region=district, requested_by=office_user,
                           state="done")
    run.file.save("report.pdf", ContentFile(b"%PDF-1.4 test"))
    download = client.get(reverse("reports:report-download", args=[run.pk]))

    assert download.status_code == 200
    (requested, downloaded) = events("report")
    assert requested[0] == "office"
    assert requested[1].startswith("申请生成报告：")
    assert downloaded == ("office", f"下载报告：{run}（编号{run.pk}）")


def test_cross_scope_pages_answered_404_are_audited(client, office_user, other_city):
    elsewhere = ReportRunFactory(scope="region", region=other_city, state="done")
    plan = PlanFactory(code="other-2025", region=other_city)
    target = TargetFactory(plan=plan, code="T001", indicator=IndicatorFactory())
    client.force_login(office_user)

    answers = [
        client.get(reverse("reports:report-download", args=[elsewhere.pk])).status_code,
        client.get(reverse("reports:report-status", args=[elsewhere.pk])).status_code,
        client.get(reverse("reports:target-detail", kwargs={"pk": target.pk})).status_code,
        client.get(reverse("reports:plan-detail", kwargs={"code": plan.code})).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    denied = [detail for _user, detail in events("denied")]
    assert len(denied) == 4
    assert all("不在权限范围内，已答复404" in detail for detail in denied)
    assert events("denied")[0][0] == "office"


def test_a_missing_object_is_a_plain_404_without_an_audit_event(client, office_user):
    client.force_login(office_user)

    assert client.get(reverse("reports:report-download", args=[999999])).status_code == 404
    assert events("denied") == []


def test_the_api_audits_a_figure_of_another_department_answered_404(api_client, gxj, scjg,
                                                                     office_user, district):
    key = token_create(by=office_user, name="工信局", kind="department", department=gxj)[1]
    other = ObservationFactory(indicator=IndicatorFactory(), region=district, department=scjg,
                               status="draft")

    response = api_client.patch(f"/api/v1/observations/{other.pk}/", {"value": 1},
                                format="json", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 404
    ((username, detail),) = events("denied")
    assert username.startswith("api-token-")
    assert f"填报数据（pk={other.pk}）不在权限范围内" in detail


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def test_creating_a_privileged_account_is_audited_as_such(client, security_user, district):
    UserFactory  # noqa: B018  (the account is created through the page below)
    client.force_login(security_user)

    client.post(reverse("accounts:account-create"), {
        "username": "newoffice", "role": "领导小组办公室", "region": district.pk,
        "password": "Zq8!vLw2#pR5", "password2": "Zq8!vLw2#pR5", "full_name": "新办公室",
        "email": "",
    })

    (detail,) = [d for _u, d in events("user") if "newoffice" in d]
    assert "特权角色" in detail
