"""The rollup tables: status counts the dashboards read instead of counting Progress.

docs/scale.md "Rollup tables". ``PlanRollup`` and ``DepartmentRollup`` hold, per quarter,
plan (and lead department), indicator category and status, how many targets had that
status (``n``) and how many of them are 力争 (``aspirational``) or 约束性 (``binding``);
``QuarterRollup`` marks the quarters that have Progress rows; ``TargetTally`` the targets per plan
and per lead department.

**How they stay right.** Database triggers on ``targets_progress`` add each written row to
its groups and take each removed or changed row out of them, inside the statement that
writes Progress, so every path that writes Progress — the full recompute, the incremental
one after an approval, the sharded one, a test factory, the admin — keeps the rollups
right in the same transaction, with no extra query from Django. Triggers on
``targets_target`` and its lead-department table keep ``TargetTally``. On PostgreSQL the
Progress triggers are per statement over the statement's transition tables (one aggregate
per upsert of a quarter, not one per row); on SQLite, per row. Counts are deltas
(``n = n + k``), so concurrent recomputes of different targets of one plan add up; a group
whose count falls to 0 keeps its row (it adds nothing to any sum).

What the triggers cannot see — a target's category, 力争/约束性 flags, plan or lead
departments changing under rows already counted — is redone by ``rollups_rebuild`` for the
plans concerned (``targets/receivers.py`` calls it on those changes), from Progress, with
one aggregate query per table. ``manage.py rebuild_rollups`` rebuilds everything (after a
bulk load that bypassed the triggers, e.g. with triggers disabled).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

PROGRESS = "targets_progress"
TARGET = "targets_target"
LEADS = "targets_target_lead_departments"
INDICATOR = "indicators_indicator"
PLAN_ROLLUP = "targets_planrollup"
DEPARTMENT_ROLLUP = "targets_departmentrollup"
QUARTER_ROLLUP = "targets_quarterrollup"
TALLY = "targets_targettally"

_COUNTS = (
    "COUNT(*) AS n, "
    "SUM(CASE WHEN t.aspirational THEN 1 ELSE 0 END) AS aspirational, "
    "SUM(CASE WHEN t.binding = 'binding' THEN 1 ELSE 0 END) AS binding"
)
_ADD = (
    "n = {table}.n + excluded.n, aspirational = {table}.aspirational + excluded.aspirational, "
    "binding = {table}.binding + excluded.binding"
)


def _plan_groups(source: str) -> str:
    """Per (quarter, plan, category, status) of the Progress rows in ``source``."""
    return (
        f"SELECT src.year, src.quarter, t.plan_id, i.category, src.status, {_COUNTS} "
        f"FROM {source} src JOIN {TARGET} t ON t.id = src.target_id "
        f"JOIN {INDICATOR} i ON i.id = t.indicator_id WHERE 1 = 1 "
        "GROUP BY src.year, src.quarter, t.plan_id, i.category, src.status "
        "ORDER BY src.year, src.quarter, t.plan_id, i.category, src.status"
    )


def _department_groups(source: str) -> str:
    """Per (quarter, lead department, plan, category, status) of the rows in ``source``."""
    return (
        f"SELECT src.year, src.quarter, l.department_id, t.plan_id, i.category, src.status, "
        f"{_COUNTS} "
        f"FROM {source} src JOIN {TARGET} t ON t.id = src.target_id "
        f"JOIN {LEADS} l ON l.target_id = t.id "
        f"JOIN {INDICATOR} i ON i.id = t.indicator_id WHERE 1 = 1 "
        "GROUP BY src.year, src.quarter, l.department_id, t.plan_id, i.category, src.status "
        "ORDER BY src.year, src.quarter, l.department_id, t.plan_id, i.category, src.status"
    )


def _quarters(source: str) -> str:
    return f"SELECT DISTINCT src.year, src.quarter FROM {source} src WHERE 1 = 1"


def add_statements(source: str) -> list[str]:
    """Upserts that add the Progress rows of ``source`` (target_id, year, quarter, status)."""
    plan_cols = "year, quarter, plan_id, category, status, n, aspirational, binding"
    dept_cols = "year, quarter, department_id, plan_id, category, status, n, aspirational, binding"
    return [
        f"INSERT INTO {PLAN_ROLLUP} ({plan_cols}) {_plan_groups(source)} "
        "ON CONFLICT (year, quarter, plan_id, category, status) DO UPDATE SET "
        + _ADD.format(table=PLAN_ROLLUP),
        f"INSERT INTO {DEPARTMENT_ROLLUP} ({dept_cols}) {_department_groups(source)} "
        "ON CONFLICT (year, quarter, department_id, plan_id, category, status) DO UPDATE SET "
        + _ADD.format(table=DEPARTMENT_ROLLUP),
        # A quarter is only marked, never counted: no row every writer must lock.
        f"INSERT INTO {QUARTER_ROLLUP} (year, quarter) {_quarters(source)} "
        "ON CONFLICT (year, quarter) DO NOTHING",
    ]


def remove_statements(source: str) -> list[str]:
    """Updates that take the rows of ``source`` out of their groups (never insert: a plan
    being deleted must not get rows back). No alias on the updated table: SQLite allows
    none inside a trigger."""
    def take(table: str) -> str:
        return (f"n = {table}.n - d.n, aspirational = {table}.aspirational - d.aspirational, "
                f"binding = {table}.binding - d.binding")

    def same(table: str) -> str:
        return " AND ".join(f"{table}.{c} = d.{c}"
                            for c in ("year", "quarter", "plan_id", "category", "status"))

    return [
        f"UPDATE {PLAN_ROLLUP} SET {take(PLAN_ROLLUP)} FROM ({_plan_groups(source)}) AS d "
        f"WHERE {same(PLAN_ROLLUP)}",
        f"UPDATE {DEPARTMENT_ROLLUP} SET {take(DEPARTMENT_ROLLUP)} "
        f"FROM ({_department_groups(source)}) AS d WHERE {same(DEPARTMENT_ROLLUP)} "
        f"AND {DEPARTMENT_ROLLUP}.department_id = d.department_id",
        f"DELETE FROM {QUARTER_ROLLUP} WHERE EXISTS (SELECT 1 FROM {source} src "
        f"WHERE src.year = {QUARTER_ROLLUP}.year AND src.quarter = {QUARTER_ROLLUP}.quarter) "
        f"AND NOT EXISTS (SELECT 1 FROM {PROGRESS} p WHERE p.year = {QUARTER_ROLLUP}.year "
        f"AND p.quarter = {QUARTER_ROLLUP}.quarter)",
    ]


def _row(prefix: str) -> str:
    return (f"(SELECT {prefix}.target_id AS target_id, {prefix}.year AS year, "
            f"{prefix}.quarter AS quarter, {prefix}.status AS status)")


_CHANGED = (
    "{o}.status {ne} {n}.status OR {o}.target_id <> {n}.target_id "
    "OR {o}.year <> {n}.year OR {o}.quarter <> {n}.quarter"
)


def _tally_add(plan: str, department: str) -> str:
    return (
        f"INSERT INTO {TALLY} (plan_id, department_id, n) SELECT {plan}, {department}, 1 "
        f"WHERE 1 = 1 ON CONFLICT (plan_id, department_id) DO UPDATE SET n = {TALLY}.n + 1"
    )


def _tally_remove(plan: str, department: str) -> str:
    return f"UPDATE {TALLY} SET n = n - 1 WHERE plan_id = {plan} AND department_id = {department}"


def _lead_plan(prefix: str) -> str:
    return f"(SELECT plan_id FROM {TARGET} WHERE id = {prefix}.target_id)"


def sqlite_triggers() -> list[str]:
    """SQLite: row triggers (SQLite has no statement triggers)."""
    changed = _CHANGED.format(o="OLD", n="NEW", ne="IS NOT")
    body = {
        "add": "; ".join(add_statements(_row("NEW"))),
        "remove": "; ".join(remove_statements(_row("OLD"))),
    }
    return [
        f"CREATE TRIGGER qt_rollup_progress_insert AFTER INSERT ON {PROGRESS} "
        f"BEGIN {body['add']}; END",
        f"CREATE TRIGGER qt_rollup_progress_delete AFTER DELETE ON {PROGRESS} "
        f"BEGIN {body['remove']}; END",
        f"CREATE TRIGGER qt_rollup_progress_update AFTER UPDATE ON {PROGRESS} "
        f"WHEN {changed} BEGIN {body['remove']}; {body['add']}; END",
        f"CREATE TRIGGER qt_tally_target_insert AFTER INSERT ON {TARGET} "
        f"BEGIN {_tally_add('NEW.plan_id', '0')}; END",
        f"CREATE TRIGGER qt_tally_target_delete AFTER DELETE ON {TARGET} "
        f"BEGIN {_tally_remove('OLD.plan_id', '0')}; END",
        f"CREATE TRIGGER qt_tally_target_update AFTER UPDATE OF plan_id ON {TARGET} "
        f"WHEN OLD.plan_id <> NEW.plan_id BEGIN {_tally_remove('OLD.plan_id', '0')}; "
        f"{_tally_add('NEW.plan_id', '0')}; END",
        f"CREATE TRIGGER qt_tally_lead_insert AFTER INSERT ON {LEADS} "
        f"BEGIN {_tally_add(_lead_plan('NEW'), 'NEW.department_id')}; END",
        f"CREATE TRIGGER qt_tally_lead_delete AFTER DELETE ON {LEADS} "
        f"BEGIN {_tally_remove(_lead_plan('OLD'), 'OLD.department_id')}; END",
    ]


def _pg_function(name: str, body: list[str]) -> str:
    statements = "".join(f"{statement};\n" for statement in body)
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{statements}RETURN NULL;\nEND $$")


def postgresql_triggers() -> list[str]:
    """PostgreSQL: Progress triggers per statement over the transition tables (one aggregate
    per upsert, however many rows); Target and lead triggers per row."""
    changed = _CHANGED.format(o="o", n="nw", ne="IS DISTINCT FROM")
    pairs = f"old_rows o JOIN new_rows nw ON nw.id = o.id WHERE {changed}"
    old_changed = f"(SELECT o.target_id, o.year, o.quarter, o.status FROM {pairs})"
    new_changed = f"(SELECT nw.target_id, nw.year, nw.quarter, nw.status FROM {pairs})"
    return [
        _pg_function("qt_rollup_progress_insert", add_statements("new_rows")),
        _pg_function("qt_rollup_progress_delete", remove_statements("old_rows")),
        _pg_function("qt_rollup_progress_update",
                     remove_statements(old_changed) + add_statements(new_changed)),
        _pg_function("qt_rollup_progress_truncate", [
            f"DELETE FROM {PLAN_ROLLUP}", f"DELETE FROM {DEPARTMENT_ROLLUP}",
            f"DELETE FROM {QUARTER_ROLLUP}",
        ]),
        _pg_function("qt_tally_target_insert", [_tally_add("NEW.plan_id", "0")]),
        _pg_function("qt_tally_target_delete", [_tally_remove("OLD.plan_id", "0")]),
        _pg_function("qt_tally_target_update", [
            _tally_remove("OLD.plan_id", "0"), _tally_add("NEW.plan_id", "0"),
        ]),
        _pg_function("qt_tally_lead_insert", [_tally_add(_lead_plan("NEW"), "NEW.department_id")]),
        _pg_function("qt_tally_lead_delete",
                     [_tally_remove(_lead_plan("OLD"), "OLD.department_id")]),
        _pg_function("qt_tally_truncate", [f"DELETE FROM {TALLY}"]),
        f"CREATE TRIGGER qt_rollup_progress_insert AFTER INSERT ON {PROGRESS} "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION qt_rollup_progress_insert()",
        f"CREATE TRIGGER qt_rollup_progress_delete AFTER DELETE ON {PROGRESS} "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION qt_rollup_progress_delete()",
        f"CREATE TRIGGER qt_rollup_progress_update AFTER UPDATE ON {PROGRESS} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION qt_rollup_progress_update()",
        f"CREATE TRIGGER qt_rollup_progress_truncate AFTER TRUNCATE ON {PROGRESS} "
        "FOR EACH STATEMENT EXECUTE FUNCTION qt_rollup_progress_truncate()",
        f"CREATE TRIGGER qt_tally_target_insert AFTER INSERT ON {TARGET} "
        "FOR EACH ROW EXECUTE FUNCTION qt_tally_target_insert()",
        f"CREATE TRIGGER qt_tally_target_delete AFTER DELETE ON {TARGET} "
        "FOR EACH ROW EXECUTE FUNCTION qt_tally_target_delete()",
        f"CREATE TRIGGER qt_tally_target_update AFTER UPDATE OF plan_id ON {TARGET} "
        "FOR EACH ROW WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id) "
        "EXECUTE FUNCTION qt_tally_target_update()",
        f"CREATE TRIGGER qt_tally_lead_insert AFTER INSERT ON {LEADS} "
        "FOR EACH ROW EXECUTE FUNCTION qt_tally_lead_insert()",
        f"CREATE TRIGGER qt_tally_lead_delete AFTER DELETE ON {LEADS} "
        "FOR EACH ROW EXECUTE FUNCTION qt_tally_lead_delete()",
        f"CREATE TRIGGER qt_tally_truncate AFTER TRUNCATE ON {TARGET} "
        "FOR EACH STATEMENT EXECUTE FUNCTION qt_tally_truncate()",
    ]


TRIGGER_NAMES = {
    PROGRESS: ["qt_rollup_progress_insert", "qt_rollup_progress_delete",
               "qt_rollup_progress_update", "qt_rollup_progress_truncate"],
    TARGET: ["qt_tally_target_insert", "qt_tally_target_delete", "qt_tally_target_update",
             "qt_tally_truncate"],
    LEADS: ["qt_tally_lead_insert", "qt_tally_lead_delete"],
}


def install_triggers(schema_editor) -> None:
    """Create the triggers (a migration runs this); then rebuild from the stored rows."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = postgresql_triggers()
    elif vendor == "sqlite":
        statements = sqlite_triggers()
    else:  # pragma: no cover - the project runs on these two
        raise NotImplementedError(f"rollup triggers for {vendor}")
    drop_triggers(schema_editor)
    for statement in statements:
        schema_editor.execute(statement, params=None)
    rollups_rebuild(using=schema_editor.connection)


