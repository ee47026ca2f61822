"""File exports of the data-entry pages: CSV (UTF-8 with BOM, opens in Excel) and .xlsx.

Every data export is recorded in the audit log (``audit_record(kind=EXPORT)``). The files
are written by ``core.tabular``, which keeps formula-like text (a username
``=HYPERLINK(…)``) from running in Excel (docs/reliability.md, part B, row 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditEvent
from core.tabular import csv_text, xlsx_table

from .calendar import Period
from .excel import reader as cols
from .models import Observation, ObservationChange
from .selectors import EntryRow, format_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(filename: str) -> str:
    """A Content-Disposition that keeps a Chinese file name (RFC 6266 / 5987)."""
    ascii_name = f"export.{filename.rsplit('.', 1)[-1]}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def template_row(row: EntryRow, period: Period) -> dict[str, object]:
    obs, last = row.observation, row.last
    return {
        cols.COL_CODE: row.indicator.code,
        cols.COL_NAME: row.indicator.name,
        cols.COL_UNIT: row.indicator.unit,
        cols.COL_TARGET: "；".join(row.goals),
        cols.COL_LAST: (_display(last) + f"（{last.period_label}）") if last else "",
        cols.COL_RANGE: row.allowed_range,
        cols.COL_PERIOD: period.label,
        cols.COL_VALUE: float(obs.value) if obs and obs.value is not None else None,
        cols.COL_STATE: obs.get_state_display() if obs and obs.state else "",
        cols.COL_EVIDENCE: obs.evidence if obs else "",
    }


def _display(observation: Observation) -> str:
    return (
        observation.get_state_display() if observation.state else format_number(observation.value)
    )


def _respond(
    request: HttpRequest,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    fmt: str,
    what: str,
) -> HttpResponse:
    rows = list(rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_table(title=title, headers=headers, rows=rows), content_type=XLSX
        )
        name = f"{title}-{stamp}.xlsx"
    else:
        response = HttpResponse(csv_text(headers, rows), content_type="text/csv; charset=utf-8")
        name = f"{title}-{stamp}.csv"
    response["Content-Disposition"] = attachment(name)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        detail=_("导出%(what)s（%(n)d行，%(fmt)s）") % {"what": what, "n": len(rows), "fmt": fmt},
    )
    return response


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def changes_response(
    request: HttpRequest, changes: QuerySet[ObservationChange], *, fmt: str
) -> HttpResponse:
    headers = [
        _("时间"),
        _("操作人"),
        _("操作"),
        _("指标"),
        _("地区"),
        _("报告期"),
        _("原值"),
        _("新值"),
        _("原状态"),
        _("新状态"),
        _("原因"),
    ]
    labels = dict(Observation.Status.choices)
    rows = (
        (
            _when(c.at),
            c.by.username if c.by else "",
            c.get_action_display(),
            c.observation.indicator.name,
            c.observation.region.name,
            c.observation.period_label,
            c.old_value,
            c.new_value,
            str(labels.get(c.old_status, c.old_status)),
            str(labels.get(c.new_status, c.new_status)),
            c.reason,
        )
        for c in changes.iterator(chunk_size=2000)
    )
    return _respond(
        request,
        title=_("数据变更记录"),
        headers=headers,
        rows=rows,
        fmt=fmt,
        what=_("数据变更记录"),
    )


def events_response(
    request: HttpRequest, events: QuerySet[AuditEvent], *, fmt: str
) -> HttpResponse:
    headers = [_("时间"), _("类型"), _("用户名"), _("IP地址"), _("请求"), _("详情")]
    rows = (
        (
            _when(e.at),
            e.get_kind_display(),
            e.username,
            e.ip_address or "",
            f"{e.method} {e.path}".strip(),
            e.detail,
        )
        for e in events.iterator(chunk_size=2000)
    )
    return _respond(
        request, title=_("审计日志"), headers=headers, rows=rows, fmt=fmt, what=_("审计日志")
    )


def observations_response(
    request: HttpRequest, observations: QuerySet[Observation], *, fmt: str
) -> HttpResponse:
    headers = [
        _("指标代码"),
        _("指标"),
        _("单位"),
        _("地区"),
        _("填报单位"),
        _("报告期"),
        _("数值"),
        _("进展状态"),
        _("状态"),
        _("提交时间"),
        _("审核时间"),
    ]
    rows = (
        (
            o.indicator.code,
            o.indicator.name,
            o.indicator.unit,
            o.region.name,
            o.department.name if o.department else "",
            o.period_label,
            format_number(o.value),
            o.get_state_display() if o.state else "",
            o.get_status_display(),
            _when(o.submitted_at),
            _when(o.approved_at),
        )
        for o in observations.iterator(chunk_size=2000)
    )
    return _respond(
        request, title=_("填报数据"), headers=headers, rows=rows, fmt=fmt, what=_("填报数据")
    )
