"""Reminders: each late or due department daily, the office a weekly digest (docs/roles.md).

Every department that leads a target in force is considered, with or without a reporter
account. Reporters get what closes within ``settings.REMINDER_DAYS`` and what is overdue
(nothing sent when there is neither). On ``DIGEST_WEEKDAY`` (Monday) each office gets every
late department of its regions, those without a reporter account marked 「无填报账号」. What
is overdue or due soon is read from ``ReportingDue`` (``selectors.due``), so a run costs the
same queries for 3,200 departments as for three (docs/monitoring.md "Reporting completeness
and overdue").

Two channels. E-mail (the backend from settings) to the department's reporters and to the
offices. A webhook, when ``REMINDER_WEBHOOK_URL`` is set: the same reminders posted as JSON
in the text-message format that 钉钉 and 企业微信 group robots accept,
``{"msgtype": "text", "text": {"content": "…"}}`` — every department's reminder (an account
is not needed: the group reaches the department) and, on Mondays, one digest of every late
department. What could not be sent, and why, comes back in ``ReminderOutcome``.

Idempotent in effect: running it twice on a day only sends the same reminders twice; it
changes no data.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Profile

from ..duties import duties
from ..models import Department
from ..selectors import DueItem
from ..selectors.due import due_soon, overdue_by_department

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

DIGEST_WEEKDAY = 0  # Monday
_MAX_LINES = 30
#: 企业微信 caps a text message at 2048 bytes (钉钉 at 20000): longer ones are cut there.
WEBHOOK_MAX_BYTES = 2048


@dataclass
class ReminderOutcome:
    """What one run sent, and what it could not send with the reason."""

    sent: int = 0  # e-mails
    posted: int = 0  # webhook messages
    no_account: list[str] = field(default_factory=list)  # departments without a reporter
    no_email: list[str] = field(default_factory=list)  # accounts that should hear but have none
    webhook_failed: int = 0
    webhook_errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One Chinese paragraph for ``send_reminders`` (and the worker log)."""
        lines = [_("已发送%(n)d封提醒邮件。") % {"n": self.sent}]
        if self.posted or self.webhook_failed:
            lines.append(_("已推送%(n)d条群消息（Webhook）。") % {"n": self.posted})
        missing = []
        if self.no_account:
            missing.append(_("%(n)d个部门无填报账号（%(names)s）") % {
                "n": len(self.no_account), "names": "、".join(self.no_account[:10])
                + ("等" if len(self.no_account) > 10 else "")})
        if self.no_email:
            missing.append(_("%(n)d个账号无邮箱（%(names)s）") % {
                "n": len(self.no_email), "names": "、".join(self.no_email[:10])
                + ("等" if len(self.no_email) > 10 else "")})
        if missing:
            lines.append(_("未能发送邮件：%(what)s。") % {"what": "，".join(missing)})
        if self.webhook_failed:
            lines.append(_("群消息推送失败%(n)d条：%(why)s。") % {
                "n": self.webhook_failed, "why": "；".join(dict.fromkeys(self.webhook_errors))})
        return "\n".join(lines)


@dataclass(frozen=True)
class _Reminder:
    subject: str
    body: str
    recipients: list[str]


def reminders_send(*, today: datetime.date) -> ReminderOutcome:
    """Send the day's reminders by e-mail and, if configured, the webhook.

    What is overdue or due soon is read from ``ReportingDue`` (``selectors.due``): a fixed
    number of queries over the figures not yet in, whatever the number of departments.
    """
    outcome = ReminderOutcome()
    departments = {
        d.pk: d for d in Department.objects.select_related("region")
        .filter(pk__in=duties().leading_department_ids()).order_by("region_id", "name")
    }
    late = overdue_by_department(departments, as_of=today, shown=_MAX_LINES)
    soon = due_soon(departments, today=today, within_days=settings.REMINDER_DAYS)
    reporters = _reporters(list(departments))
    reminders: list[_Reminder] = []
    for department in departments.values():
        overdue = late.get(department.pk, (0, []))
        if not soon.get(department.pk) and not overdue[0]:
            continue
        accounts = reporters.get(department.pk, [])
        if not accounts:
            outcome.no_account.append(str(department))
        outcome.no_email += [user.get_username() for user in accounts if not user.email]
        reminders.append(_Reminder(
            _("【质量目标跟踪】%(department)s数据填报提醒") % {"department": department},
            _reporter_body(department, soon.get(department.pk, []), overdue, today),
            sorted({user.email for user in accounts if user.email}),
        ))
    digests: list[_Reminder] = []
    if today.weekday() == DIGEST_WEEKDAY:
        late_list = [(d, late[d.pk][0], bool(reporters.get(d.pk)))
                     for d in departments.values() if d.pk in late]
        digests = _office_digests(late_list, outcome)
        if late_list:
            digests.append(_Reminder(_("【质量目标跟踪】逾期填报部门周报"),
                                     _digest_body(late_list), []))
    mails = [(r.subject, r.body, settings.DEFAULT_FROM_EMAIL, r.recipients)
             for r in reminders + digests if r.recipients]
    outcome.sent = send_mass_mail(mails, fail_silently=False) if mails else 0
    url = getattr(settings, "REMINDER_WEBHOOK_URL", "")
    if url:
        # every department's reminder (accounts or not) and one digest of every late one
        _webhook_post_all(url, reminders + [d for d in digests if not d.recipients], outcome)
    return outcome


