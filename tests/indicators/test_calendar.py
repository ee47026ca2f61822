"""The reporting calendar: pure functions, no database."""

import datetime

import pytest

from indicators.calendar import (
    Period,
    ended_periods,
    latest_ended_period,
    periods_in_years,
    recent_periods,
)

D = datetime.date


def test_a_quarter_ends_on_its_last_day_and_closes_after_the_grace_days():
    q2 = Period(2025, 2)

    assert (q2.start, q2.end, q2.deadline(15)) == (D(2025, 4, 1), D(2025, 6, 30), D(2025, 7, 15))


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2025, 6, 30), "future"),
        (D(2025, 7, 1), "open"),
        (D(2025, 7, 15), "open"),
        (D(2025, 7, 16), "closed"),
    ],
)
def test_a_period_is_future_then_open_then_closed(today, state):
    assert Period(2025, 2).state(today, 15) == state


def test_an_annual_period_covers_the_year():
    assert (Period(2024).end, Period(2024).label, Period(2024).slug) == (
        D(2024, 12, 31),
        "2024年",
        "2024",
    )


@pytest.mark.parametrize(
    ("slug", "period"),
    [("2024Q1", Period(2024, 1)), ("2024", Period(2024)), ("2024q4", Period(2024, 4))],
)
def test_periods_parse_from_their_slug(slug, period):
    assert Period.parse(slug) == period


@pytest.mark.parametrize("slug", ["2024Q5", "24Q1", "2024-1", ""])
def test_a_malformed_slug_is_refused_in_chinese(slug):
    with pytest.raises(ValueError, match="格式不正确"):
        Period.parse(slug)


def test_the_plan_years_and_frequency_decide_the_periods():
    assert len(periods_in_years("quarterly", range(2021, 2026))) == 20
    assert ended_periods("annual", range(2021, 2026), D(2025, 7, 10)) == [
        Period(y) for y in range(2021, 2025)
    ]
    assert ended_periods("quarterly", [2025], D(2025, 7, 10)) == [Period(2025, 1), Period(2025, 2)]


def test_latest_ended_and_recent_periods():
    assert latest_ended_period("quarterly", D(2025, 2, 1)) == Period(2024, 4)
    assert latest_ended_period("annual", D(2025, 2, 1)) == Period(2024)
    assert recent_periods(Period(2025, 1), 3) == [Period(2025, 1), Period(2024, 4), Period(2024, 3)]


def test_a_day_belongs_to_one_quarter_and_one_year():
    """``Period.containing``: the one month → quarter rule (issue 13)."""
    import datetime

    from indicators.calendar import ANNUAL, Period

    assert Period.containing(datetime.date(2025, 1, 1)) == Period(2025, 1)
    assert Period.containing(datetime.date(2025, 3, 31)) == Period(2025, 1)
    assert Period.containing(datetime.date(2025, 4, 1)) == Period(2025, 2)
    assert Period.containing(datetime.date(2025, 12, 31)) == Period(2025, 4)
    assert Period.containing(datetime.date(2025, 7, 9), ANNUAL) == Period(2025)
