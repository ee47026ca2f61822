"""Tamper evidence for the append-only audit tables: one HMAC hash chain per table.

Two chains: ``auditevent`` (the security/access log, AuditEvent) and ``observationchange``
(the business audit of figures, ObservationChange). Each row carries ``seq`` (1, 2, 3, … with
no gaps), ``prev_hash`` (the previous row's ``hash``) and ``hash``::

    hash = HMAC(AUDIT_HMAC_KEY, canonical(chain, seq, prev_hash, the row's audited fields))

with HMAC-SM3 by default (``AUDIT_HMAC_ALGORITHM``; SM3 is OpenSSL's, through hashlib, so no
extra package) and the key ``AUDIT_HMAC_KEY`` (defaults to ``SECRET_KEY``: set it explicitly in
production, because rotating SECRET_KEY would otherwise make every old row fail verification).

A chain head row (AuditChainHead) per chain is the lock that keeps concurrent writers on one
chain (row lock on PostgreSQL, the write lock on SQLite: the head is *updated first*), and it
records the tail (``seq``, ``hash``: removing the newest rows is detected) and the anchor
(``anchor_seq``, ``anchor_hash``: the last row removed by the retention job, so that the chain
still verifies after pruning). The head carries its own HMAC, so it cannot be rewound either.

An emptied table (issue 12 row 8, docs/reliability.md) is caught by the head, which records
the count (``seq`` - ``anchor_seq``) and the last hash: every chain has a head from the start
(``ensure_genesis_heads``, run after ``migrate`` and after a test flush), so a missing head
fails verification, and a head rebuilt at an append after someone removed it carries
``recreated`` (inside its MAC), which fails verification for good. On PostgreSQL a trigger
refuses TRUNCATE of both audit tables and of the heads, and DELETE of a head (migration
0005); the app role would have to disable the triggers, which leaves the rows' absence to
``verify_audit``.

Nothing here can stop someone who holds both the database and the key; it makes any change made
without the key (a direct UPDATE or DELETE, say) show up in ``manage.py verify_audit``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F, QuerySet

if TYPE_CHECKING:
    from .models.audit import AuditChainHead, ChainedAuditRecord

GENESIS = "0" * 64

# The audited fields of each chain, in a fixed order (FKs by column). Adding a field to a chain
# needs a new chain version, never an edit of this list: old rows must keep verifying.
CHAIN_FIELDS: dict[str, tuple[str, ...]] = {
    "auditevent": (
        "at", "kind", "user_id", "username", "ip_address", "method", "path", "detail",
    ),
    "observationchange": (
        "observation_id", "action", "by_id", "at", "old_value", "new_value", "old_status",
        "new_status", "reason",
    ),
}


class AppendOnlyError(ValueError):
    """An attempt to change or remove an audit record."""


# --- Hashing -----------------------------------------------------------------------------------


def _key() -> bytes:
    key = getattr(settings, "AUDIT_HMAC_KEY", "") or settings.SECRET_KEY
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def _algorithm() -> str:
    return getattr(settings, "AUDIT_HMAC_ALGORITHM", "sm3")


def _canonical_value(name: str, value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat(timespec="microseconds")
    if name == "ip_address" and value:
        try:  # PostgreSQL's inet normalises what it stores (e.g. IPv6 case): hash the address
            return ipaddress.ip_address(value).exploded
        except ValueError:
            return str(value)
    return value


def canonical(chain: str, seq: int, prev_hash: str, values: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: a JSON array, keys sorted, UTF-8, no whitespace."""
    fields = {name: _canonical_value(name, values[name]) for name in CHAIN_FIELDS[chain]}
    body = ["qualitytrack-audit/1", chain, int(seq), prev_hash, fields]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def mac(message: bytes) -> str:
    return hmac.new(_key(), message, _algorithm()).hexdigest()


def row_hash(chain: str, seq: int, prev_hash: str, values: Mapping[str, Any]) -> str:
    return mac(canonical(chain, seq, prev_hash, values))


def head_mac(chain: str, seq: int, last_hash: str, anchor_seq: int, anchor_hash: str,
             recreated: bool = False) -> str:
    body: list[Any] = [
        "qualitytrack-audit-head/1", chain, int(seq), last_hash, int(anchor_seq), anchor_hash,
    ]
    if recreated:  # heads made before issue 12 keep their MAC; clearing the flag breaks it
        body.append("recreated")
    return mac(json.dumps(body, separators=(",", ":")).encode())


def _mac_of(head: Any, **changes: Any) -> str:
    values = {name: getattr(head, name) for name in (
        "seq", "hash", "anchor_seq", "anchor_hash", "recreated")}
    values.update(changes)
    return head_mac(head.chain, values["seq"], values["hash"], values["anchor_seq"],
                    values["anchor_hash"], values["recreated"])


