"""One sign for the gap, for every kind (docs/progress.md "Gap, one sign everywhere";
issue 16).

gap = s·(c - reference): positive ahead of / beyond, negative behind / short of; the
reference is the expected value for pace statuses and the target otherwise; no data, no gap
and no current value (never 「0家」).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.targets.progress_builders import observation_rows, progress_row, target_rows, yearly


@pytest.mark.parametrize(("comparator", "value", "baseline", "figure", "sign"), [
    ("ge", 96.0, 90.0, 95.5, 1), ("ge", 96.0, 90.0, 91.0, -1),
    ("le", 30.0, 40.0, 32.0, 1), ("le", 30.0, 40.0, 38.0, -1),
])
def test_level_gap_is_positive_when_ahead_whatever_the_direction(
    comparator, value, baseline, figure, sign
):
    row = progress_row(
        target_rows(comparator=comparator, value=value, baseline_value=baseline,
                    baseline_year=2020, deadline_year=2025, upper_bound=None),
        yearly((2023, figure)), "2024-03-31",
    )

    assert row["status"] in ("on_track", "lagging", "off_track")
    assert np.sign(row["gap"]) == sign
    assert row["gap"] == pytest.approx(sign * abs(figure - row["expected_value"]))


def test_achieved_and_not_achieved_measure_against_the_target():
    met = progress_row(target_rows(value=96.0, baseline_value=90.0, deadline_year=2023),
                       yearly((2023, 97.0)), "2024-03-31")
    missed = progress_row(target_rows(comparator="le", value=30.0, baseline_value=40.0,
                                      deadline_year=2023, upper_bound=None),
                          yearly((2023, 33.0)), "2024-03-31")

    assert (met["status"], met["gap"]) == ("achieved", pytest.approx(1.0))  # 超出 1
    assert (missed["status"], missed["gap"]) == ("not_achieved", pytest.approx(-3.0))  # 差 3


def test_no_figure_means_no_current_value_and_no_gap():
    row = progress_row(target_rows(kind="cumulative_new", value=2.0, baseline_value=None,
                                   unit="家"),
                       observation_rows(), "2024-03-31")

    assert row["status"] == "no_data"
    assert np.isnan(row["current_value"])  # not 「当前值 0家」
    assert np.isnan(row["gap"])
