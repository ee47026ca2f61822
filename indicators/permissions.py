"""Who may see, enter and approve what. Used by views, the API and the services alike.

Office, leader and auditor rights cover the user's region and every region under it; a
reporter acts for one department of one region. Superusers see everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts import roles
from accounts.permissions import has_any_role, visible_region_ids

from .models import Department, Indicator, Observation, Region

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def region_queryset_visible_to(user: AbstractBaseUser | AnonymousUser):
    ids = visible_region_ids(user)
    return Region.objects.all() if ids is None else Region.objects.filter(pk__in=ids)


def region_filter_ids(user: AbstractBaseUser | AnonymousUser) -> list[int] | None:
    """``visible_region_ids``, or None when those are every region there is.

    A region filter then keeps every row that has a region, so it is left out: the national
    office's scope is the whole country, and a list of its ~3,200 region ids in every
    dashboard query only cost planning time (docs/scale.md §8). Exact: one count of the
    regions, compared with the user's (distinct) ids; cached on the user for the request.
    """
    cached = getattr(user, "_qt_region_filter", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    ids = visible_region_ids(user)
    if ids is not None and ids and len(set(ids)) == Region.objects.count():
        ids = None
    user._qt_region_filter = ids  # type: ignore[union-attr]
    return ids


# --- Data entry (issue #4) -------------------------------------------------------------------
# Every rule below raises PermissionDenied with a Chinese message, so a page answers 403 and
# the API (core.api_errors.exception_handler) answers 403 with the same words.


def reporter_department(user: AbstractBaseUser | AnonymousUser) -> Department | None:
    """The department a reporter acts for, or None when the user is not a reporter."""
    if not roles.has_role(user, roles.REPORTER):
        return None
    profile = getattr(user, "profile", None)
    return profile.department if profile is not None else None


def led_indicator_ids(department: Department) -> set[int]:
    """Indicators of targets that ``department`` leads in its own region (any plan status).

    Told by the targets layer through ``indicators.duties``: this layer neither imports
    ``targets`` nor reads its tables (import-linter: reports → targets → indicators).
    """
    from .duties import duties

    return duties().led_indicator_ids(department)


def entered_indicator_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The indicators a reporter may enter (its department's ``led_indicator_ids``); empty for
    anyone else. Read once per request: cached on the user object, which each request loads
    afresh."""
    department = reporter_department(user)
    if department is None:
        return set()
    cache = getattr(user, "_qt_led_indicators", None)
    if cache is None:
        cache = led_indicator_ids(department)
        user._qt_led_indicators = cache  # type: ignore[union-attr]
    return cache


def can_enter(user: AbstractBaseUser | AnonymousUser, indicator: Indicator) -> bool:
    """A reporter may enter figures for indicators its department leads, in its region."""
    return indicator.pk in entered_indicator_ids(user)


def ensure_can_enter(user: AbstractBaseUser | AnonymousUser, indicator: Indicator) -> Department:
    """The reporter's department, or PermissionDenied naming the indicator."""
    if not can_enter(user, indicator):
        raise PermissionDenied(
            _("您无权填报指标“%(name)s”：只有牵头该指标的部门填报员可以填报。")
            % {"name": indicator.name}
        )
    return reporter_department(user)  # type: ignore[return-value]


def ensure_reporter(user: AbstractBaseUser | AnonymousUser) -> Department:
    department = reporter_department(user)
    if department is None:
        raise PermissionDenied(_("只有部门填报员可以填报数据。"))
    return department


def is_office(user: AbstractBaseUser | AnonymousUser) -> bool:
    return roles.has_role(user, roles.OFFICE)


def ensure_office(user: AbstractBaseUser | AnonymousUser) -> None:
    if not is_office(user):
        raise PermissionDenied(_("只有领导小组办公室可以进行此操作。"))


def can_approve(user: AbstractBaseUser | AnonymousUser, observation: Observation) -> bool:
    """The office of the figure's region or a region above it (not the system admin)."""
    if not is_office(user):
        return False
    ids = visible_region_ids(user)
    return ids is None or observation.region_id in ids


