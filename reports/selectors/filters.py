"""What the dashboard filter form selects, and the choices it offers. ``DashboardFilters``
carries the selection, already scoped to the user's visible regions (``scoped_region_ids``);
``quarter_choices`` and ``category_choices`` fill the form's menus.
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators.calendar import Period
from indicators.models import Department, Indicator, Region
from targets.models import Plan
from targets.selectors import rollup_quarters


@dataclass(frozen=True)
class DashboardFilters:
    """What the filter form selected, already scoped to the user's visible regions."""

    region_ids: list[int] | None = None
    plan: Plan | None = None
    department: Department | None = None
    category: str = ""
    status: str = ""
    year: int | None = None
    quarter: int | None = None

    @property
    def has_quarter(self) -> bool:
        return self.year is not None and self.quarter is not None

    @property
    def quarter_label(self) -> str:
        # 2025年第4季度 / 2025 Q4: the reporting calendar's label, in the user's language
        return Period(self.year, self.quarter).label if self.has_quarter else ""  # type: ignore[arg-type]


def scoped_region_ids(
    visible: list[int] | None, selected: Region | None
) -> list[int] | None:
    """The selected region and its sub-regions, within what the user may see."""
    if selected is None:
        return visible
    subtree = selected.descendant_ids()
    if visible is None:
        return subtree
    allowed = set(visible)
    return [pk for pk in subtree if pk in allowed]


def quarter_choices() -> list[tuple[int, int]]:
    """Every quarter with computed progress, newest first (one query on ``QuarterRollup``,
    not a DISTINCT over every Progress row)."""
    return rollup_quarters()


def category_choices() -> list[str]:
    return list(
        Indicator.objects.order_by("category").values_list("category", flat=True).distinct()
    )
