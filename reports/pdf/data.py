"""The quarterly report's content, assembled from the shared selectors. Pure reads.

``report_data_build`` turns a scope (all / region / plan / department) and a quarter into a
``ReportData`` that the PDF templates render as they are: every number, label and sort
order is decided here, none in the templates. It reads the Progress rows the engine stored
(``targets.selectors``), the same department rollups the dashboards chart, and, for the
reporting-completeness section, the dashboards' one reporting selector
(``selectors.reporting``). The number of
queries does not grow with the number of targets.

Dates are derived from the quarter, never from the clock: the report is dated the day the
quarter's reporting closes (quarter end + ``REPORTING_GRACE_DAYS``), so the same data
always gives the same document. Nothing here decides who may read what: the caller resolves
the reader's regions into the ``ReportScope`` (``reports.services.report_scope_for``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from indicators.models import Department, Region, department_full_name
from targets.models import Plan, Progress, Target
from targets.selectors import (
    GOOD_STATUSES,
    UNASSESSABLE_STATUSES,
    previous_quarter,
    progress_for_quarter,
    rollup_by_department,
    rollup_by_region,
    status_counts,
    target_list,
)

from ..models import ReportRun
from ..selectors.reporting import (
    CompletenessRow,
    OverdueItem,
    quarter_end,
    report_date,
    reporting_completeness,
)
from .format import (
    BEHIND_ORDER,
    IMPROVEMENT_RANK,
    REPORT_STATUS_ORDER,
    AppendixRow,
    ReportLine,
    appendix_row,
    line_from_progress,
    percent,
    quarter_label,
    status_phrase,
)

#: The 文号 printed when the office gave none: left for a clerk to fill in by hand. The number
#: is the office's (its register of outgoing documents), never made up here (docs/report.md).
DOC_NUMBER_BLANK = "〔 〕号"
LEVEL_SUFFIX = {"province": "省", "city": "市", "district": "区", "county": "县"}


# --- Quarters and dates ------------------------------------------------------------------------


# --- Scope -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What a report covers, resolved to the filters the selectors take."""

    kind: str
    label: str
    key: str  # natural key, stable across databases: it seeds the 文号
    region_ids: list[int] | None = None
    plan_ids: list[int] | None = None
    department_id: int | None = None
    office_region: Region | None = None

    @property
    def office(self) -> str:
        """The issuing office (发文机关), e.g. 赣榆区质量强区工作领导小组办公室."""
        region = self.office_region
        if region is None:
            return "质量强市工作领导小组办公室"
        if region.level == Region.Level.NATION:
            return "质量强国建设领导小组办公室"
        return f"{region.name}质量强{LEVEL_SUFFIX.get(region.level, '市')}工作领导小组办公室"


def report_scope_resolve(
    *,
    scope: str,
    region: Region | None = None,
    plan: Plan | None = None,
    department: Department | None = None,
    region_ids: list[int] | None = None,
    office_region: Region | None = None,
) -> ReportScope:
    """The scope of a report. "all" covers ``region_ids`` (None: every region) and is issued by
    ``office_region``'s office; the caller decides both from who asks (``report_scope_for``).

    Raises ValueError when the object the scope names is missing.
    """
    if scope == ReportRun.Scope.REGION:
        if region is None:
            raise ValueError("按地区生成报告时须选择地区。")
        return ReportScope(scope, region.name, f"region:{region.code}",
                           region_ids=region.descendant_ids(), office_region=region)
    if scope == ReportRun.Scope.PLAN:
        if plan is None:
            raise ValueError("按规划生成报告时须选择规划。")
        return ReportScope(scope, f"《{plan.title}》", f"plan:{plan.code}",
                           plan_ids=[plan.pk], office_region=plan.region)
    if scope == ReportRun.Scope.DEPARTMENT:
        if department is None:
            raise ValueError("按部门生成报告时须选择部门。")
        return ReportScope(scope, department_full_name(department.region.name, department.name),
                           f"department:{department.region.code}/{department.name}",
                           department_id=department.pk, office_region=department.region)
    ids, region = region_ids, office_region
    if region is None and ids is None:
        # Everything (the CLI, a superuser): the one root region when there is one, so that
        # the page and ``export_report`` print the same title and office for the same data.
        roots = list(Region.objects.filter(parent__isnull=True).order_by("code")[:2])
        region = roots[0] if len(roots) == 1 else None
    if region is None:
        return ReportScope(ReportRun.Scope.ALL, "各地区", "all", region_ids=ids)
    # Titled by the region itself (关于赣榆区…, 关于全国…): "全部地区", "全国全域" read badly.
    return ReportScope(ReportRun.Scope.ALL, region.name, f"region:{region.code}",
                       region_ids=ids, office_region=region)


# --- The report's content ----------------------------------------------------------------------


