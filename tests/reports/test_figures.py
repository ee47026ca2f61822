"""Figure builders are pure: frames in, go.Figure out; tested on fig.data, no database."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from reports import figures

LABELS = {"achieved": "已完成", "on_track": "进度正常", "lagging": "进度滞后",
          "off_track": "严重滞后", "no_data": "待填报"}


def counts(rows: dict[str, dict[str, int]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index").fillna(0).astype(int)


def test_status_bars_stack_one_trace_per_status_that_occurs():
    frame = counts({
        "赣榆区": {"achieved": 2, "on_track": 3, "lagging": 1, "off_track": 0},
        "盐城市": {"achieved": 1, "on_track": 0, "lagging": 0, "off_track": 0},
    })

    fig = figures.status_bars(frame, LABELS)

    assert [trace.name for trace in fig.data] == ["已完成", "进度正常", "进度滞后"]
    assert fig.layout.barmode == "stack"
    achieved = fig.data[0]
    assert list(achieved.y) == ["赣榆区", "盐城市"]
    assert list(achieved.x) == [2, 1]


def test_status_bars_tell_status_by_pattern_as_well_as_colour():
    fig = figures.status_bars(counts({"x": {"lagging": 1, "off_track": 2}}), LABELS)

    lagging, off_track = fig.data
    assert lagging.marker.color == figures.STATUS_COLOURS["lagging"]
    assert lagging.marker.pattern.shape != off_track.marker.pattern.shape


def test_status_bars_can_stand_upright_for_a_trend():
    fig = figures.status_bars(counts({"2025Q1": {"on_track": 2}}), LABELS, horizontal=False)

    assert list(fig.data[0].x) == ["2025Q1"]
    assert list(fig.data[0].y) == [2]


def test_status_trend_pivots_quarters_in_order():
    frame = pd.DataFrame({
        "quarter_label": ["2024Q4", "2024Q4", "2025Q1"],
        "status": ["on_track", "lagging", "on_track"],
        "n": [3, 1, 4],
    })

    fig = figures.status_trend(frame, LABELS)

    on_track = next(trace for trace in fig.data if trace.name == "进度正常")
    assert list(on_track.x) == ["2024Q4", "2025Q1"]
    assert list(on_track.y) == [3, 4]
    lagging = next(trace for trace in fig.data if trace.name == "进度滞后")
    assert list(lagging.y) == [1, 0]


def test_status_trend_of_nothing_is_empty():
    assert figures.status_trend(pd.DataFrame(columns=["quarter_label", "status", "n"]),
                                LABELS).data == ()


def test_bullets_put_baseline_at_zero_and_target_at_one_hundred_percent():
    rows = pd.DataFrame({
        "label": ["T01 合格率", "T02 PM2.5", "T03 新指标"],
        "status": ["lagging", "off_track", None],
        "completion_ratio": [0.5, -0.2, None],
        "expected_ratio": [0.8, 0.8, None],
        "hover": ["基期 90%", "基期 30微克/立方米", "目标 ≥96%"],
    })

    fig = figures.bullets(rows, LABELS)

    band, lagging, off_track, no_data, expected = fig.data
    assert list(band.y) == ["T01 合格率", "T02 PM2.5", "T03 新指标"]  # every row, in order
    assert list(band.x) == [100.0, 100.0, 100.0]
    assert (lagging.name, list(lagging.x)) == ("进度滞后", [50.0])
    assert (off_track.name, list(off_track.x)) == ("严重滞后", [-20.0])
    assert (no_data.name, list(no_data.x)) == ("待填报", [0.0])
    assert lagging.marker.color == figures.STATUS_COLOURS["lagging"]
    assert lagging.marker.pattern.shape != off_track.marker.pattern.shape
    assert list(expected.x) == [80.0, 80.0, None]
    assert off_track.customdata[0][1] == "基期 30微克/立方米"
    assert fig.layout.shapes[0].x0 == 100  # the target line


def test_bullets_clip_far_overshoots_but_hover_keeps_the_truth():
    rows = pd.DataFrame({"label": ["T01"], "status": ["achieved"], "completion_ratio": [5.0],
                         "expected_ratio": [0.5], "hover": ["当前 500%"]})

    fig = figures.bullets(rows, LABELS)

    assert fig.data[1].x[0] == figures.BULLET_CLIP
    assert fig.data[1].customdata[0][1] == "当前 500%"


def test_trajectory_draws_path_actuals_projection_and_goal():
    actuals = pd.DataFrame({
        "date": [dt.date(2021, 12, 31), dt.date(2024, 12, 31)],
        "value": [91.0, 93.0],
        "label": ["2021年", "2024年"],
    })

    fig = figures.trajectory(
        actuals, unit="%", baseline=(dt.date(2020, 12, 31), 90.0),
        goal=(dt.date(2025, 12, 31), 96.0), projection=(dt.date(2025, 12, 31), 94.6),
        expected_now=(dt.date(2024, 12, 31), 94.8),
    )

    by_name = {trace.name: trace for trace in fig.data}
    assert list(by_name["规划路径"].x) == ["2020-12-31", "2025-12-31"]
    assert list(by_name["规划路径"].y) == [90.0, 96.0]
    assert list(by_name["实际值"].y) == [91.0, 93.0]
    assert list(by_name["预测"].x) == ["2024-12-31", "2025-12-31"]
    assert list(by_name["预测"].y) == [93.0, 94.6]
    assert list(by_name["目标值"].y) == [96.0]
    assert "%" in by_name["实际值"].hovertemplate


def test_trajectory_without_baseline_or_values_leaves_those_parts_out():
    empty = pd.DataFrame({"date": [], "value": [], "label": []})

    fig = figures.trajectory(empty, unit="家", baseline=None, goal=(dt.date(2025, 12, 31), 7.0),
                             projection=(dt.date(2025, 12, 31), 8.0))

    assert [trace.name for trace in fig.data] == ["目标值"]


def test_target_vs_actual_groups_target_and_latest_actual_per_city():
    frame = pd.DataFrame({"city": ["赣榆区", "盐城市"], "target": [96.0, 97.0],
                          "actual": [93.0, None], "actual_label": ["2024年", ""]})

    fig = figures.target_vs_actual(frame, unit="%")

    target, actual = fig.data
    assert fig.layout.barmode == "group"
    assert list(target.x) == ["赣榆区", "盐城市"]
    assert list(target.y) == [96.0, 97.0]
    assert actual.y[0] == 93.0
    assert actual.y[1] is None
    assert fig.layout.yaxis.title.text == "%"


def test_figure_json_is_plain_json_for_json_script():
    fig = figures.status_bars(counts({"x": {"on_track": 1}}), LABELS)

    data = figures.figure_json(fig)

    assert data["data"][0]["name"] == "进度正常"
    assert data["layout"]["barmode"] == "stack"
