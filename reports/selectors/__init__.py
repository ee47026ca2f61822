"""Dashboard reads: the frames and querysets the 总览/城市/部门/指标/目标 pages show.

Built on ``targets.selectors`` (Progress rows of one quarter, rollups) and plain ``values()``
queries. Every function here runs a fixed number of queries whatever the number of targets
(docs/scale.md): pages read their status counts from the rollup tables (docs/scale.md §8) and
page the stored Progress rows they list; they never recompute progress. Nothing here knows
about requests or templates; scoping arrives as region ids (``None`` = every region) already
intersected with what the user may see.
"""

from targets.selectors import previous_quarter

from .changes import Change, what_changed, what_changed_page
from .filters import (
    DashboardFilters,
    category_choices,
    quarter_choices,
    scoped_region_ids,
)
from .listings import (
    RankedDepartments,
    attach_progress,
    department_list,
    indicator_list,
    latest_actuals,
    plan_status_counts,
    targets_for,
    with_last_status,
    with_target_counts,
)
from .progress import (
    BEHIND_STATUSES,
    STATUS_ORDER,
    Rollup,
    StatusChange,
    behind_count,
    behind_targets,
    progress_rows,
    rollup_frame,
    status_by_department,
    status_by_region,
    status_change,
    status_counts,
    status_rollups,
    status_trend,
)
from .reporting import (
    OverdueDepartments,
    Reporting,
    overdue_departments,
    reporting_by_department,
)
from .targets import actuals_frame, period_end, target_actuals, target_changes, target_history

__all__ = [
    "BEHIND_STATUSES",
    "STATUS_ORDER",
    "Change",
    "DashboardFilters",
    "OverdueDepartments",
    "RankedDepartments",
    "Reporting",
    "Rollup",
    "StatusChange",
    "actuals_frame",
    "attach_progress",
    "behind_count",
    "behind_targets",
    "category_choices",
    "department_list",
    "indicator_list",
    "latest_actuals",
    "overdue_departments",
    "period_end",
    "plan_status_counts",
    "previous_quarter",
    "progress_rows",
    "quarter_choices",
    "reporting_by_department",
    "rollup_frame",
    "scoped_region_ids",
    "status_by_department",
    "status_by_region",
    "status_change",
    "status_counts",
    "status_rollups",
    "status_trend",
    "target_actuals",
    "target_changes",
    "target_history",
    "targets_for",
    "what_changed",
    "what_changed_page",
    "with_last_status",
    "with_target_counts",
]