def drop_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table, names in TRIGGER_NAMES.items():
        for name in names:
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}", params=None)
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()", params=None)
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


def _plan_filter(column: str, plan_ids: list[int] | None) -> tuple[str, list[int]]:
    if plan_ids is None:
        return "", []
    marks = ", ".join(["%s"] * len(plan_ids))
    return f" AND {column} IN ({marks})", list(plan_ids)


def rollups_rebuild(*, plan_ids: Iterable[int] | None = None, using=None) -> None:
    """Rebuild the rollups of ``plan_ids`` (default: all) from Progress and Target.

    One DELETE and one aggregate INSERT … SELECT per table, in one transaction. The quarter
    totals do not depend on a plan's attributes, so only a full rebuild redoes them.
    """
    conn = using or connection
    ids = sorted(set(plan_ids)) if plan_ids is not None else None
    if ids == []:
        return
    in_plans, params = _plan_filter("plan_id", ids)
    source = (f"(SELECT p.target_id, p.year, p.quarter, p.status FROM {PROGRESS} p "
              f"JOIN {TARGET} tt ON tt.id = p.target_id WHERE 1 = 1"
              f"{_plan_filter('tt.plan_id', ids)[0]})")
    plan_cols = "year, quarter, plan_id, category, status, n, aspirational, binding"
    dept_cols = "year, quarter, department_id, plan_id, category, status, n, aspirational, binding"
    statements: list[tuple[str, list[int]]] = [
        (f"DELETE FROM {PLAN_ROLLUP} WHERE 1 = 1{in_plans}", params),
        (f"INSERT INTO {PLAN_ROLLUP} ({plan_cols}) {_plan_groups(source)}", params),
        (f"DELETE FROM {DEPARTMENT_ROLLUP} WHERE 1 = 1{in_plans}", params),
        (f"INSERT INTO {DEPARTMENT_ROLLUP} ({dept_cols}) {_department_groups(source)}", params),
        (f"DELETE FROM {TALLY} WHERE 1 = 1{in_plans}", params),
        (f"INSERT INTO {TALLY} (plan_id, department_id, n) SELECT plan_id, 0, COUNT(*) "
         f"FROM {TARGET} WHERE 1 = 1{in_plans} GROUP BY plan_id", params),
        (f"INSERT INTO {TALLY} (plan_id, department_id, n) "
         f"SELECT t.plan_id, l.department_id, COUNT(*) FROM {LEADS} l "
         f"JOIN {TARGET} t ON t.id = l.target_id WHERE 1 = 1"
         f"{_plan_filter('t.plan_id', ids)[0]} GROUP BY t.plan_id, l.department_id", params),
    ]
    if ids is None:
        statements += [
            (f"DELETE FROM {QUARTER_ROLLUP}", []),
            (f"INSERT INTO {QUARTER_ROLLUP} (year, quarter) {_quarters(PROGRESS)}", []),
        ]
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        for sql, args in statements:
            cursor.execute(sql, args)