def algorithm_available(name: str) -> bool:
    try:
        hmac.new(b"k", b"m", name)
    except ValueError:
        return False
    return name in hashlib.algorithms_available or name in hashlib.algorithms_guaranteed


# --- Writing -----------------------------------------------------------------------------------


def _head_model() -> type[AuditChainHead]:
    from django.apps import apps

    return apps.get_model("accounts", "AuditChainHead")


def _lock_head(chain: str, model: type[ChainedAuditRecord], using: str) -> Any:
    """Lock this chain's head row (creating it if missing) and return it. Inside atomic()."""
    heads = _head_model()._default_manager.using(using)
    if connections[using].vendor == "postgresql":
        # SELECT … FOR UPDATE takes the row lock before the tail is read: one round trip.
        head = heads.select_for_update().filter(chain=chain).first()
        if head is not None:
            return head
        _create_head(chain, model, using)
        return heads.select_for_update().get(chain=chain)
    # SQLite ignores FOR UPDATE: update first, which takes the database write lock before
    # anything is read, so two writers can never both read the same tail.
    if not heads.filter(chain=chain).update(seq=F("seq")):
        _create_head(chain, model, using)
    return heads.select_for_update().get(chain=chain)


def _create_head(chain: str, model: type[ChainedAuditRecord], using: str) -> None:
    """The head is missing at an append: someone removed it (every chain gets its head at
    ``migrate``, see ``ensure_genesis_heads``). Start it at the table's tail, marked
    ``recreated``, so the log stays writable while ``verify`` keeps reporting the removal.
    """
    last = (
        model._base_manager.using(using).order_by("-seq").values_list("seq", "hash").first()
    )
    seq, last_hash = last if last else (0, GENESIS)
    try:
        with transaction.atomic(using=using):
            _head_model()._default_manager.using(using).create(
                chain=chain, seq=seq, hash=last_hash, anchor_seq=0, anchor_hash=GENESIS,
                recreated=True, mac=head_mac(chain, seq, last_hash, 0, GENESIS, True),
            )
    except IntegrityError:
        pass  # a concurrent writer created it first


def ensure_genesis_heads(
    models: Iterable[type[ChainedAuditRecord]], using: str = DEFAULT_DB_ALIAS
) -> None:
    """Give each chain whose table is empty and has no head its head at genesis (count 0).

    Run after ``migrate`` (and so after a test database's flush). A table that has rows but no
    head is left alone: its head was removed, and ``verify`` must go on saying so.
    """
    heads = _head_model()._default_manager.using(using)
    for model in models:
        chain = model.AUDIT_CHAIN
        if heads.filter(chain=chain).exists() or model._base_manager.using(using).exists():
            continue
        try:
            with transaction.atomic(using=using):
                heads.create(chain=chain, seq=0, hash=GENESIS, anchor_seq=0, anchor_hash=GENESIS,
                             mac=head_mac(chain, 0, GENESIS, 0, GENESIS))
        except IntegrityError:
            pass


def append(instance: Any, using: str, save: Callable[[], None]) -> None:
    """Give a new row its place in its chain, then ``save()`` it (the models' ``save``)."""
    chain = type(instance).AUDIT_CHAIN
    # No savepoint: a failure here fails the writer's whole transaction anyway (the figure
    # and its history row commit together or not at all), and it saves two round trips.
    with transaction.atomic(using=using, savepoint=False):
        head = _lock_head(chain, type(instance), using)
        instance.seq = head.seq + 1
        instance.prev_hash = head.hash
        values = {name: getattr(instance, name) for name in CHAIN_FIELDS[chain]}
        instance.hash = row_hash(chain, instance.seq, instance.prev_hash, values)
        save()
        _head_model()._default_manager.using(using).filter(chain=chain).update(
            seq=instance.seq,
            hash=instance.hash,
            mac=_mac_of(head, seq=instance.seq, hash=instance.hash),
        )


# --- Verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    chain: str
    seq: int | None
    pk: int | None
    message: str

    def __str__(self) -> str:
        where = f"seq={self.seq} id={self.pk}" if self.seq is not None else "chain head"
        return f"{self.chain}: {where}: {self.message}"


@dataclass(frozen=True)
class Report:
    chain: str
    rows: int
    problem: Problem | None


