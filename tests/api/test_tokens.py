"""API tokens: shown once, stored hashed, revocable, throttled per token, managed by the office."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import ApiToken
from accounts.services.tokens import token_create
from tests.factories import auth

pytestmark = pytest.mark.django_db


def test_key_is_shown_once_and_stored_only_as_a_digest(office_user):
    token, key = token_create(by=office_user, name="数据开放平台", kind="portal")

    assert key.startswith(f"qt_{token.prefix}_")
    assert len(key) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in str(stored)


def test_portal_token_reads_and_records_its_last_use(api, portal_key, scjg_target):
    response = api.get("/api/v1/targets/", **auth(portal_key))

    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_or_made_up_token_is_refused_with_401(api, office_user, portal_key):
    from accounts.services.tokens import token_revoke

    token_revoke(token=ApiToken.objects.get(), by=office_user)

    revoked = api.get("/api/v1/targets/", **auth(portal_key))
    made_up = api.get("/api/v1/targets/", **auth("qt_deadbeef_nothing"))

    assert revoked.status_code == 401
    assert revoked.json()["errors"][0]["message"] == "API 令牌无效或已吊销。"
    assert made_up.status_code == 401


def test_each_token_has_its_own_throttle_bucket(api, office_user, scjg_target):
    _slow, slow_key = token_create(by=office_user, name="慢", kind="portal", throttle_rate="2/min")
    _other, other_key = token_create(by=office_user, name="另一个", kind="portal")

    statuses = [api.get("/api/v1/targets/", **auth(slow_key)).status_code for _ in range(3)]
    throttled = api.get("/api/v1/targets/", **auth(slow_key))

    assert statuses == [200, 200, 429]
    assert throttled.json()["errors"][0]["code"] == "throttled"
    assert throttled.json()["errors"][0]["message"].startswith("请求过于频繁")
    assert "Retry-After" in throttled
    assert api.get("/api/v1/targets/", **auth(other_key)).status_code == 200


def test_only_the_office_manages_tokens(client, scjg_user, leader_user):
    for user in (scjg_user, leader_user):
        client.force_login(user)
        assert client.get(reverse("accounts:token-list")).status_code == 403


def test_office_creates_a_department_token_and_sees_the_key_once(client, office_user, scjg):
    client.force_login(office_user)

    created = client.post(reverse("accounts:token-list"), {
        "name": "市场监管局业务系统", "kind": "department", "department": scjg.pk,
    })
    listed = client.get(reverse("accounts:token-list"))

    token = ApiToken.objects.get()
    assertContains(created, "只显示这一次")
    assertContains(created, f"qt_{token.prefix}_")
    assert created["Cache-Control"] == "no-store"
    assertContains(listed, "市场监管局业务系统")
    assertContains(listed, "从未使用")
    assertNotContains(listed, token.key_hash)
    assert token.user.profile.department == scjg


def test_department_token_needs_a_department(client, office_user):
    client.force_login(office_user)

    response = client.post(reverse("accounts:token-list"), {"name": "x", "kind": "department"})

    assertContains(response, "部门令牌须指定部门")
    assert not ApiToken.objects.exists()


def test_office_revokes_a_token_and_it_stops_working(api, client, office_user, scjg_key):
    client.force_login(office_user)
    token = ApiToken.objects.get()

    response = client.post(reverse("accounts:token-revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.user.is_active
    assert api.get("/api/v1/observations/?mine=1", **auth(scjg_key)).status_code == 401


def test_management_command_creates_lists_and_revokes(scjg):
    out = StringIO()
    call_command("api_token", "create", "--name", "门户", "--kind", "portal", stdout=out)
    call_command("api_token", "create", "--name", "监管局", "--kind", "department",
                 "--department", "320707:区市场监管局", stdout=out)
    portal = ApiToken.objects.get(name="门户")

    call_command("api_token", "revoke", portal.prefix, stdout=out)
    call_command("api_token", "list", stdout=out)

    text = out.getvalue()
    assert f"qt_{portal.prefix}_" in text
    assert "已吊销" in text
    portal.refresh_from_db()
    assert portal.revoked_at is not None
    assert ApiToken.objects.get(name="监管局").department == scjg


def test_admin_lists_tokens_and_tombstones_without_keys(admin_client, portal_key):
    response = admin_client.get("/admin/accounts/apitoken/")

    assert response.status_code == 200
    assertNotContains(response, portal_key)
    assert admin_client.get("/admin/feed/tombstone/").status_code == 200
