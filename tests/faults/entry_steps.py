"""Data-entry steps over HTTP shared by the fault tests (pages, not services)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .stack import Stack
from .web import Browser, Response

PERIOD = "2025"  # the demo reporter's annual figures for 2025 are due (overdue) in the seed


@dataclass
class Line:
    indicator_id: int
    field: str  # value_<pk> or state_<pk>
    choice: str  # what to enter


def entry_lines(stack: Stack, reporter: Browser, period: str = PERIOD) -> list[Line]:
    """The editable lines of the reporter's entry form, each with a valid figure to enter."""
    page = reporter.get(f"/entry/period/{period}/")
    assert page.status == 200, page.body[:500]
    lines = []
    for kind, pk in re.findall(r'name="(value|state)_(\d+)"', page.body):
        if kind == "state":
            select = re.search(rf'name="state_{pk}".*?</select>', page.body, re.S)
            options = [o for o in re.findall(r'value="([^"]*)"', select.group(0) if select else "")
                       if o]
            lines.append(Line(int(pk), f"state_{pk}", options[-1]))
            continue
        ((lower, upper),) = stack.sql(
            "SELECT lower_bound, upper_bound FROM indicators_indicator WHERE id = %s", (int(pk),)
        )
        value = 1 if upper is None else (float(lower or 0) + float(upper)) / 2
        lines.append(Line(int(pk), f"value_{pk}", f"{value:g}"))
    return lines


def save_draft(reporter: Browser, line: Line, period: str = PERIOD) -> Response:
    pk = line.indicator_id
    return reporter.post(f"/entry/period/{period}/", {
        line.field: line.choice, f"evidence_{pk}": "故障测试", f"confirm_{pk}": "on",
    })


def observation_of(stack: Stack, indicator_id: int, period: str = PERIOD) -> tuple[int, int, str]:
    """(id, version, status) of the demo reporter's figure for the indicator and period."""
    rows = stack.sql(
        """
        SELECT o.id, o.version, o.status FROM indicators_observation o
        JOIN indicators_profile p ON p.department_id = o.department_id
        JOIN auth_user u ON u.id = p.user_id AND u.username = 'reporter'
        WHERE o.indicator_id = %s AND o.year = %s AND o.quarter IS NULL
        """, (indicator_id, int(period)),
    )
    assert len(rows) == 1, rows
    return rows[0]


def submit(reporter: Browser, observation_id: int, version: int) -> Response:
    return reporter.post(f"/entry/observations/{observation_id}/submit/", {"version": str(version)})


def approve(office: Browser, observation_id: int, version: int) -> Response:
    return office.post(f"/entry/observations/{observation_id}/approve/", {"version": str(version)})