def _reporters(department_ids: list[int]) -> dict[int | None, list[User]]:
    users = (
        get_user_model().objects.filter(
            is_active=True, groups__name=roles.REPORTER,
            profile__department__in=department_ids,
        ).select_related("profile").order_by("username")
    )
    found: dict[int | None, list[User]] = defaultdict(list)
    for user in users:
        found[user.profile.department_id].append(user)
    return found


def _reporter_body(
    department: Department,
    soon: list[DueItem],
    overdue: tuple[int, list[DueItem]],
    today: datetime.date,
) -> str:
    """``overdue``: how many figures are overdue, and the newest ``_MAX_LINES`` of them."""
    days = settings.REMINDER_DAYS
    count, newest = overdue
    lines = [_("%(department)s：") % {"department": department}, ""]
    if soon:
        lines.append(_("以下数据将于%(days)d天内截止填报：") % {"days": days})
        lines += [
            f"  · {i.indicator_name}（{i.period.label}，{_('截止')} {i.deadline:%Y-%m-%d}）"
            for i in soon[:_MAX_LINES]
        ]
        lines.append("")
    if count:
        lines.append(_("以下数据已逾期未报（共%(n)d项）：") % {"n": count})
        lines += [f"  · {i.indicator_name}（{i.period.label}）" for i in newest[:_MAX_LINES]]
        if count > _MAX_LINES:
            lines.append(_("  …… 等%(n)d项") % {"n": count})
        lines.append("")
    lines.append(
        _("请登录质量目标跟踪系统“数据填报”页面尽快填报。（%(date)s）")
        % {"date": f"{today:%Y-%m-%d}"}
    )
    return "\n".join(lines)


def _digest_body(late: list[tuple[Department, int, bool]]) -> str:
    """Every late department, most overdue first; 无填报账号 where nobody can enter."""
    lines = [_("本周逾期未报数据的部门（共%(n)d个）：") % {"n": len(late)}, ""]
    for department, count, has_account in sorted(late, key=lambda x: (-x[1], str(x[0]))):
        line = _("  · %(department)s：逾期%(count)d项") % {"department": department,
                                                          "count": count}
        if not has_account:
            line += _("（无填报账号）")
        lines.append(line)
    if not all(has for _d, _n, has in late):
        lines += ["", _("无填报账号的部门收不到提醒：请安全管理员为其开设填报账号。")]
    return "\n".join(lines)


def _office_digests(late: list[tuple[Department, int, bool]],
                    outcome: ReminderOutcome) -> list[_Reminder]:
    if not late:
        return []
    digests = []
    offices = (
        Profile.objects.filter(user__is_active=True, user__groups__name=roles.OFFICE)
        .select_related("user", "region").order_by("user__username")
    )
    for profile in offices:
        covered = set(profile.region.descendant_ids())
        mine = [item for item in late if item[0].region_id in covered]
        if not mine:
            continue
        if not profile.user.email:
            outcome.no_email.append(profile.user.get_username())
            continue
        digests.append(_Reminder(_("【质量目标跟踪】逾期填报部门周报"), _digest_body(mine),
                                 [profile.user.email]))
    return digests


# --- The webhook channel ---------------------------------------------------------------------


def webhook_payload(subject: str, body: str) -> dict[str, object]:
    """The text message both 钉钉 and 企业微信 group robots accept, cut to 2048 bytes."""
    content = f"{subject}\n{body}"
    raw = content.encode("utf-8")
    if len(raw) > WEBHOOK_MAX_BYTES:
        content = raw[: WEBHOOK_MAX_BYTES - len("…".encode())].decode("utf-8", "ignore") + "…"
    return {"msgtype": "text", "text": {"content": content}}


def _signed(url: str) -> str:
    """钉钉's 加签: timestamp and HMAC-SHA256 of "timestamp\\nsecret", when a secret is set."""
    secret = getattr(settings, "REMINDER_WEBHOOK_SECRET", "")
    if not secret:
        return url
    timestamp = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    sign = quote_plus(base64.b64encode(digest.digest()))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class _Unreachable(Exception):
    pass


def _webhook_post(url: str, payload: dict[str, Any]) -> str:
    """Post one message; '' when the robot accepted it, else the reason in words.
    Raises ``_Unreachable`` when no answer came at all."""
    try:
        response = requests.post(_signed(url), json=payload,
                                 timeout=settings.REMINDER_WEBHOOK_TIMEOUT)
    except requests.RequestException as error:
        raise _Unreachable(_("无法连接（%(what)s）") % {"what": type(error).__name__}) from error
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        answer = response.json()
    except ValueError:
        return ""  # a receiver that answers 200 without JSON took it
    code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if code:
        return f"errcode {code}: {answer.get('errmsg', '')}"
    return ""


def _webhook_post_all(url: str, reminders: list[_Reminder], outcome: ReminderOutcome) -> None:
    """Post each reminder; robots take about 20 a minute, hence the pause between posts.
    After a connection failure the rest are counted as failed, not tried one by one."""
    for number, reminder in enumerate(reminders):
        if number:
            time.sleep(settings.REMINDER_WEBHOOK_INTERVAL_SECONDS)
        try:
            error = _webhook_post(url, webhook_payload(reminder.subject, reminder.body))
        except _Unreachable as unreachable:
            outcome.webhook_failed += len(reminders) - number
            outcome.webhook_errors.append(str(unreachable))
            logger.warning("reminder webhook unreachable: %s", unreachable)
            return
        if error:
            logger.warning("reminder webhook refused a message: %s", error)
            outcome.webhook_failed += 1
            outcome.webhook_errors.append(error)
        else:
            outcome.posted += 1
