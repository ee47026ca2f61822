"""Worked case 13 end to end: Dongtou's 十三五 table, computed from the seed fixture.

Closed plans: docs/lifecycle.md.

The engine's final statuses come from the targets and the approved 2020 actuals, and must
agree with the document's 完成情况 column, which the fixture keeps beside them but which the
engine never reads.
"""

from datetime import date

import pytest
from django.core.management import call_command

from targets.models import Plan, Progress
from targets.services import progress_recompute

pytestmark = pytest.mark.django_db

DOCUMENT_TO_STATUS = {
    "已完成": Progress.Status.ACHIEVED,
    "完成": Progress.Status.ACHIEVED,
    "未完成": Progress.Status.NOT_ACHIEVED,
    "未完成,有待推进": Progress.Status.NOT_ACHIEVED,
    "积极推行建设中": Progress.Status.NOT_ACHIEVED,  # a milestone still under way at the end
    "政策调整,不再开展": Progress.Status.NOT_APPLICABLE,
    "不再统计": Progress.Status.NOT_APPLICABLE,
}


def test_dongtou_13th_plan_final_statuses_match_the_document():
    call_command("loaddata", "seed_targets", verbosity=0)
    plan = Plan.objects.get(code="dongtou-13th")

    progress_recompute(as_of=date(2020, 12, 31), plan_ids=[plan.pk])

    rows = Progress.objects.filter(target__plan=plan, year=2020, quarter=4).select_related(
        "target__indicator"
    )
    judged, mismatches = 0, []
    for row in rows:
        target = row.target
        if target.kind == "assigned" and target.value is None:
            # "完成上级下达任务": the figure set from above is not in the document.
            assert row.status == Progress.Status.UNASSIGNED
            continue
        if row.status == Progress.Status.NO_DATA:
            # Only 服务业顾客满意度 has no 2020 actual in 表1.
            assert target.indicator.name.startswith("服务业顾客满意度"), target.indicator.name
            continue
        judged += 1
        if row.status != DOCUMENT_TO_STATUS[target.final_assessment]:
            mismatches.append((target.code, target.indicator.name, target.final_assessment,
                               row.status))

    assert mismatches == []
    assert judged >= 45
    assert rows.count() == plan.targets.count() == 52
