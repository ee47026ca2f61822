"""Retention of the security log (issue 9, docs/reliability.md AT-16): kept AUDIT_RETENTION_DAYS.

The default, 186 days, covers the Cybersecurity Law's six months: nothing younger goes, a
185-day-old event survives, and the business audit (ObservationChange) is never removed. The
chain still verifies after pruning (the head is re-anchored at the last row removed).
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, check_audit_settings, prune_audit_events
from accounts.models import AuditEvent
from indicators.models import ObservationChange
from indicators.tasks import prune_audit
from tests.security.tampering import execute, on_postgres, refused_by_trigger

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def event_aged(days: float, name: str = "") -> AuditEvent:
    with time_machine.travel(NOW - datetime.timedelta(days=days), tick=False):
        return audit_record(kind=AuditEvent.Kind.LOGIN, username=name or f"{days}d")


def names() -> set[str]:
    return set(AuditEvent.objects.exclude(kind="retention").values_list("username", flat=True))


def assert_chain_verifies() -> None:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    assert "审计哈希链校验通过" in out.getvalue()


def test_the_default_keeps_186_days_a_185_day_old_event_survives():
    for days in (400, 187, 186.01, 185, 10, 0):
        event_aged(days)

    deleted = prune_audit_events(now=NOW)

    assert settings.AUDIT_RETENTION_DAYS == 186
    assert deleted == 3
    assert names() == {"185d", "10d", "0d"}
    assert_chain_verifies()


def test_changing_the_retention_setting_changes_what_is_removed(settings):
    for days in (400, 300, 200, 100):
        event_aged(days)

    settings.AUDIT_RETENTION_DAYS = 365
    assert prune_audit_events(now=NOW) == 1
    assert names() == {"300d", "200d", "100d"}

    settings.AUDIT_RETENTION_DAYS = 250
    assert prune_audit_events(now=NOW) == 1
    assert names() == {"200d", "100d"}

    settings.AUDIT_RETENTION_DAYS = 186
    assert prune_audit_events(now=NOW) == 1
    assert names() == {"100d"}
    assert_chain_verifies()


def test_the_job_run_with_the_clock_200_days_on(time_machine):
    """AT-16: the retention job with the clock at +200 days."""
    time_machine.move_to(NOW, tick=False)
    audit_record(kind=AuditEvent.Kind.LOGIN, username="today")
    time_machine.move_to(NOW + datetime.timedelta(days=20), tick=False)
    audit_record(kind=AuditEvent.Kind.LOGIN, username="in-20-days")

    time_machine.move_to(NOW + datetime.timedelta(days=200), tick=False)
    assert prune_audit() == 1  # the Celery task (eager here)

    assert names() == {"in-20-days"}
    assert_chain_verifies()


def test_the_business_audit_is_never_removed(changes, time_machine):
    before = ObservationChange.objects.count()
    event_aged(500)

    time_machine.move_to(NOW + datetime.timedelta(days=3650), tick=False)
    prune_audit_events()

    assert ObservationChange.objects.count() == before
    assert not AuditEvent.objects.exclude(kind="retention").exists()
    assert_chain_verifies()


def test_only_the_oldest_run_of_the_chain_goes_even_if_a_clock_was_wrong():
    """A young event between two old ones (clock skew) stops the pruning: the chain stays whole
    and nothing younger than the cutoff is ever removed."""
    event_aged(300, "old")
    event_aged(5, "young")
    event_aged(300, "old-after-young")

    assert prune_audit_events(now=NOW) == 1
    assert names() == {"young", "old-after-young"}
    assert_chain_verifies()


def test_pruning_is_audited_idempotent_and_the_chain_goes_on():
    event_aged(200)
    event_aged(1)

    assert prune_audit_events(now=NOW) == 1
    assert prune_audit_events(now=NOW) == 0
    audit_record(kind=AuditEvent.Kind.LOGOUT, username="later")

    record = AuditEvent.objects.get(kind="retention")
    assert "186" in record.detail
    assert "1 条" in record.detail
    assert AuditEvent.objects.filter(kind="retention").count() == 1
    assert_chain_verifies()


def test_manage_py_prune_audit():
    event_aged(190)

    out = StringIO()
    call_command("prune_audit", stdout=out)

    assert "已删除 1 条" in out.getvalue()
    assert "保留期 186 天" in out.getvalue()


def test_the_job_runs_weekly_from_celery_beat():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "indicators.prune_audit"]

    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    assert len(schedule.day_of_week) == 1  # once a week


def test_a_retention_below_six_months_is_flagged_by_the_system_checks(settings):
    assert check_audit_settings() == []
    settings.AUDIT_RETENTION_DAYS = 180

    assert [m.id for m in check_audit_settings()] == ["indicators.W001"]


def test_postgresql_lets_only_the_retention_job_delete_and_only_old_rows():
    if not on_postgres():
        pytest.skip("the append-only triggers are PostgreSQL's")
    old, young = event_aged(300), event_aged(1)
    delete = "DELETE FROM indicators_auditevent WHERE id = %s"

    assert refused_by_trigger(delete, [old.pk])  # no retention setting: refused
    with transaction.atomic():  # the retention job's setting lets old rows go, never young ones
        execute("SELECT set_config('qualitytrack.prune_before', %s, true)",
                [(NOW - datetime.timedelta(days=186)).isoformat()])
        assert refused_by_trigger(delete, [young.pk])
        assert execute(delete, [old.pk]) == 1
    assert list(AuditEvent.objects.filter(pk__in=[old.pk, young.pk])) == [young]
