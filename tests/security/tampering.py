"""Helpers of the audit-integrity tests: raw SQL that bypasses the ORM, on SQLite and PostgreSQL.

On PostgreSQL the append-only triggers refuse UPDATE and DELETE on the audit tables, so a test
that needs a tampered row first shows the trigger refusing, then disables the trigger inside
the test's own transaction (``ALTER TABLE … DISABLE TRIGGER``; rolled back with the test).
"""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction

from accounts.models import AuditEvent
from indicators.models import ObservationChange

TABLES = {AuditEvent: "indicators_auditevent", ObservationChange: "indicators_observationchange"}



def on_postgres() -> bool:
    return connection.vendor == "postgresql"



def execute(sql: str, params: list[object] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])  # type: ignore[arg-type]
        return cursor.rowcount



def refused_by_trigger(sql: str, params: list[object] | None = None) -> bool:
    """Run a statement in a savepoint; True if the database refused it (PostgreSQL trigger)."""
    try:
        with transaction.atomic():
            execute(sql, params)
    except DatabaseError as error:
        return "append-only" in str(error)
    return False



def tamper(model: type, sql: str, params: list[object] | None = None) -> int:
    """Change an audit table behind the ORM's back, as someone with database access would."""
    table = TABLES[model]  # type: ignore[index]
    if on_postgres():
        assert refused_by_trigger(sql, params), "the append-only trigger let it through"
        execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending: ALTER TABLE
        execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        try:
            return execute(sql, params)
        finally:
            execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    return execute(sql, params)
