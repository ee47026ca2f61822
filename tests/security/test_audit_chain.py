"""Audit integrity (issue 9, docs/reliability.md AT-10): append-only, hash-chained, verifiable.

``manage.py verify_audit`` must pass on a clean chain and fail, naming the first bad row, when
a row is altered or removed directly in the database (raw SQL, bypassing the ORM).
"""

from __future__ import annotations

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts import audit_chain
from accounts.audit import audit_record, verify_audit_chains
from accounts.models import AuditChainHead, AuditEvent
from indicators.models import ObservationChange
from tests.security.tampering import TABLES, execute, on_postgres, refused_by_trigger, tamper

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        verify()
    return str(failure.value)


# --- The chain --------------------------------------------------------------------------------


def test_a_clean_chain_verifies(events, changes):
    output = verify()

    assert "auditevent: OK（5 条记录" in output
    assert "observationchange: OK（4 条记录" in output
    assert [e.seq for e in AuditEvent.objects.order_by("seq")] == [1, 2, 3, 4, 5]


def test_each_row_links_to_the_one_before(events):
    rows = list(AuditEvent.objects.order_by("seq"))

    assert rows[0].prev_hash == audit_chain.GENESIS
    for before, row in itertools.pairwise(rows):
        assert row.prev_hash == before.hash
    assert len({row.hash for row in rows}) == len(rows)
    head = AuditChainHead.objects.get(chain="auditevent")
    assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)


def test_the_chain_is_hmac_sm3_by_default_and_keyed(events, settings):
    row = AuditEvent.objects.get(seq=3)
    values = {name: getattr(row, name) for name in audit_chain.CHAIN_FIELDS["auditevent"]}

    assert settings.AUDIT_HMAC_ALGORITHM == "sm3"
    assert audit_chain.row_hash("auditevent", 3, row.prev_hash, values) == row.hash
    settings.AUDIT_HMAC_KEY = "another-key"  # without the key, no valid hash can be made
    assert audit_chain.row_hash("auditevent", 3, row.prev_hash, values) != row.hash
    assert verify_audit_chains()[0].problem is not None


@pytest.mark.parametrize(
    ("model", "column", "value"),
    [
        (AuditEvent, "detail", "登录成功"),
        (AuditEvent, "username", "someone-else"),
        (AuditEvent, "at", "2020-01-01 00:00:00+00:00"),
        (ObservationChange, "new_value", "99.9"),
        (ObservationChange, "reason", "改过的原因"),
    ],
)
def test_a_row_altered_in_the_database_fails_verification_at_that_row(
    events, changes, model, column, value
):
    target = model.objects.order_by("seq")[2]

    tamper(model, f"UPDATE {TABLES[model]} SET {column} = %s WHERE id = %s", [value, target.pk])

    message = verify_fails()
    assert f"{model.AUDIT_CHAIN}: seq={target.seq} id={target.pk}" in message
    assert "hash mismatch" in message


def test_a_rehashed_row_without_the_key_still_fails_at_the_next_link(events):
    """Rewriting a row's hash (e.g. with a plain SHA-256) breaks the next row's prev_hash."""
    target = AuditEvent.objects.get(seq=2)
    after = AuditEvent.objects.get(seq=3)

    tamper(AuditEvent, "UPDATE indicators_auditevent SET detail = %s, hash = %s WHERE id = %s",
           ["x", "f" * 64, target.pk])

    message = verify_fails()
    assert f"seq={target.seq} id={target.pk}" in message  # its own hash no longer matches
    assert after.prev_hash != "f" * 64


@pytest.mark.parametrize("model", [AuditEvent, ObservationChange])
def test_a_row_removed_in_the_database_fails_verification_at_the_gap(events, changes, model):
    rows = list(model.objects.order_by("seq"))
    removed, following = rows[1], rows[2]

    tamper(model, f"DELETE FROM {TABLES[model]} WHERE id = %s", [removed.pk])

    message = verify_fails()
    assert f"{model.AUDIT_CHAIN}: seq={following.seq} id={following.pk}" in message
    assert f"第 {removed.seq} 条记录缺失" in message


def test_removing_the_newest_rows_is_detected_by_the_chain_head(events):
    newest = AuditEvent.objects.order_by("-seq").first()

    tamper(AuditEvent, "DELETE FROM indicators_auditevent WHERE id = %s", [newest.pk])

    message = verify_fails()
    assert "末尾记录缺失" in message
    assert f"seq={newest.seq - 1}" in message


def test_a_renumbered_chain_is_detected(events):
    """Closing the gap left by a deleted row by renumbering the row after it."""
    tamper(AuditEvent, "DELETE FROM indicators_auditevent WHERE seq = 2")
    tamper(AuditEvent, "UPDATE indicators_auditevent SET seq = 2 WHERE seq = 3")

    message = verify_fails()
    assert "auditevent: seq=2" in message
    assert "prev_hash mismatch" in message


def test_rewinding_the_chain_head_is_detected(events):
    last = AuditEvent.objects.get(seq=5)
    tamper(AuditEvent, "DELETE FROM indicators_auditevent WHERE id = %s", [last.pk])
    previous = AuditEvent.objects.get(seq=4)
    AuditChainHead.objects.filter(chain="auditevent").update(seq=4, hash=previous.hash)

    assert "chain head altered" in verify_fails()


