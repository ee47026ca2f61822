"""The demo history (docs/monitoring.md "Demo history"): what it loads, and that it goes away.

One test on purpose: loading the seed plans and recomputing every quarter is the slow part.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from indicators.demo import DEMO_EVIDENCE, demo_figures
from indicators.models import Indicator, Observation, ObservationChange
from targets.demo import last_due_quarter
from targets.models import Plan, Progress, Target


@pytest.mark.django_db(transaction=True)
def test_demo_history_loads_marked_figures_one_correction_and_removes_them(client):
    call_command("loaddata", "seed_targets", verbosity=0)
    call_command("create_demo_users", stdout=io.StringIO())
    real = Observation.objects.count()

    out = io.StringIO()
    call_command("load_demo_history", stdout=out)

    figures = list(demo_figures().select_related("indicator"))
    assert "已载入示例数据" in out.getvalue()
    assert len(figures) > 300
    assert Observation.objects.count() == real + len(figures)  # real figures untouched
    assert all(f.evidence.startswith(DEMO_EVIDENCE) for f in figures)
    assert all(f.status == Observation.Status.APPROVED for f in figures)
    due = last_due_quarter(timezone.localdate())
    for figure in figures:
        assert figure.year >= 2021
        assert (figure.year, figure.quarter or 4) <= due
        quarterly = figure.indicator.frequency == Indicator.Frequency.QUARTERLY
        assert (figure.quarter is not None) == quarterly, figure
    # within the plan period of some in-force target that follows the series
    spans = {(t.indicator_id, t.plan.region_id): (t.plan.start_year, t.plan.end_year)
             for t in Target.objects.filter(plan__status=Plan.Status.IN_FORCE)
             .select_related("plan")}
    assert all(spans[(f.indicator_id, f.region_id)][0] <= f.year
               <= spans[(f.indicator_id, f.region_id)][1] for f in figures)

    corrections = ObservationChange.objects.filter(action=ObservationChange.Action.CORRECT)
    assert corrections.count() == 1
    corrected = corrections.get().observation
    assert corrected.status == Observation.Status.APPROVED  # approved again by the office
    assert corrected.changes.filter(action=ObservationChange.Action.APPROVE).exists()

    # departments ahead, lagging and off track at the latest quarter
    latest = Progress.objects.order_by("-year", "-quarter").values_list("year", "quarter")[0]
    statuses = set(Progress.objects.filter(year=latest[0], quarter=latest[1])
                   .values_list("status", flat=True))
    assert {"on_track", "lagging", "off_track", "achieved"} <= statuses

    # loading again adds nothing
    call_command("load_demo_history", stdout=io.StringIO())
    assert demo_figures().count() == len(figures)

    # every page says so, even the login page
    assert "演示数据" in client.get(reverse("login")).content.decode()

    call_command("load_demo_history", "--remove", stdout=io.StringIO())

    assert not demo_figures().filter(status=Observation.Status.APPROVED).exists()
    assert demo_figures().count() == 1  # the corrected one stays, withdrawn, with its audit
    assert Observation.objects.count() == real + 1
    assert "演示数据" not in client.get(reverse("login")).content.decode()


def test_the_banner_index_holds_exactly_the_demo_figures():
    """The partial index the banner's question reads (docs/scale.md §8) is cut by the same
    marker the loader writes: were they to drift, the banner would read every figure."""
    index = next(i for i in Observation._meta.indexes if i.name == "observation_demo")
    lookup = index.condition.children[0]
    assert lookup == ("evidence__startswith", DEMO_EVIDENCE)
