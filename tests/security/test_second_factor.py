"""The second login factor (MLPS 2.0 level 3): office, admin, security-admin and auditor
accounts, and superusers, give a TOTP code after their password; reporters and leaders do not.

These tests log in through the real forms (the suite's ``force_login`` marks sessions verified,
see tests/conftest.py) with the clock frozen, computing codes as an authenticator app would.
"""

from __future__ import annotations

import base64
import datetime
import io
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains

from accounts import roles
from accounts.models import AuditEvent
from accounts.second_factor import demo_key
from accounts.services.tokens import token_create
from tests.factories import PASSWORD, UserFactory
from tests.otp import code, device_for

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
VERIFY = reverse("otp-verify")
SETUP = reverse("otp-setup")
OVERVIEW = reverse("reports:overview")
NOON = datetime.datetime(2025, 7, 10, 12, 0, 0, tzinfo=datetime.UTC)
WRONG_CODE = "动态口令：口令不正确或已过期，请输入验证器上当前显示的6位数字。"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine


def password_login(client: Client, username: str, next_url: str = OVERVIEW):
    """The password step, then the page it leads to (followed)."""
    answer = client.post(LOGIN, {"username": username, "password": PASSWORD, "next": next_url})
    assert answer.status_code == 302, f"password of {username} refused"
    return client.get(answer["Location"], follow=True)


def final_path(response) -> str:
    """Where a followed response ended: the last redirect's target, query included."""
    assert response.redirect_chain, "no redirect"
    return response.redirect_chain[-1][0]