def verify(model: type[ChainedAuditRecord], using: str = DEFAULT_DB_ALIAS) -> Report:
    """Walk one chain from its anchor to its head; the first problem found, if any."""
    chain = model.AUDIT_CHAIN
    names = CHAIN_FIELDS[chain]
    head = _head_model()._default_manager.using(using).filter(chain=chain).first()
    rows = (
        model._base_manager.using(using)
        .order_by("seq")
        .values("pk", "seq", "prev_hash", "hash", *names)
        .iterator(chunk_size=2000)
    )
    if head is None:  # every chain has its head from migrate on: it was removed
        return Report(chain, 0, Problem(
            chain, None, None, "链头记录缺失：审计表或其链头被删除（chain head missing）"))
    if head.mac != _mac_of(head):
        return Report(chain, 0, Problem(chain, None, None, "链头校验码不符（chain head altered）"))
    if head.recreated:
        return Report(chain, 0, Problem(
            chain, None, None,
            "链头曾被删除，已在追加记录时重建：此前的记录可能已被清除（chain head was removed)"))
    expected_seq, prev = head.anchor_seq + 1, head.anchor_hash
    count, last = 0, None
    for row in rows:
        problem = _check_row(chain, row, expected_seq, prev)
        if problem:
            return Report(chain, count, problem)
        count += 1
        expected_seq, prev, last = row["seq"] + 1, row["hash"], row
    if count == 0 and head.seq > head.anchor_seq:
        message = (
            f"审计表已被清空：链头记录 {head.seq - head.anchor_seq} 条（末条第 {head.seq} 条），"
            f"表中 0 条（table emptied）"
        )
        return Report(chain, 0, Problem(chain, None, None, message))
    if head.seq != expected_seq - 1 or head.hash != prev:
        at = last["seq"] if last else None
        message = (
            f"末尾记录缺失：链头为第 {head.seq} 条，表中最后为第 {expected_seq - 1} 条"
            f"（rows after seq {expected_seq - 1} removed）"
        )
        return Report(chain, count, Problem(chain, at, last["pk"] if last else None, message))
    return Report(chain, count, None)


def _check_row(chain: str, row: dict[str, Any], expected_seq: int, prev: str) -> Problem | None:
    seq, pk = row["seq"], row["pk"]
    if seq != expected_seq:
        if seq < expected_seq:
            return Problem(chain, seq, pk, f"序号重复或早于锚点（expected seq {expected_seq}）")
        missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
        return Problem(chain, seq, pk, f"第 {missing} 条记录缺失（row(s) removed before this)")
    if row["prev_hash"] != prev:
        return Problem(chain, seq, pk, "前序哈希不符：前一条记录被删除或改动（prev_hash mismatch）")
    values = {name: row[name] for name in CHAIN_FIELDS[chain]}
    if not hmac.compare_digest(row_hash(chain, seq, row["prev_hash"], values), row["hash"]):
        return Problem(chain, seq, pk, "哈希不符：该记录被改动（hash mismatch, row altered）")
    return None


def verify_all(
    models: Iterable[type[ChainedAuditRecord]], using: str = DEFAULT_DB_ALIAS
) -> list[Report]:
    return [verify(model, using) for model in models]


# --- Retention ---------------------------------------------------------------------------------


def prune(
    model: type[ChainedAuditRecord], cutoff: datetime.datetime, using: str = DEFAULT_DB_ALIAS
) -> int:
    """Delete the oldest rows of a chain whose ``at`` is before ``cutoff``; re-anchor the head.

    Only a prefix of the chain is removed: it stops at the first row younger than the cutoff
    (even if an older-stamped row follows it), so the chain stays whole and verifiable. On
    PostgreSQL the append-only trigger lets these deletes through only because the transaction
    sets ``qualitytrack.prune_before`` to the cutoff, and only for rows older than it.
    """
    chain = model.AUDIT_CHAIN
    rows = model._base_manager.using(using)
    with transaction.atomic(using=using):
        head = _lock_head(chain, model, using)
        first_young = (
            rows.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()  # type: ignore[misc]  # each chained model has its own "at"
        )
        doomed = rows.filter(seq__gt=head.anchor_seq)
        if first_young is not None:
            doomed = doomed.filter(seq__lt=first_young)
        last = doomed.order_by("-seq").values("seq", "hash").first()
        if last is None:
            return 0
        connection = transaction.get_connection(using)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('qualitytrack.prune_before', %s, true)",
                    [cutoff.isoformat()],
                )
        # The plain QuerySet.delete: the models' own managers refuse to delete.
        deleted, _ = QuerySet.delete(doomed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('qualitytrack.prune_before', '', true)")
        _head_model()._default_manager.using(using).filter(chain=chain).update(
            anchor_seq=last["seq"],
            anchor_hash=last["hash"],
            mac=_mac_of(head, anchor_seq=last["seq"], anchor_hash=last["hash"]),
        )
        return deleted