@dataclass
class StatusSummary:
    key: str
    label: str
    count: int
    previous: int | None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.count - self.previous


@dataclass
class DepartmentSection:
    department_id: int
    name: str
    region: str
    counts: dict[str, int]
    score: float | None
    binding_behind: int
    lines: list[ReportLine] = field(default_factory=list)
    firm: tuple[int, int] = (0, 0)  # 确保类: (achieved or on track, assessable)
    stretch: tuple[int, int] = (0, 0)  # 力争类: the same

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def status_text(self) -> str:
        return status_phrase(self.counts)

    @property
    def score_text(self) -> str:
        return percent(self.score)

    @property
    def firm_score_text(self) -> str:
        return percent(self.firm[0] / self.firm[1] if self.firm[1] else None)


@dataclass
class PlanAppendix:
    title: str
    region: str
    doc_number: str
    issuer: str
    rows: list[AppendixRow]


@dataclass
class ReportData:
    scope: ReportScope
    year: int
    quarter: int
    doc_number: str
    date: dt.date
    previous_label: str
    target_count: int
    statuses: list[StatusSummary]
    total: int
    assessable: int
    good: int
    firm_assessable: int
    firm_good: int
    stretch_assessable: int
    stretch_good: int
    improved: int
    worsened: int
    departments: list[DepartmentSection]
    unled: list[ReportLine]
    behind: list[ReportLine]
    completeness: list[CompletenessRow]
    overdue: list[OverdueItem]
    appendix: list[PlanAppendix]

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def has_progress(self) -> bool:
        return self.total > 0

    @property
    def score(self) -> float | None:
        return self.good / self.assessable if self.assessable else None

    @property
    def score_text(self) -> str:
        return percent(self.score)

    @property
    def firm_score_text(self) -> str:
        return percent(self.firm_good / self.firm_assessable if self.firm_assessable else None)

    @property
    def stretch_score_text(self) -> str:
        return percent(
            self.stretch_good / self.stretch_assessable if self.stretch_assessable else None
        )

    @property
    def multi_region(self) -> bool:
        """Whether names need their region: 市市场监管局 of two cities are two departments."""
        regions = {d.region for d in self.departments} | {r.region for r in self.completeness}
        return len(regions | {p.region for p in self.appendix}) > 1

    @property
    def status_text(self) -> str:
        return status_phrase({s.key: s.count for s in self.statuses})

    @property
    def binding_behind(self) -> list[ReportLine]:
        return [line for line in self.behind if line.binding]

    @property
    def title(self) -> str:
        """The document's title (标题): 关于<scope><quarter>质量目标推进情况的报告."""
        return f"关于{self.scope.label}{self.quarter_label}质量目标推进情况的报告"

    @property
    def due_total(self) -> int:
        return sum(r.due for r in self.completeness)

    @property
    def reported_total(self) -> int:
        return sum(r.reported for r in self.completeness)

    @property
    def reported_rate_text(self) -> str:
        due = self.due_total
        return percent(self.reported_total / due if due else None)

    @property
    def addressee(self) -> str:
        """主送机关: the leading group the office serves."""
        return self.scope.office.removesuffix("办公室")

    @property
    def data_cutoff(self) -> dt.date:
        return quarter_end(self.year, self.quarter)


def scoped_progress(scope: ReportScope, year: int, quarter: int) -> QuerySet[Progress]:
    return progress_for_quarter(
        year=year, quarter=quarter, region_ids=scope.region_ids, plan_ids=scope.plan_ids,
        department_id=scope.department_id,
    )


def scoped_targets(scope: ReportScope) -> QuerySet[Target]:
    targets = target_list(region_ids=scope.region_ids)
    if scope.plan_ids is not None:
        targets = targets.filter(plan_id__in=scope.plan_ids)
    if scope.department_id is not None:
        targets = targets.filter(lead_departments=scope.department_id)
    return targets


