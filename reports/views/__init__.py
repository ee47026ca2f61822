"""Dashboard pages (总览, 城市/规划, 部门, 指标, 目标) and the 报告 pages (``report_runs``).
Thin: filter → selectors → figures → render; the 报告 pages call ``reports.services``.

Every page except home needs a login and is scoped to the regions the user may see
(``visible_region_ids``). Filters live in the URL (a GET form); ``?format=csv`` returns the
page's underlying rows as UTF-8 CSV with a BOM (so Excel opens it in Chinese). Figures are
built in ``reports.figures`` and shipped as ``json_script`` data islands; no inline script.
"""

from .common import LABELS, PROGRESS_CSV_HEADER
from .departments import department_detail, department_list
from .final import final_assessment
from .indicators import indicator_detail, indicator_list
from .plans import plan_detail, plan_list
from .report_runs import report_create, report_download, report_list, report_status
from .summary import DEPARTMENT_CHART_LIMIT, home, overview
from .targets import target_detail

__all__ = [
    "DEPARTMENT_CHART_LIMIT",
    "LABELS",
    "PROGRESS_CSV_HEADER",
    "department_detail",
    "department_list",
    "final_assessment",
    "home",
    "indicator_detail",
    "indicator_list",
    "overview",
    "plan_detail",
    "plan_list",
    "report_create",
    "report_download",
    "report_list",
    "report_status",
    "target_detail",
]
