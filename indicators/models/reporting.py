"""What each department owes, one row per reporting obligation, kept as figures change.

``ReportingDue`` is a derived table (docs/monitoring.md "Reporting completeness and overdue"):
one row per (lead department, indicator, period) that the department must report, with the
period's due date and whether a figure is in. The dashboards and the quarterly report read
completeness and overdue figures from it with bounded queries instead of walking every
observation on each request (issue 18). Only ``indicators.services.reporting`` writes it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..calendar import Period
from .places import Department, Indicator, Region


class ReportingDue(models.Model):
    """One figure a department must report: indicator, region and period, with its due date.

    ``region`` is the department's own (the region of the figure it owes). ``quarter`` is
    empty for an annual figure, as on ``Observation``. ``due_on`` is the last day on which
    the figure is on time (period end + ``REPORTING_GRACE_DAYS``). ``state`` mirrors the
    figure: submitted or approved once it is in, else missing, or overdue once ``due_on``
    has passed (set by the daily sweep; reads compare ``due_on`` with their own day).
    """

    class State(models.TextChoices):
        MISSING = "missing", _("未报")
        OVERDUE = "overdue", _("逾期未报")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已审核")

    # No database foreign keys: like the rollup tables, the rows are derived and written in
    # bulk by one writer, and checking three keys per row at commit was over half of a full
    # rebuild (docs/scale.md §7). Django still cascades deletes; a rebuild drops rows of
    # departments removed behind its back. No single-column index on department or region:
    # the unique constraint and ``reportingdue_figure`` lead with them.
    department = models.ForeignKey(
        Department, verbose_name=_("责任单位"), on_delete=models.CASCADE,
        related_name="reporting_dues", db_constraint=False, db_index=False,
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="+",
        db_constraint=False,
    )
    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="+",
        db_constraint=False, db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    due_on = models.DateField(_("报送截止日"))
    state = models.CharField(_("报送状态"), max_length=9, choices=State.choices)

    class Meta:
        verbose_name = _("应报数据")
        verbose_name_plural = _("应报数据")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "indicator", "year", "quarter"],
                name="reportingdue_unique_obligation",
            ),
        ]
        indexes = [
            # A department's closed periods and its newest overdue figures (department pages).
            models.Index(fields=["department", "due_on", "state"], name="reportingdue_department"),
            # Everything not yet in, by due date: the overdue lists and "newly overdue" of a
            # window read only these rows, however many figures are in.
            models.Index(
                fields=["due_on", "department"], name="reportingdue_unreported",
                condition=Q(state__in=["missing", "overdue"]),
            ),
            # The figures due for one period (the quarterly report's completeness).
            models.Index(
                fields=["year", "quarter", "department", "state"], name="reportingdue_period"
            ),
            # A figure's own row(s), found when it changes.
            models.Index(fields=["region", "indicator", "year"], name="reportingdue_figure"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}·{self.indicator_id}·{self.period.slug}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


#: The states of a figure not yet in (submitted or approved counts as reported).
UNREPORTED = (ReportingDue.State.MISSING, ReportingDue.State.OVERDUE)
REPORTED_STATES = (ReportingDue.State.SUBMITTED, ReportingDue.State.APPROVED)