def test_the_audit_trail_keeps_being_written_after_verification(events):
    verify()
    audit_record(kind=AuditEvent.Kind.LOGOUT, username="user1")

    assert "auditevent: OK（6 条记录" in verify()


# --- Append-only through the ORM ----------------------------------------------------------------


@pytest.mark.parametrize("model", [AuditEvent, ObservationChange])
def test_the_orm_refuses_to_change_or_remove_audit_rows(events, changes, model):
    row = model.objects.order_by("seq").first()
    rows = model.objects.all()

    with pytest.raises(audit_chain.AppendOnlyError, match="只能追加"):
        row.save()
    with pytest.raises(audit_chain.AppendOnlyError, match="只能追加"):
        row.delete()
    with pytest.raises(audit_chain.AppendOnlyError, match="只能追加"):
        rows.update(at=row.at)
    with pytest.raises(audit_chain.AppendOnlyError, match="只能追加"):
        rows.filter(pk=row.pk).delete()
    with pytest.raises(audit_chain.AppendOnlyError, match="只能追加"):
        rows.bulk_update([row], ["at"])
    with pytest.raises(audit_chain.AppendOnlyError, match="只能逐条追加"):
        rows.bulk_create([model()])
    with pytest.raises(audit_chain.AppendOnlyError):
        model._base_manager.filter(pk=row.pk).delete()  # Django's internal manager too
    assert "OK" in verify()


def test_a_user_named_in_the_audit_log_cannot_be_deleted(scjg_user):
    from django.db.models import ProtectedError

    audit_record(kind=AuditEvent.Kind.LOGIN, user=scjg_user)

    with pytest.raises(ProtectedError):
        scjg_user.delete()


@pytest.mark.parametrize("model", [AuditEvent, ObservationChange])
def test_postgresql_refuses_update_and_delete_in_the_database(events, changes, model):
    if not on_postgres():
        pytest.skip("the append-only triggers are PostgreSQL's (SQLite: ORM and verify_audit)")
    table = TABLES[model]
    row = model.objects.order_by("seq").first()

    assert refused_by_trigger(f"UPDATE {table} SET at = at WHERE id = %s", [row.pk])
    assert refused_by_trigger(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


# --- Concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    if not on_postgres():
        pytest.skip("concurrent connections need PostgreSQL (SQLite's test database is shared "
                    "in-memory, one writer at a time)")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                audit_record(kind=AuditEvent.Kind.DENIED, username=f"w{n}", detail=str(i))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 91))
    assert "auditevent: OK（90 条记录" in verify()


# --- An emptied table (issue 12 row 8, docs/reliability.md) -----------------------------------


def _head_sql(sql: str) -> None:
    """Change the chain heads behind the ORM's back (PostgreSQL: past the refusing trigger)."""
    table = "indicators_auditchainhead"
    if on_postgres():
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_delete")
        try:
            execute(sql)
        finally:
            execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_delete")
    else:
        execute(sql)


def test_every_chain_has_its_head_from_the_start():
    heads = dict(AuditChainHead.objects.values_list("chain", "seq"))

    assert heads == {"auditevent": 0, "observationchange": 0}
    assert "auditevent: OK（0 条记录" in verify()


@pytest.mark.parametrize("model", [AuditEvent, ObservationChange])
def test_an_emptied_audit_table_fails_verification(events, changes, model):
    tamper(model, f"DELETE FROM {TABLES[model]}")

    message = verify_fails()
    assert f"{model.AUDIT_CHAIN}: chain head: 审计表已被清空" in message
    assert "table emptied" in message


def test_emptying_the_table_and_removing_its_head_fails_verification_for_good(events):
    tamper(AuditEvent, "DELETE FROM indicators_auditevent")
    _head_sql("DELETE FROM indicators_auditchainhead WHERE chain = 'auditevent'")

    assert "链头记录缺失" in verify_fails()

    audit_record(kind=AuditEvent.Kind.LOGIN, username="after")  # the log stays writable
    assert "链头曾被删除" in verify_fails()
    head = AuditChainHead.objects.get(chain="auditevent")
    AuditChainHead.objects.filter(chain="auditevent").update(recreated=False)
    assert head.recreated
    assert "chain head altered" in verify_fails()  # the flag is inside the head's MAC


def test_migrate_does_not_heal_a_removed_head(events):
    _head_sql("DELETE FROM indicators_auditchainhead WHERE chain = 'auditevent'")

    audit_chain.ensure_genesis_heads([AuditEvent])

    assert not AuditChainHead.objects.filter(chain="auditevent").exists()
    assert "链头记录缺失" in verify_fails()


def test_postgresql_refuses_truncate_of_the_audit_tables_and_removal_of_a_head(events):
    if not on_postgres():
        pytest.skip("the TRUNCATE trigger is PostgreSQL's (SQLite: verify_audit detects it)")
    execute("SET LOCAL qualitytrack.allow_truncate = 'off'")  # as the application's sessions
    execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending: TRUNCATE may run

    for table in ("indicators_auditevent", "indicators_observationchange",
                  "indicators_auditchainhead"):
        assert refused_by_trigger(f"TRUNCATE {table} CASCADE"), table
    assert refused_by_trigger("DELETE FROM indicators_auditchainhead")
    assert AuditEvent.objects.count() == 5
    assert "auditevent: OK（5 条记录" in verify()
