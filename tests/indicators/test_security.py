"""MLPS 2.0 level 3 spirit: lock-out, idle sessions, audit of logins and 403s, CSRF."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_account_for_thirty_minutes(client, scjg_user, time_machine):
    """docs/reliability.md AT-07: the 5th failure within 15 min locks for 30 min."""
    for _ in range(4):
        assert login(client, "scjg", "wrong-Pass-1").status_code == 200
    locked = login(client, "scjg", "wrong-Pass-1")

    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()
    refused = login(client, "scjg", PASSWORD)  # the right password, while locked
    assert refused.status_code == 429
    assert not logged_in(client)

    time_machine.shift(datetime.timedelta(minutes=15, seconds=1))
    assert login(client, "scjg", PASSWORD).status_code == 429
    time_machine.shift(datetime.timedelta(minutes=30, seconds=1))
    assert login(client, "scjg", PASSWORD).status_code == 302
    assert logged_in(client)


def test_trying_again_while_locked_restarts_the_thirty_minutes(client, scjg_user, time_machine):
    """django-axes' default (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT): guessing on
    during the lock keeps the account locked."""
    for _ in range(5):
        login(client, "scjg", "wrong-Pass-1")
    time_machine.shift(datetime.timedelta(minutes=10))
    assert login(client, "scjg", PASSWORD).status_code == 429

    time_machine.shift(datetime.timedelta(minutes=25))
    assert login(client, "scjg", PASSWORD).status_code == 429
    time_machine.shift(datetime.timedelta(minutes=31))
    assert login(client, "scjg", PASSWORD).status_code == 302


def test_logins_failures_and_lock_outs_are_audited(client, scjg_user):
    login(client, "scjg", PASSWORD)
    other = Client()
    for _ in range(5):
        login(other, "gxj-nobody", "wrong-Pass-1")

    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", "username"))

    assert kinds[0] == ("login", "scjg")
    assert kinds.count(("login_failed", "gxj-nobody")) == 5
    assert ("locked_out", "gxj-nobody") in kinds
    assert AuditEvent.objects.filter(kind="login").get().ip_address == "127.0.0.1"


def test_a_session_expires_after_thirty_idle_minutes(client, scjg_user, rate, time_machine):
    assert login(client, "scjg", PASSWORD).status_code == 302
    due = reverse("indicators:due")

    time_machine.shift(datetime.timedelta(minutes=29))
    assert client.get(due).status_code == 200  # activity pushes the expiry forward
    time_machine.shift(datetime.timedelta(minutes=29))
    assert client.get(due).status_code == 200

    time_machine.shift(datetime.timedelta(minutes=31))
    response = client.get(due)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_session_ends_twelve_hours_after_login_however_busy(client, scjg_user, time_machine):
    assert login(client, "scjg", PASSWORD).status_code == 302
    due = reverse("indicators:due")
    for _ in range(35):  # a request every 20 minutes: never idle, 11 h 40 min in all
        time_machine.shift(datetime.timedelta(minutes=20))
        assert client.get(due).status_code == 200

    time_machine.shift(datetime.timedelta(minutes=21))
    response = client.get(due)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not logged_in(client)


def test_signing_in_again_starts_the_twelve_hours_afresh(client, scjg_user, time_machine):
    assert login(client, "scjg", PASSWORD).status_code == 302
    due = reverse("indicators:due")
    for step in range(45):  # 15 h of work, a request every 20 minutes
        time_machine.shift(datetime.timedelta(minutes=20))
        if step == 20:  # 7 h in: the password again, in the same session
            assert login(client, "scjg", PASSWORD).status_code == 302
        assert client.get(due).status_code == 200, step


def test_the_idle_expiry_is_pushed_forward_at_most_once_a_minute(client, scjg_user, time_machine):
    """Not a write per request (three database round trips each): at most one a minute."""
    from django.contrib.sessions.models import Session

    assert login(client, "scjg", PASSWORD).status_code == 302
    due = reverse("indicators:due")
    client.get(due)
    key = client.session.session_key
    expiry = Session.objects.get(pk=key).expire_date

    time_machine.shift(datetime.timedelta(seconds=30))
    client.get(due)
    assert Session.objects.get(pk=key).expire_date == expiry
    time_machine.shift(datetime.timedelta(seconds=31))
    client.get(due)
    assert Session.objects.get(pk=key).expire_date > expiry


def test_a_403_is_audited_with_user_and_path(client, scjg_user):
    client.force_login(scjg_user)

    client.get(reverse("indicators:approvals"))

    event = AuditEvent.objects.get(kind="denied")
    assert (event.username, event.path) == ("scjg", reverse("indicators:approvals"))
    assert "领导小组办公室" in event.detail


def test_posts_without_a_csrf_token_are_refused_and_audited(scjg_user, rate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(scjg_user)

    response = client.post(
        reverse("indicators:entry", kwargs={"period": "2025Q2"}),
        {f"value_{rate.pk}": "95", "save": "1"},
    )

    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind="denied", username="scjg").exists()


def test_the_audit_log_is_append_only(client, scjg_user):
    login(client, "scjg", PASSWORD)
    event = AuditEvent.objects.get()

    with pytest.raises(ValueError, match="只能追加"):
        event.save()
    with pytest.raises(ValueError, match="只能追加"):
        event.delete()
