"""Issue 12 row 9 (docs/reliability.md, "Penetration-test findings, part A").

The 安全管理员 created an office account with a password it chose, logged in as it and bound its
own authenticator; it could also reset its own second factor. Now a password set by an
administrator must be changed at first login (before anything else, the second factor
included), the account gets no authenticator (its owner enrols one), nobody resets their own
second factor, and creating a privileged account is audited as such.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, Profile

pytestmark = pytest.mark.django_db

CHOSEN = "Zq8!vLw2#pR5"
NEW = "Ny3$kTq9@wXe"
LOGIN = reverse("login")
OVERVIEW = reverse("reports:overview")
PASSWORD_PAGE = reverse("password-change")


def _create_office(client, security_user, district):
    client.force_login(security_user)
    response = client.post(reverse("accounts:account-create"), {
        "username": "newoffice", "role": "领导小组办公室", "region": district.pk,
        "password": CHOSEN, "full_name": "新办公室", "email": "",
    })
    assert response.status_code == 302, response.content.decode()[:500]
    client.logout()
    return Profile.objects.get(user__username="newoffice").user


def test_an_account_created_by_the_security_admin_must_change_its_password_first(
    client, security_user, district
):
    account = _create_office(client, security_user, district)
    assert account.profile.must_change_password
    assert not TOTPDevice.objects.filter(user=account).exists()  # no usable device

    client.post(LOGIN, {"username": "newoffice", "password": CHOSEN})
    page = client.get(OVERVIEW)
    setup = client.get(reverse("otp-setup"))
    api = client.get("/api/v1/observations/?mine=1")

    assert page.status_code == 302
    assert page["Location"].startswith(PASSWORD_PAGE)
    assert setup["Location"].startswith(PASSWORD_PAGE)  # no binding an authenticator first
    assert api.status_code == 403
    assert api.json()["errors"][0]["code"] == "password_change_required"
    assert not TOTPDevice.objects.filter(user=account).exists()

    form = client.get(f"{PASSWORD_PAGE}?next={OVERVIEW}")
    assert "您的初始密码由管理员设置" in form.content.decode()
    changed = client.post(PASSWORD_PAGE, {
        "old_password": CHOSEN, "new_password1": NEW, "new_password2": NEW, "next": OVERVIEW,
    })

    assert changed["Location"] == OVERVIEW
    account.refresh_from_db()
    assert not account.profile.must_change_password
    assert account.check_password(NEW)
    onwards = client.get(OVERVIEW)  # now the owner binds the authenticator
    assert onwards["Location"].startswith(reverse("otp-setup"))
    assert AuditEvent.objects.filter(
        kind="user", username="newoffice", detail="newoffice修改了管理员设置的初始密码"
    ).exists()


def test_the_creation_of_a_privileged_account_is_audited_as_such(client, security_user, district):
    _create_office(client, security_user, district)

    event = AuditEvent.objects.get(kind="user", detail__startswith="创建用户newoffice")
    assert event.username == security_user.username
    assert "特权角色：领导小组办公室" in event.detail
    assert "须首次登录修改密码并自行绑定验证器" in event.detail
    assert CHOSEN not in event.detail


def test_nobody_resets_their_own_second_factor(client, security_user):
    TOTPDevice.objects.create(user=security_user, name="本人手机", confirmed=True)
    client.force_login(security_user)

    answer = client.post(
        reverse("accounts:account-action",
                kwargs={"pk": security_user.pk, "action": "reset-otp"}),
        {"reason": "想换手机"}, follow=True,
    )

    assert "不能重置自己的动态口令，请由另一位安全管理员操作。" in answer.content.decode()
    assert TOTPDevice.objects.filter(user=security_user).exists()
    assert AuditEvent.objects.filter(kind="denied", detail__contains="试图重置自己的动态口令")\
        .exists()


def test_a_user_changing_an_own_password_later_is_not_forced(client, scjg_user):
    client.force_login(scjg_user)

    assert client.get(OVERVIEW).status_code == 200
    assert "您的初始密码由管理员设置" not in client.get(PASSWORD_PAGE).content.decode()
