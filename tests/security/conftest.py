"""Fixtures of the audit-integrity tests: audit events and observation changes to tamper with
(tests/security/tampering.py holds the raw-SQL helpers)."""

from __future__ import annotations

import pytest

from accounts.audit import audit_record
from accounts.models import AuditEvent
from indicators.models import ObservationChange
from tests.factories import IndicatorFactory, ObservationFactory, RegionFactory


@pytest.fixture
def events(db) -> list[AuditEvent]:
    """Five security events, oldest first."""
    return [
        audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, username=f"user{i}", detail="密码错误")
        for i in range(5)
    ]


@pytest.fixture
def changes(db) -> list[ObservationChange]:
    """Four changes of one figure, oldest first."""
    figure = ObservationFactory(
        indicator=IndicatorFactory(code="sec_rate"), region=RegionFactory(code="329999")
    )
    values = ["90.1", "91.2", "92.3", "93.4"]
    return [
        ObservationChange.objects.create(
            observation=figure, action="edit", old_value=old, new_value=new, reason="核对"
        )
        for old, new in zip(["", *values], values, strict=False)
    ]
