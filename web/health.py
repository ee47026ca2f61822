"""The 系统 page's content: settings read-only, versions, and the health of background work.

The 系统管理员 keeps the configuration (三权分立, indicators/roles.py) but changes it in the
environment, not on a page: the page only shows what is in force and whether the background
work keeps up (docs/roles.md, "系统"). Nothing here shows business figures or secrets: URLs
are cut to scheme and host (a robot webhook's query string carries its access token).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import sqlite3
from dataclasses import dataclass
from urllib.parse import urlsplit

import celery
import django
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import ImportJob
from reports.models import ReportRun
from targets.models import Progress, RecomputeRequest

from .models import Heartbeat

WORKER = "worker"
RECOMPUTE_ALL = "recompute_all"
#: The beat task stamps every minute; three missed stamps mean nobody runs it.
HEARTBEAT_STALE = datetime.timedelta(minutes=3)
#: Work queued longer than this is flagged (the sweeps run every minute).
QUEUE_STALE = datetime.timedelta(minutes=10)


def heartbeat_stamp(*, name: str, detail: str = "") -> None:
    """Record that ``name`` was alive now (one row per name, overwritten)."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now(), "detail": detail[:200]}
    )


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    ok: bool = True  # False: the page marks the line as needing attention
    note: str = ""


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}" if host else ""


def _yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def _days(n: int) -> str:
    return _("%(n)d天") % {"n": n}


def settings_lines() -> list[Line]:
    """The settings in force that decide what users see (all from the environment)."""
    webhook = getattr(settings, "REMINDER_WEBHOOK_URL", "")
    return [
        Line(_("进度正常（进度比 q 不低于）"), f"{settings.PROGRESS_ON_TRACK:g}"),
        Line(_("进度滞后（进度比 q 不低于，再低为严重滞后）"), f"{settings.PROGRESS_LAGGING:g}"),
        Line(_("年度考核规则"), settings.PROGRESS_ANNUAL_RULE),
        Line(_("力争类目标不计入得分"), _yes(settings.ROLLUP_EXCLUDE_ASPIRATIONAL)),
        Line(_("填报宽限期（报告期结束后）"), _days(settings.REPORTING_GRACE_DAYS)),
        Line(_("提醒提前"), _days(settings.REMINDER_DAYS)),
        Line(_("审计日志保留"), _days(settings.AUDIT_RETENTION_DAYS)),
        Line(_("登录失败锁定"), _("连续%(n)d次，锁定%(m)d分钟") % {
            "n": settings.AXES_FAILURE_LIMIT, "m": round(settings.AXES_COOLOFF_TIME * 60)}),
        Line(_("时区"), settings.TIME_ZONE),
        Line(_("默认语言"), settings.LANGUAGE_CODE),
        Line(_("邮件发送方式"), settings.EMAIL_BACKEND.rsplit(".", 2)[-2]),
        Line(_("提醒 Webhook"), _host(webhook) or _("未配置")),
        Line(_("消息队列"),
             _host(settings.CELERY_BROKER_URL) or _("未配置（任务在网页进程内执行）")),
    ]


def _database_version() -> str:
    if connection.vendor == "postgresql":
        number = connection.pg_version or 0  # type: ignore[attr-defined]
        return f"PostgreSQL {number // 10000}.{number % 100}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def version_lines() -> list[Line]:
    try:
        own = importlib.metadata.version("qualitytrack")
    except importlib.metadata.PackageNotFoundError:
        own = "—"
    connection.ensure_connection()
    return [
        Line("QualityTrack", own),
        Line("Python", platform.python_version()),
        Line("Django", django.get_version()),
        Line("Celery", celery.__version__),
        Line(_("数据库"), _database_version()),
    ]


def _when(at: datetime.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") if at else "—"


def _age(now: datetime.datetime, at: datetime.datetime) -> str:
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 120:
        return _("%(n)d秒前") % {"n": seconds}
    if seconds < 2 * 3600:
        return _("%(n)d分钟前") % {"n": seconds // 60}
    if seconds < 2 * 86400:
        return _("%(n)d小时前") % {"n": seconds // 3600}
    return _("%(n)d天前") % {"n": seconds // 86400}


def _queue(label: str, rows, field: str, now: datetime.datetime, counted: str) -> Line:
    """``counted``: the count in words, e.g. "%(n)d条"."""
    count = rows.count()
    if not count:
        return Line(label, counted % {"n": 0})
    oldest = rows.aggregate(oldest=Min(field))["oldest"]
    return Line(
        label, counted % {"n": count}, ok=now - oldest < QUEUE_STALE,
        note=_("最早一项排队于 %(when)s（%(age)s）") % {"when": _when(oldest),
                                                       "age": _age(now, oldest)},
    )


def background_lines(now: datetime.datetime | None = None) -> list[Line]:
    """Is the background work keeping up? Each line says what it counts and since when."""
    now = now or timezone.now()
    stamps = {h.name: h for h in Heartbeat.objects.all()}
    lines = []
    worker = stamps.get(WORKER)
    if not settings.CELERY_BROKER_URL:
        lines.append(Line(_("工作进程心跳"), _("不适用"),
                          note=_("未配置消息队列：任务在网页进程内同步执行。")))
    elif worker is None:
        lines.append(Line(_("工作进程心跳"), _("从未收到"), ok=False,
                          note=_("请检查 celery worker 与 celery beat 是否在运行。")))
    else:
        fresh = now - worker.at < HEARTBEAT_STALE
        lines.append(Line(
            _("工作进程心跳"), _age(now, worker.at), ok=fresh,
            note=_when(worker.at) if fresh
            else _("超过%(n)d分钟没有心跳：请检查 celery worker 与 celery beat。") % {
                "n": int(HEARTBEAT_STALE.total_seconds() // 60)},
        ))
    lines.append(_queue(_("进度重算待办（outbox）"),
                        RecomputeRequest.objects.filter(done_at__isnull=True),
                        "requested_at", now, _("%(n)d条")))
    nightly = stamps.get(RECOMPUTE_ALL)
    lines.append(Line(
        _("最近一次全量重算（每晚2:00）"), _when(nightly.at) if nightly else _("尚无记录"),
        ok=nightly is None or now - nightly.at < datetime.timedelta(hours=26),
        note=_("更新%(n)s条进度") % {"n": nightly.detail} if nightly and nightly.detail else "",
    ))
    computed = Progress.objects.aggregate(last=Max("computed_at"))["last"]
    lines.append(Line(_("最近一次进度计算"), _when(computed)))
    lines.append(_queue(_("待生成的报告"),
                        ReportRun.objects.filter(state__in=[ReportRun.State.PENDING,
                                                            ReportRun.State.RUNNING]),
                        "created_at", now, _("%(n)d份")))
    lines.append(_queue(_("待处理的Excel导入"),
                        ImportJob.objects.filter(state__in=[ImportJob.State.PENDING,
                                                            ImportJob.State.RUNNING]),
                        "created_at", now, _("%(n)d个")))
    return lines
