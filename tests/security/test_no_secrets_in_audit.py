"""No password or token string in any audit row or log line (docs/reliability.md AT-10)."""

from __future__ import annotations

import logging

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from accounts.services.tokens import token_create

pytestmark = pytest.mark.django_db
SECRET_PASSWORD = "Wr0ng-but-S3cret-pw!"


def audit_text() -> str:
    return "\n".join(str(model_to_dict(e)) for e in AuditEvent.objects.all())


def test_a_failed_login_records_who_and_from_where_but_never_the_password(
    client, scjg_user, caplog
):
    caplog.set_level(logging.DEBUG)
    for username in ("scjg", "nobody-such"):
        for _ in range(5):  # up to the lock-out
            client.post(reverse("login"), {"username": username, "password": SECRET_PASSWORD})

    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"login_failed", "locked_out"} <= kinds
    assert AuditEvent.objects.filter(kind="login_failed", username="scjg").exists()
    assert SECRET_PASSWORD not in audit_text()
    assert SECRET_PASSWORD not in caplog.text


def test_api_tokens_never_reach_the_audit_log(office_user, caplog):
    caplog.set_level(logging.DEBUG)
    _row, portal_key = token_create(by=office_user, name="门户", kind="portal")
    api = APIClient()

    refused = api.post("/api/v1/observations/", {"indicator": "x", "year": 2024, "value": 1},
                       format="json", HTTP_AUTHORIZATION=f"Token {portal_key}")
    made_up = api.get("/api/v1/targets/", HTTP_AUTHORIZATION="Token qt_deadbeef_madeupsecret")

    assert refused.status_code == 403
    assert made_up.status_code == 401
    assert AuditEvent.objects.filter(kind="denied").exists()
    for secret in (portal_key, portal_key.rsplit("_", 1)[-1], "qt_deadbeef_madeupsecret"):
        assert secret not in audit_text()
        assert secret not in caplog.text


def test_secrets_in_a_denied_url_are_masked(scjg_user):
    client = Client()
    client.force_login(scjg_user)

    response = client.get(reverse("indicators:audit-log"), {"token": "abc123secret", "page": 2})

    assert response.status_code == 403
    event = AuditEvent.objects.get(kind="denied")
    assert "abc123secret" not in event.path
    assert event.path.startswith(reverse("indicators:audit-log"))
    assert "token=***" in event.path
    assert "page=2" in event.path