def wrong(device: TOTPDevice) -> str:
    """A code that matches none of the steps the device accepts now."""
    accepted = {code(device, time.time() + 30 * k) for k in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def enrol(client: Client, username: str) -> TOTPDevice:
    password_login(client, username)
    device = TOTPDevice.objects.get(user__username=username)
    assert client.post(SETUP + f"?next={OVERVIEW}", {"otp_token": code(device)}).status_code == 302
    device.refresh_from_db()
    return device


def audit(kind: str, username: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(kind=kind, username=username).order_by("pk")
        .values_list("detail", flat=True)
    )


# --- Enrolment -------------------------------------------------------------------------------


def test_an_office_user_without_a_device_is_sent_to_enrolment_after_the_password(
    client, office_user, clock
):
    page = password_login(client, "office")

    assert final_path(page) == f"{SETUP}?next=%2Fdashboard%2F"
    assertContains(page, "绑定身份验证器")
    assertContains(page, "<svg")  # the QR code, inline: nothing fetched, no script
    device = TOTPDevice.objects.get(user=office_user)
    assert not device.confirmed
    secret = page.context["secret"].replace(" ", "")
    assertContains(page, page.context["secret"])
    assert bytes.fromhex(device.key) == base64.b32decode(secret)
    assert "no-store" in page["Cache-Control"]


def test_the_qr_code_needs_no_inline_script_or_style_under_the_csp(client, office_user, clock):
    page = password_login(client, "office")

    body = page.content.decode()
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert "style=" not in body
    assert "<script>" not in body
    assert "http" not in body[body.index("<svg"):body.index("</svg>")]  # nothing fetched


def test_a_wrong_code_at_enrolment_is_refused_in_chinese_and_confirms_nothing(
    client, office_user, clock
):
    password_login(client, "office")
    device = TOTPDevice.objects.get(user=office_user)

    answer = client.post(SETUP, {"otp_token": wrong(device)})

    assert answer.status_code == 200
    assertContains(answer, WRONG_CODE)
    assert not TOTPDevice.objects.filter(user=office_user, confirmed=True).exists()
    assert audit("login_failed", "office") == ["绑定动态口令验证器：口令错误或尝试过于频繁"]
    assert client.get(OVERVIEW)["Location"].startswith(SETUP)


def test_a_code_that_is_not_six_digits_names_the_field(client, office_user, clock):
    password_login(client, "office")

    answer = client.post(SETUP, {"otp_token": "12ab"})

    assertContains(answer, "动态口令：应为6位数字，请输入验证器上显示的口令。")
    assert not audit("login_failed", "office")  # a typo of shape costs no try


def test_the_right_code_confirms_the_device_and_opens_the_page_asked_for(
    client, office_user, clock
):
    password_login(client, "office", next_url=reverse("indicators:approvals"))
    device = TOTPDevice.objects.get(user=office_user)

    answer = client.post(
        f"{SETUP}?next={reverse('indicators:approvals')}", {"otp_token": code(device)}, follow=True
    )

    assert final_path(answer) == reverse("indicators:approvals")
    assertContains(answer, "身份验证器已绑定")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(OVERVIEW).status_code == 200
    assert audit("user", "office") == ["office绑定动态口令验证器并验证通过"]


def test_a_user_with_a_device_cannot_enrol_another_one(client, office_user, clock):
    enrol(client, "office")
    client.post(reverse("logout"))
    clock.shift(datetime.timedelta(seconds=60))
    password_login(client, "office")

    answer = client.get(SETUP)

    assert answer["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=office_user).count() == 1


# --- Later logins ---------------------------------------------------------------------------


def test_a_later_login_asks_for_the_code_and_keeps_next(client, office_user, clock):
    device = enrol(client, "office")
    client.post(reverse("logout"))
    clock.shift(datetime.timedelta(seconds=60))

    page = password_login(client, "office", next_url=reverse("indicators:approvals"))

    assert final_path(page) == f"{VERIFY}?next=%2Fentry%2Fapprovals%2F"
    assertContains(page, "动态口令验证")
    answer = client.post(final_path(page), {"otp_token": code(device)})
    assert answer["Location"] == reverse("indicators:approvals")
    assert client.get(reverse("indicators:approvals")).status_code == 200
    assert audit("login", "office")[-1] == "动态口令验证通过"


def test_a_wrong_code_is_refused_audited_and_slows_the_next_try(client, office_user, clock):
    device = enrol(client, "office")
    client.post(reverse("logout"))
    clock.shift(datetime.timedelta(seconds=60))
    password_login(client, "office")

    refused = client.post(VERIFY, {"otp_token": wrong(TOTPDevice.objects.get(pk=device.pk))})
    too_soon = client.post(VERIFY, {"otp_token": code(device)})  # right, but within 1 s

    assertContains(refused, WRONG_CODE)
    assertContains(too_soon, "动态口令：尝试过于频繁，请1秒后再试。")
    assert client.get(OVERVIEW).status_code == 302
    assert audit("login_failed", "office") == ["动态口令错误", "动态口令尝试过于频繁，已拒绝"]
    clock.shift(datetime.timedelta(seconds=2))
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    assert client.get(OVERVIEW).status_code == 200


def test_a_code_is_accepted_only_once(client, office_user, clock):
    device = enrol(client, "office")  # the code of this 30 s step is used
    other = Client()
    password_login(other, "office")

    answer = other.post(VERIFY, {"otp_token": code(device)})

    assertContains(answer, WRONG_CODE)


def test_logging_out_and_in_again_asks_for_the_code_again(client, office_user, clock):
    device = enrol(client, "office")
    assert client.get(OVERVIEW).status_code == 200

    client.post(reverse("logout"))
    clock.shift(datetime.timedelta(seconds=60))
    page = password_login(client, "office")

    assert final_path(page).startswith(VERIFY)
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.ADMIN, roles.SECURITY])
def test_auditor_and_both_administrators_need_the_second_factor(client, district, role, clock):
    UserFactory.with_role("staff", role, district)

    page = password_login(client, "staff")

    assert final_path(page).startswith(SETUP)


def test_a_superuser_needs_the_second_factor(client, clock):
    UserFactory(username="root", is_superuser=True, is_staff=True).save()

    page = password_login(client, "root", next_url="/admin/")

    assert final_path(page) == f"{SETUP}?next=%2Fadmin%2F"


