"""Reminder e-mails: each department's reporters daily, the office a weekly digest.

Reporters get what closes within ``settings.REMINDER_DAYS`` and what is overdue (nothing sent when
there is neither). On ``DIGEST_WEEKDAY`` (Monday) each office gets the departments of its
regions with overdue figures. Uses the e-mail backend from settings. Idempotent in effect:
running it twice on a day only sends the same reminder twice; it changes no data.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

from .. import roles
from ..models import Department, Profile
from ..selectors import DueSummary, due_items

DIGEST_WEEKDAY = 0  # Monday
_MAX_LINES = 30


def reminders_send(*, today: datetime.date) -> int:
    """Send the day's reminders; returns the number of e-mails sent."""
    departments = list(
        Department.objects.select_related("region").filter(
            pk__in=Profile.objects.filter(
                department__isnull=False, user__is_active=True, user__groups__name=roles.REPORTER
            ).values("department_id")
        )
    )
    summaries = due_items(departments=departments, today=today)
    days = settings.REMINDER_DAYS
    messages = []
    for department in departments:
        summary = summaries[department.pk]
        soon = [
            i
            for i in summary.open
            if i.status not in ("submitted", "approved") and (i.deadline - today).days <= days
        ]
        if not soon and not summary.overdue:
            continue
        recipients = _emails(roles.REPORTER, department_id=department.pk)
        if recipients:
            messages.append(
                (
                    _("【质量目标跟踪】%(department)s数据填报提醒") % {"department": department},
                    _reporter_body(department, soon, summary, today, days),
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
            )
    if today.weekday() == DIGEST_WEEKDAY:
        messages.extend(_office_digests(departments, summaries))
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def _reporter_body(
    department: Department,
    soon,
    summary: DueSummary,  # type: ignore[no-untyped-def]
    today: datetime.date,
    days: int,
) -> str:
    lines = [_("%(department)s：") % {"department": department}, ""]
    if soon:
        lines.append(_("以下数据将于%(days)d天内截止填报：") % {"days": days})
        lines += [
            f"  · {i.indicator_name}（{i.period.label}，{_('截止')} {i.deadline:%Y-%m-%d}）"
            for i in soon[:_MAX_LINES]
        ]
        lines.append("")
    if summary.overdue:
        lines.append(_("以下数据已逾期未报（共%(n)d项）：") % {"n": len(summary.overdue)})
        lines += [
            f"  · {i.indicator_name}（{i.period.label}）" for i in summary.overdue[:_MAX_LINES]
        ]
        if len(summary.overdue) > _MAX_LINES:
            lines.append(_("  …… 等%(n)d项") % {"n": len(summary.overdue)})
        lines.append("")
    lines.append(
        _("请登录质量目标跟踪系统“数据填报”页面尽快填报。（%(date)s）")
        % {"date": f"{today:%Y-%m-%d}"}
    )
    return "\n".join(lines)


def _office_digests(departments: list[Department], summaries: dict[int, DueSummary]):  # type: ignore[no-untyped-def]
    late_by_region: dict[int, list[tuple[Department, int]]] = defaultdict(list)
    for department in departments:
        if summaries[department.pk].overdue:
            late_by_region[department.region_id].append(
                (department, len(summaries[department.pk].overdue))
            )
    if not late_by_region:
        return []
    messages = []
    offices = (
        Profile.objects.filter(user__is_active=True, user__groups__name=roles.OFFICE)
        .exclude(user__email="")
        .select_related("user", "region")
    )
    for profile in offices:
        covered = set(profile.region.descendant_ids())
        late = [
            item
            for region_id, items in late_by_region.items()
            if region_id in covered
            for item in items
        ]
        if not late:
            continue
        lines = [_("本周逾期未报数据的部门（共%(n)d个）：") % {"n": len(late)}, ""]
        lines += [
            _("  · %(department)s：逾期%(count)d项") % {"department": d, "count": n}
            for d, n in sorted(late, key=lambda x: -x[1])
        ]
        messages.append(
            (
                _("【质量目标跟踪】逾期填报部门周报"),
                "\n".join(lines),
                settings.DEFAULT_FROM_EMAIL,
                [profile.user.email],
            )
        )
    return messages


def _emails(role: str, *, department_id: int) -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=role, profile__department_id=department_id)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))