def report_data_build(
    *, scope: ReportScope, year: int, quarter: int, doc_number: str = "",
    date: dt.date | None = None,
) -> ReportData:
    """Everything the report shows for ``scope`` at the end of ``year``Q``quarter``.

    ``doc_number`` is the 文号 the office entered (blank: 「〔 〕号」 to fill by hand);
    ``date`` the 成文日期 (default: the day the quarter's reporting closes).
    """
    targets = list(scoped_targets(scope).prefetch_related("lead_departments__region"))
    full_names = _needs_full_names(targets)
    rows_qs = scoped_progress(scope, year, quarter)
    rows = list(rows_qs.prefetch_related("target__lead_departments__region"))
    prev_year, prev_quarter = previous_quarter(year, quarter)
    prev_qs = scoped_progress(scope, prev_year, prev_quarter)
    previous = dict(prev_qs.order_by().values_list("target_id", "status"))

    counts = status_counts(rows_qs)
    regions = rollup_by_region(rows_qs)
    lines = [line_from_progress(row, full_names=full_names) for row in rows]
    improved, worsened = _changes_since(lines, previous)
    departments, unled = _department_sections(scope, rows_qs, lines, full_names)
    completeness, overdue = reporting_completeness(
        department_ids=_lead_department_ids(scope, targets), year=year, quarter=quarter,
        full_names=full_names,
    )
    return ReportData(
        scope=scope, year=year, quarter=quarter,
        doc_number=doc_number.strip() or DOC_NUMBER_BLANK,
        date=date or report_date(year, quarter),
        previous_label=quarter_label(prev_year, prev_quarter), target_count=len(targets),
        statuses=_status_summaries(counts, status_counts(prev_qs) if previous else None),
        total=len(rows),
        # From the same counts as Table 1, so the summary sentence and the table agree.
        assessable=sum(c for k, c in counts.items() if k not in UNASSESSABLE_STATUSES),
        good=sum(counts.get(k, 0) for k in GOOD_STATUSES),
        firm_assessable=sum(r.firm_assessable for r in regions),
        firm_good=sum(r.firm_good for r in regions),
        stretch_assessable=sum(r.stretch_assessable for r in regions),
        stretch_good=sum(r.stretch_good for r in regions),
        improved=improved, worsened=worsened,
        departments=departments, unled=unled, behind=_behind(lines),
        completeness=completeness, overdue=overdue,
        appendix=_appendix(targets, full_names),
    )


def _needs_full_names(targets: list[Target]) -> bool:
    """Names are written as the plans write them (区住建局) when the report covers one region;
    with several, each department carries its region, written once (赣榆区住建局)."""
    return len({t.plan.region_id for t in targets}
               | {d.region_id for t in targets for d in t.lead_departments.all()}) > 1


def _status_summaries(
    counts: dict[str, int], previous: dict[str, int] | None
) -> list[StatusSummary]:
    """Table 1's rows: every status in the report's order, with last quarter's count."""
    return [
        StatusSummary(status.value, str(status.label), counts.get(status.value, 0),
                      None if previous is None else previous.get(status.value, 0))
        for status in REPORT_STATUS_ORDER
    ]


def _changes_since(lines: list[ReportLine], previous: dict[int, str]) -> tuple[int, int]:
    """(improved, worsened): targets whose status rank rose or fell since last quarter."""
    improved = worsened = 0
    for line in lines:
        before = IMPROVEMENT_RANK.get(previous.get(line.target_id, ""))
        now = IMPROVEMENT_RANK.get(line.status)
        if before is not None and now is not None:
            improved += now > before
            worsened += now < before
    return improved, worsened


def _behind(lines: list[ReportLine]) -> list[ReportLine]:
    """The lagging list, worst first: status, then binding, then the slowest pace."""
    return sorted(
        (line for line in lines if line.status in BEHIND_ORDER),
        key=lambda line: (BEHIND_ORDER[line.status], not line.binding,
                          line.pace if line.pace is not None else float("inf"), line.target_id),
    )


def _lead_department_ids(scope: ReportScope, targets: list[Target]) -> list[int]:
    """The departments whose reporting the completeness section counts."""
    if scope.department_id is not None:
        return [scope.department_id]
    return sorted({d.pk for t in targets for d in t.lead_departments.all()})


def _department_sections(
    scope: ReportScope, rows_qs: QuerySet[Progress], lines: list[ReportLine], full_names: bool
) -> tuple[list[DepartmentSection], list[ReportLine]]:
    """One section per lead department (the dashboards' rollup), plus targets led by none."""
    sections = {
        r.key: DepartmentSection(
            r.key, department_full_name(r.region, r.name) if full_names else r.name, r.region,
            r.counts, r.score, r.binding_behind,
            firm=(r.firm_good, r.firm_assessable),
            stretch=(r.stretch_good, r.stretch_assessable),
        )
        for r in rollup_by_department(rows_qs)
        if scope.department_id is None or r.key == scope.department_id
    }
    unled = []
    for line in lines:
        for department_id in line.lead_ids:
            if department_id in sections:
                sections[department_id].lines.append(line)
        if not line.lead_ids:
            unled.append(line)
    ordered = sorted(sections.values(), key=lambda s: (s.region, s.name))
    return ordered, unled


def _appendix(targets: list[Target], full_names: bool) -> list[PlanAppendix]:
    plans: dict[int, PlanAppendix] = {}
    for target in targets:
        plan = target.plan
        if plan.pk not in plans:
            plans[plan.pk] = PlanAppendix(plan.title, plan.region.name, plan.doc_number,
                                          plan.issuer, [])
        plans[plan.pk].rows.append(appendix_row(target, full_names=full_names))
    return list(plans.values())
