"""Bulk export of one quarter's published progress, for a mirror's full sync (docs/scale.md).

Two formats, the same rows and keys as the feed's ``/api/v1/progress/`` (``ProgressSerializer``):

* NDJSON (``application/x-ndjson``): one JSON object per line, exactly a feed row;
* CSV (``text/csv``, UTF-8 with BOM so Excel reads the Chinese): a header of the feed's keys,
  booleans ``true``/``false``, an empty cell for null, department names joined with "、", and
  text cells that Excel would run as a formula prefixed with an apostrophe, as the feed's CSV.

On PostgreSQL the rows leave the server through ``COPY (SELECT …) TO STDOUT`` (psycopg 3's
``cursor.copy()``), already formatted, block by block: nothing is built per row in Python,
which is what makes a national quarter (120,000 rows) a matter of seconds. Elsewhere (SQLite,
the embedded default) the feed's serializer runs over a server-side iterator in chunks.
Either way the answer is streamed, so memory does not grow with the quarter.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.renderers import BOM, FORMULA_START
from indicators.models import Department, Indicator, Region

from .models import Plan, Progress, Target
from .serializers import ProgressSerializer, department_names_prefetch
from .wording import PACE_STATUSES, REASON_LABELS, reason_label

FORMATS = ("ndjson", "csv")
CHUNK = 2000

#: Text columns a spreadsheet could take for a formula (CSV only; NDJSON is data).
TEXT_COLUMNS = (
    "target_code", "plan", "region", "indicator", "indicator_name", "lead_departments",
    "status_label", "reason",
)
BOOLEAN_COLUMNS = (
    "moving_away", "stale", "provisional", "exceeds_stretch", "unattainable", "projected_to_meet",
)


def export_columns() -> list[str]:
    """The feed's keys, in its order."""
    return list(ProgressSerializer.Meta.fields)


def progress_export_rows(*, year: int, quarter: int) -> QuerySet[Progress]:
    """The published progress rows of one quarter, with what a feed row shows, in target
    order (the index ``progress_quarter_target``)."""
    return (
        Progress.objects.filter(
            year=year, quarter=quarter, target__plan__status__in=Plan.Status.published()
        )
        .select_related("target", "target__indicator", "target__plan", "target__plan__region")
        .prefetch_related(department_names_prefetch("target__lead_departments"))
        .order_by("target_id")
    )


def progress_export_stream(*, year: int, quarter: int, fmt: str, using: str) -> Iterator[bytes]:
    """The export as blocks of bytes (``fmt``: ``ndjson`` or ``csv``), from database ``using``."""
    if connections[using].vendor == "postgresql":
        return _copy_stream(year=year, quarter=quarter, fmt=fmt, using=using)
    return _serializer_stream(year=year, quarter=quarter, fmt=fmt, using=using)


# --- Everywhere: the feed's serializer over an iterator ------------------------------------


def _serializer_stream(*, year: int, quarter: int, fmt: str, using: str) -> Iterator[bytes]:
    rows = progress_export_rows(year=year, quarter=quarter).using(using)
    columns = export_columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "csv":
        writer.writerow(columns)
        yield (BOM + buffer.getvalue()).encode()
    chunk: list[Progress] = []
    for progress in rows.iterator(chunk_size=CHUNK):
        chunk.append(progress)
        if len(chunk) == CHUNK:
            yield _encode(chunk, fmt, columns)
            chunk = []
    if chunk:
        yield _encode(chunk, fmt, columns)


def _encode(chunk: list[Progress], fmt: str, columns: list[str]) -> bytes:
    data = ProgressSerializer(chunk, many=True).data
    if fmt == "ndjson":
        return "".join(
            json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n" for row in data
        ).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in data:
        writer.writerow(_csv_cell(key, row[key]) for key in columns)
    return buffer.getvalue().encode()


def _csv_cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)  # the shortest exact form, as PostgreSQL prints a float8
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, list):
        value = "、".join(value)
    text = str(value)
    if key in TEXT_COLUMNS and text.startswith(FORMULA_START):
        return "'" + text  # Excel runs "=…" as a formula (OWASP CSV injection)
    return text


# --- PostgreSQL: COPY … TO STDOUT ---------------------------------------------------------


def _copy_stream(*, year: int, quarter: int, fmt: str, using: str) -> Iterator[bytes]:
    from psycopg import sql

    select = _select_sql(year=year, quarter=quarter, fmt=fmt)
    if fmt == "ndjson":
        # CSV mode with a delimiter and quote that JSON never holds raw: each line goes out as
        # row_to_json wrote it (text mode would double every backslash of the JSON).
        statement = sql.SQL(
            "COPY (SELECT row_to_json(r) FROM ({}) r) TO STDOUT "
            "WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"
        ).format(select)
    else:
        statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(select)
    connection = connections[using]
    if fmt == "csv":
        yield BOM.encode()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # Times as the feed writes them (local, ISO 8601): for this statement only.
        cursor.execute("SELECT current_setting('TimeZone')")
        zone = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        with cursor.cursor.copy(statement) as copy:
            for block in copy:
                yield bytes(block)
        # A cut-off download ends the transaction instead, which also undoes the setting.
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [zone])


