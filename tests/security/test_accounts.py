"""The 安全管理员's account pages (三权分立, docs/reliability.md AT-07 and AT-09): only that role
manages accounts; every action is audited with its reason; a locked account is unlocked
there, and only there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import roles
from accounts.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNTS = reverse("accounts:account-list")
CREATE = reverse("accounts:account-create")


def action(user, name: str) -> str:
    return reverse("accounts:account-action", kwargs={"pk": user.pk, "action": name})


def lock_out(client, username: str) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": username, "password": "wrong-Pass-1"})


def test_only_the_security_administrator_reaches_the_account_pages(
    client, security_user, sysadmin_user, office_user, auditor_user, scjg_user
):
    for user in (sysadmin_user, office_user, auditor_user, scjg_user):
        client.force_login(user)
        for url in (ACCOUNTS, CREATE, reverse("accounts:account-detail", args=[user.pk])):
            answer = client.get(url)
            assert answer.status_code == 403, (user.username, url)
        assert client.post(action(scjg_user, "deactivate"), {"reason": "x"}).status_code == 403
        assert "账号管理" not in client.get(reverse("reports:overview")).content.decode()

    client.force_login(security_user)
    page = client.get(ACCOUNTS)
    assert page.status_code == 200
    text = page.content.decode()
    assert "账号管理" in text
    for username in ("security", "sysadmin", "office", "auditor", "scjg"):
        assert username in text


def test_the_list_searches_filters_by_role_and_shows_who_is_locked(
    client, security_user, scjg_user, gxj_user, office_user
):
    lock_out(client, "gxj")
    client.force_login(security_user)

    found = client.get(ACCOUNTS, {"q": "scj"}).content.decode()
    assert "scjg" in found
    assert "gxj" not in found
    reporters = client.get(ACCOUNTS, {"role": roles.REPORTER}).content.decode()
    assert "scjg" in reporters
    assert "gxj" in reporters
    assert ">office<" not in reporters
    assert "已锁定" in client.get(ACCOUNTS, {"q": "gxj"}).content.decode()
    assert "已锁定" not in client.get(ACCOUNTS, {"q": "scjg"}).content.decode()
    assert "没有符合条件的账号" in client.get(ACCOUNTS, {"q": "nobody-here"}).content.decode()


def test_creating_an_account_gives_role_and_region_and_is_audited(
    client, security_user, district, scjg
):
    client.force_login(security_user)
    answer = client.post(CREATE, {
        "username": "zhang.san", "full_name": "张三", "role": roles.REPORTER,
        "region": district.pk, "department": scjg.pk, "password": "Bright-Path-2026",
    })

    user = get_user_model().objects.get(username="zhang.san")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("accounts:account-detail", args=[user.pk])
    assert user.groups.get().name == roles.REPORTER
    assert user.profile.department == scjg
    assert user.check_password("Bright-Path-2026")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.USER, detail__contains="zhang.san")
    assert event.username == "security"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"role": roles.REPORTER}, "部门", "部门填报员必须指定所属部门"),
    ({"password": "short"}, "初始密码", "密码不符合要求"),
    ({"username": "scjg"}, "用户名", "已存在"),
])
def test_a_bad_account_is_refused_naming_the_field_and_nothing_is_written(
    client, security_user, district, scjg_user, data, field, message
):
    client.force_login(security_user)
    before = get_user_model().objects.count()
    form = {"username": "li.si", "role": roles.LEADER, "region": district.pk,
            "password": "Bright-Path-2026", **data}

    answer = client.post(CREATE, form)

    text = answer.content.decode()
    assert answer.status_code == 200
    assert f"{field}：" in text
    assert message in text
    assert get_user_model().objects.count() == before


def test_a_locked_account_is_unlocked_by_the_security_administrator_with_a_reason(
    client, security_user, scjg_user
):
    lock_out(client, "scjg")
    assert client.post(reverse("login"), {"username": "scjg", "password": PASSWORD}
                       ).status_code == 429
    client.force_login(security_user)
    detail = reverse("accounts:account-detail", args=[scjg_user.pk])
    assert "已锁定" in client.get(detail).content.decode()

    refused = client.post(action(scjg_user, "unlock"), {"reason": ""}, follow=True)
    assert "原因：请填写原因" in refused.content.decode()
    unlocked = client.post(action(scjg_user, "unlock"), {"reason": "本人电话确认"}, follow=True)
    assert "已解锁账号" in unlocked.content.decode()

    client.logout()
    assert client.post(reverse("login"), {"username": "scjg", "password": PASSWORD}
                       ).status_code == 302
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.USER, detail__startswith="解锁账号scjg")
    assert "本人电话确认" in event.detail
    assert event.username == "security"


def test_a_deactivated_account_cannot_sign_in_and_the_administrator_cannot_stop_itself(
    client, security_user, scjg_user
):
    client.force_login(security_user)
    client.post(action(scjg_user, "deactivate"), {"reason": "调离岗位"})
    own = client.post(action(security_user, "deactivate"), {"reason": "误操作"}, follow=True)

    assert "不能停用自己的账号" in own.content.decode()
    security_user.refresh_from_db()
    scjg_user.refresh_from_db()
    assert security_user.is_active
    assert not scjg_user.is_active
    client.logout()
    answer = client.post(reverse("login"), {"username": "scjg", "password": PASSWORD})
    assert answer.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(detail="停用账号scjg：调离岗位").exists()


def test_resetting_the_second_factor_removes_the_authenticator_and_is_audited(
    client, security_user, office_user
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(security_user)
    detail = reverse("accounts:account-detail", args=[office_user.pk])
    assert "重置动态口令" not in client.get(detail).content.decode()  # nothing to reset yet
    TOTPDevice.objects.create(user=office_user, name="旧手机", confirmed=True)
    assert "重置动态口令" in client.get(detail).content.decode()

    answer = client.post(action(office_user, "reset-otp"), {"reason": "手机遗失"}, follow=True)

    assert "已重置动态口令" in answer.content.decode()
    assert not TOTPDevice.objects.filter(user=office_user).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.USER, detail__startswith="重置账号office")
    assert "手机遗失" in event.detail
    client.logout()
    client.post(reverse("login"), {"username": "office", "password": PASSWORD})
    nudged = client.get(reverse("reports:overview"))
    assert nudged.status_code == 302  # the office's next login: enrol a new authenticator
    assert nudged["Location"].startswith(reverse("otp-setup"))
