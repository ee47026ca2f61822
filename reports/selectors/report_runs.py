"""Who may read and request quarterly reports, and which runs a reader sees (docs/roles.md).

The 报告 pages, the request service and the navigation ask here, so they agree; the PDF
package itself decides nothing about access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts import roles
from accounts.permissions import has_any_role, visible_region_ids

from ..models import ReportRun

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


def can_request_reports(user: User) -> bool:
    """The leading-group office exports reports (docs/roles.md)."""
    return bool(user.is_authenticated and (
        getattr(user, "is_superuser", False) or has_any_role(user, [roles.OFFICE])
    ))


def can_read_reports(user: User) -> bool:
    """The office and leaders read and download reports; reporters and auditors do not."""
    return can_request_reports(user) or has_any_role(user, [roles.LEADER])


def report_runs_visible_to(user: User) -> QuerySet[ReportRun]:
    """The runs ``user`` may see: those whose scope lies in the regions the user reads."""
    runs = ReportRun.objects.select_related(
        "region", "plan", "department", "department__region", "requested_by"
    )
    if not can_read_reports(user):
        return runs.none()
    ids = visible_region_ids(user)
    if ids is None:
        return runs
    return runs.filter(
        Q(region_id__in=ids) | Q(plan__region_id__in=ids) | Q(department__region_id__in=ids)
        | Q(scope=ReportRun.Scope.ALL, requested_by__profile__region_id__in=ids)
    )