@pytest.mark.parametrize("username", ["leader", "scjg"])
def test_reporters_and_leaders_are_not_asked_for_a_second_factor(
    client, leader_user, scjg_user, username, clock
):
    page = password_login(client, username, next_url=reverse("indicators:due"))

    assert page.redirect_chain == []  # the page asked for, straight after the password
    assert page.status_code == 200
    assert page.request["PATH_INFO"] == reverse("indicators:due")
    assert client.get(VERIFY)["Location"] == reverse("reports:home")
    assert not TOTPDevice.objects.exists()


def test_an_unverified_session_may_log_out_and_switch_language(client, office_user, clock):
    password_login(client, "office")

    assert client.post(reverse("set_language"), {"language": "en", "next": SETUP}
                       )["Location"] == SETUP
    assert client.post(reverse("logout"))["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_next_never_leaves_the_site(client, office_user, clock):
    password_login(client, "office")
    device = TOTPDevice.objects.get(user=office_user)

    answer = client.post(f"{SETUP}?next=https://evil.example/", {"otp_token": code(device)})

    assert answer["Location"] == reverse("reports:home")


# --- API ---------------------------------------------------------------------------------------


def test_an_unverified_session_gets_403_json_from_the_api_but_a_token_still_works(
    client, office_user, clock
):
    enrol(Client(), "office")
    clock.shift(datetime.timedelta(seconds=60))
    password_login(client, "office")  # password only
    _token, key = token_create(by=office_user, name="门户", kind="portal")

    refused = client.get("/api/v1/targets/")
    with_token_too = client.get("/api/v1/targets/", HTTP_AUTHORIZATION=f"Token {key}")
    by_token = Client().get("/api/v1/targets/", HTTP_AUTHORIZATION=f"Token {key}")

    assert refused.status_code == 403
    assert refused.json() == {"errors": [{
        "field": None, "code": "second_factor_required",
        "message": "需要先完成动态口令验证：请在浏览器登录后输入身份验证器上的6位数字；"
                   "程序访问请使用 API 令牌。",
    }]}
    assert with_token_too.status_code == 403  # DRF would let the session win over the token
    assert by_token.status_code == 200
    assert AuditEvent.objects.filter(kind="denied", username="office",
                                     path="/api/v1/targets/").count() == 2


def test_api_pages_for_people_redirect_to_the_second_factor(client, office_user, clock):
    password_login(client, "office")

    assert client.get(reverse("accounts:token-list"))["Location"].startswith(SETUP)


def test_a_verified_session_uses_the_api(client, office_user, clock):
    enrol(client, "office")

    assert client.get("/api/v1/targets/").status_code == 200


# --- Language ----------------------------------------------------------------------------------


def test_the_verify_and_setup_pages_are_in_chinese(client, office_user, auditor_user, clock):
    setup = password_login(client, "office")
    device_for(auditor_user)
    verify = password_login(Client(), "auditor")

    for page, title in ((setup, "绑定身份验证器"), (verify, "动态口令验证")):
        assert page.status_code == 200
        assertContains(page, '<html lang="zh-hans">')
        assertContains(page, f"<h1>{title}</h1>", html=False)
        assertContains(page, "动态口令")
        assertContains(page, "身份验证器")


# --- Demo accounts and the operator's command ------------------------------------------------


def test_demo_accounts_get_a_fixed_demo_secret_and_totp_now_prints_its_code(
    district, clock
):
    out = io.StringIO()

    call_command("create_demo_users", stdout=out)
    call_command("create_demo_users", stdout=io.StringIO())  # idempotent: resets, no duplicate

    device = TOTPDevice.objects.get(user__username="office", confirmed=True)
    assert device.key == demo_key("office")
    assert TOTPDevice.objects.filter(user__username__in=["leader", "reporter"]).count() == 0
    assert set(TOTPDevice.objects.values_list("user__username", flat=True)) == {
        "office", "auditor", "security", "sysadmin"}
    printed = out.getvalue()
    assert "otpauth://totp/" in printed
    assert "DEMO" in printed
    assert "totp_now" in printed
    now = io.StringIO()
    call_command("totp_now", "office", stdout=now, stderr=io.StringIO())
    assert now.getvalue().strip() == code(device)
