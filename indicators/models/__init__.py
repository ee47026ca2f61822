"""What is measured and reported: regions, departments, indicators and observations.

The lowest layer of the data flow (docs/architecture.md "Data flow"): it knows nothing of
plans or targets. An observation is keyed by what (indicator), where (region) and when
(year, quarter), as in DHIS2, so one reported figure serves every plan that tracks the
indicator. Writes to observations go through ``indicators.services`` only, which keeps the
change history whole.
"""

from .observations import ImportJob, Observation, ObservationChange, ObservationManager
from .places import (
    Department,
    DepartmentManager,
    Indicator,
    IndicatorManager,
    Region,
    RegionManager,
    department_full_name,
)
from .reporting import REPORTED_STATES, UNREPORTED, ReportingDue

__all__ = [
    "REPORTED_STATES",
    "UNREPORTED",
    "Department",
    "DepartmentManager",
    "ImportJob",
    "Indicator",
    "IndicatorManager",
    "Observation",
    "ObservationChange",
    "ObservationManager",
    "Region",
    "RegionManager",
    "ReportingDue",
    "department_full_name",
]