def _gap_text_sql() -> Any:
    """``targets.wording.gap_phrase`` in SQL, word for word (the words in the request's
    language): at most two decimals without trailing zeros, the target's unit, else the
    indicator's; 「—」 without a gap (docs/monitoring.md "Gap words")."""
    from psycopg import sql

    pace = sql.SQL(", ").join(map(sql.Literal, sorted(PACE_STATUSES)))
    magnitude = sql.SQL(
        "rtrim(rtrim(to_char(round(abs(p.gap)::numeric, 2), 'FM999999999999990.00'), '0'), '.')"
        " || COALESCE(NULLIF(t.unit, ''), i.unit, '')"
    )
    return sql.SQL(
        "CASE WHEN p.gap IS NULL OR p.gap = 'NaN' THEN {none} "
        "WHEN p.gap = 0 THEN CASE WHEN p.status IN ({pace}) THEN {level} ELSE {met} END "
        "WHEN p.status IN ({pace}) THEN CASE WHEN p.gap > 0 THEN {ahead} ELSE {behind} END "
        "|| ' ' || {magnitude} "
        "ELSE CASE WHEN p.gap > 0 THEN {beyond} ELSE {short} END || ' ' || {magnitude} END"
    ).format(
        none=sql.Literal("—"), pace=pace, magnitude=magnitude,
        level=sql.Literal(_("持平")), met=sql.Literal(_("恰好达到")),
        ahead=sql.Literal(_("超前")), behind=sql.Literal(_("落后")),
        beyond=sql.Literal(_("超出")), short=sql.Literal(_("差")),
    )


def _select_sql(*, year: int, quarter: int, fmt: str) -> Any:
    """The SELECT whose columns are the feed's keys, formatted for ``fmt``."""
    from psycopg import sql

    csv_mode = fmt == "csv"
    expressions = _column_expressions(csv_mode)
    columns = []
    for key in export_columns():
        expression = expressions.get(key, sql.SQL("p.{}").format(sql.Identifier(key)))
        if csv_mode:
            expression = _csv_cell_sql(key, expression)
        columns.append(sql.SQL("{} AS {}").format(expression, sql.Identifier(key)))
    return sql.SQL(
        "SELECT {columns} FROM {progress} p "
        "JOIN {target} t ON t.id = p.target_id JOIN {plan} pl ON pl.id = t.plan_id "
        "JOIN {region} r ON r.id = pl.region_id JOIN {indicator} i ON i.id = t.indicator_id "
        "WHERE p.year = {year} AND p.quarter = {quarter} AND pl.status IN ({published}) "
        "ORDER BY p.target_id"
    ).format(
        columns=sql.SQL(", ").join(columns), progress=_table(Progress), target=_table(Target),
        plan=_table(Plan), region=_table(Region), indicator=_table(Indicator),
        year=sql.Literal(int(year)), quarter=sql.Literal(int(quarter)),
        published=sql.SQL(", ").join(map(sql.Literal, Plan.Status.published())),
    )


def _table(model: Any) -> Any:
    from psycopg import sql

    return sql.Identifier(model._meta.db_table)


def _column_expressions(csv_mode: bool) -> dict[str, Any]:
    """The SQL of each feed key that is not a Progress column of the same name."""
    from psycopg import sql

    leads = Target.lead_departments.through
    status_label = sql.SQL("CASE p.status {} END").format(sql.SQL(" ").join(
        sql.SQL("WHEN {} THEN {}").format(sql.Literal(value), sql.Literal(str(label)))
        for value, label in Progress.Status.choices
    ))
    names = sql.SQL(
        "ARRAY(SELECT d.name FROM {leads} tl JOIN {department} d ON d.id = tl.department_id "
        "WHERE tl.target_id = t.id ORDER BY d.name)"
    ).format(leads=_table(leads), department=_table(Department))
    return {
        "id": sql.SQL("p.id"),
        "target": sql.SQL("p.target_id"),
        "target_code": sql.SQL("t.code"),
        "plan": sql.SQL("pl.code"),
        "region": sql.SQL("r.name"),
        "indicator": sql.SQL("i.code"),
        "indicator_name": sql.SQL("i.name"),
        "lead_departments": (
            sql.SQL("array_to_string({}, '、')").format(names) if csv_mode else names
        ),
        "quarter": sql.SQL("p.year || 'Q' || p.quarter"),
        "status": sql.SQL("p.status"),
        "status_label": status_label,
        "reason": sql.SQL("p.reason"),
        "data_period": sql.SQL(
            "CASE WHEN p.data_year IS NULL THEN NULL "
            "WHEN COALESCE(p.data_quarter, 0) <> 0 THEN p.data_year || 'Q' || p.data_quarter "
            "ELSE p.data_year::text END"
        ),
        # JSON's own text of a timestamptz is ISO 8601 in the session's zone, as the feed's.
        "computed_at": sql.SQL("to_json(p.computed_at) #>> '{}'"),
        "gap_text": _gap_text_sql(),
        "reason_text": sql.SQL("CASE WHEN COALESCE(p.reason, '') = '' THEN '' {} ELSE p.reason END"
                               ).format(sql.SQL(" ").join(
            sql.SQL("WHEN p.reason = {} THEN {}").format(sql.Literal(code),
                                                          sql.Literal(reason_label(code)))
            for code in REASON_LABELS
        )),
    }


def _csv_cell_sql(key: str, expression: Any) -> Any:
    """A CSV cell: text that could start a formula neutralised (docs/reliability.md, row 4),
    booleans as true/false."""
    from psycopg import sql

    if key in TEXT_COLUMNS:
        return sql.SQL(
            "CASE WHEN left({e}, 1) IN ({starts}) THEN '''' || {e} ELSE {e} END"
        ).format(e=expression, starts=sql.SQL(", ").join(map(sql.Literal, FORMULA_START)))
    if key in BOOLEAN_COLUMNS:
        return sql.SQL("CASE WHEN p.{c} THEN 'true' WHEN NOT p.{c} THEN 'false' END"
                       ).format(c=sql.Identifier(key))
    return expression