def ensure_can_approve(user: AbstractBaseUser | AnonymousUser, observation: Observation) -> None:
    if not can_approve(user, observation):
        raise PermissionDenied(
            _("您无权审核“%(name)s”的数据。") % {"name": observation.indicator.name}
        )


def submitted_by_id(observation: Observation) -> int | None:
    """Who last submitted the figure (by form, API or Excel import), from its history."""
    return (
        observation.changes.filter(new_status=Observation.Status.SUBMITTED)
        .order_by("-at", "-pk").values_list("by_id", flat=True).first()
    )


#: The actions by which a person puts a figure (or a proposed correction) before the office.
AUTHOR_ACTIONS = ("create", "edit", "import", "submit", "correct")


def authors_of(observation: Observation) -> set[int]:
    """The people who entered, submitted or proposed a correction of the figure, through any
    channel (page, Excel, API). A department token's service account stands for its
    accountable person (``ApiToken.accountable``), so four eyes compare people, not accounts
    (docs/reliability.md, issue 12 row 2)."""
    from django.contrib.auth import get_user_model

    ids = set(
        observation.changes.filter(action__in=AUTHOR_ACTIONS)
        .exclude(by_id=None).values_list("by_id", flat=True)
    )
    if observation.created_by_id:
        ids.add(observation.created_by_id)
    if observation.proposed_by_id:
        ids.add(observation.proposed_by_id)
    people = get_user_model().objects.filter(
        pk__in=ids, api_token__accountable__isnull=False
    ).values_list("api_token__accountable_id", flat=True)
    return ids | set(people)


def ensure_not_own_submission(user: AbstractBaseUser | AnonymousUser,
                              observation: Observation) -> None:
    """Four eyes: whoever entered or submitted a figure, or proposed its correction, cannot
    also approve it (an account holding both roles, a superuser, or the person accountable
    for the department token that wrote it, included)."""
    if user.pk is not None and user.pk in authors_of(observation):
        raise PermissionDenied(
            _("不能审核本人填报、提交或更正的数据（包括通过本人负责的API令牌提交的），"
              "请由其他审核人审核。")
        )


def can_view_observation(user: AbstractBaseUser | AnonymousUser, observation: Observation) -> bool:
    """Office and leaders: their regions; reporters: figures of indicators they may enter."""
    if not user.is_authenticated:
        return False
    if has_any_role(user, [roles.OFFICE, roles.LEADER]):
        ids = visible_region_ids(user)
        return ids is None or observation.region_id in ids
    department = reporter_department(user)
    if department is not None:
        return observation.region_id == department.region_id and can_enter(
            user, observation.indicator
        )
    return False


def ensure_can_view_observation(
    user: AbstractBaseUser | AnonymousUser, observation: Observation
) -> None:
    if not can_view_observation(user, observation):
        raise PermissionDenied(_("您无权查看该数据。"))


def can_audit(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Only the 审计员 reads the audit log (separation of duties)."""
    return roles.has_role(user, roles.AUDITOR)


def ensure_can_audit(user: AbstractBaseUser | AnonymousUser) -> None:
    if not can_audit(user):
        raise PermissionDenied(_("只有审计员可以查看审计日志。"))


def can_view_system(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Only the 系统管理员 reads the 系统 page (settings and background health; docs/roles.md)."""
    return bool(user.is_authenticated and (
        user.is_superuser or roles.has_role(user, roles.ADMIN)  # type: ignore[attr-defined]
    ))


def ensure_can_view_system(user: AbstractBaseUser | AnonymousUser) -> None:
    if not can_view_system(user):
        raise PermissionDenied(_("只有系统管理员可以查看系统页面。"))


#: Roles that read the dashboards. The 审计员, 系统管理员 and 安全管理员 do not: each sees its
#: own pages only (docs/roles.md, separation of duties).
DASHBOARD_ROLES = [roles.OFFICE, roles.LEADER, roles.REPORTER]


def can_read_dashboards(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (
        user.is_superuser or has_any_role(user, DASHBOARD_ROLES)  # type: ignore[attr-defined]
    ))


def ensure_can_read_dashboards(user: AbstractBaseUser | AnonymousUser) -> None:
    if not can_read_dashboards(user):
        raise PermissionDenied(_("看板仅供领导小组办公室、领导和部门填报员查看。"))
