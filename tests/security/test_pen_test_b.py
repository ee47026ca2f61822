"""Penetration-test findings, part B, row 13 (issue 12): account names, out-of-range periods
and the session key after the second factor. See docs/reliability.md."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from tests.factories import PASSWORD
from tests.otp import code

pytestmark = pytest.mark.django_db
CREATE = reverse("accounts:account-create")
NOON = datetime.datetime(2025, 7, 10, 12, 0, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("username", ["<script>alert(1)</script>", "=cmd|x", "a b", "x;y"])
def test_a_username_outside_djangos_rule_is_refused_naming_the_field(
    client, security_user, district, username
):
    client.force_login(security_user)

    answer = client.post(CREATE, {"username": username, "role": roles.LEADER,
                                  "region": district.pk, "password": "Bright-Path-2026"})

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "只能包含字母、数字和 @ . + - _ 字符" in text
    assert not get_user_model().objects.filter(username=username).exists()


def test_a_chinese_username_is_still_fine(client, security_user, district):
    client.force_login(security_user)

    answer = client.post(CREATE, {"username": "张三", "role": roles.LEADER,
                                  "region": district.pk, "password": "Bright-Path-2026"})

    assert answer.status_code == 302
    assert get_user_model().objects.filter(username="张三").exists()


@pytest.mark.parametrize("period", ["9999", "9999Q4", "0001", "1000Q1"])
def test_a_period_beyond_any_plan_is_not_found(client, scjg_user, period):
    client.force_login(scjg_user)

    assert client.get(reverse("indicators:entry", kwargs={"period": period})).status_code == 404
    template = reverse("indicators:excel-template", kwargs={"period": period})
    assert client.get(template).status_code == 404


def test_the_session_key_changes_when_the_second_factor_passes(time_machine, office_user):
    time_machine.move_to(NOON, tick=False)
    client = Client()
    device = TOTPDevice.objects.create(user=office_user, name="验证器", confirmed=True)
    answer = client.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert answer.status_code == 302
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    verified = client.post(reverse("otp-verify"), {"otp_token": code(device)})

    assert verified.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get(reverse("indicators:approvals")).status_code == 302  # to the login
    assert client.get(reverse("indicators:approvals")).status_code == 200


def test_the_session_key_changes_when_an_authenticator_is_enrolled(time_machine, office_user):
    time_machine.move_to(NOON, tick=False)
    client = Client()
    client.post(reverse("login"), {"username": "office", "password": PASSWORD})
    client.get(reverse("otp-setup"))
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    device = TOTPDevice.objects.get(user=office_user)

    assert client.post(reverse("otp-setup"), {"otp_token": code(device)}).status_code == 302

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
