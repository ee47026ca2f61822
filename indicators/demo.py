"""The marker of demo figures (docs/monitoring.md "Demo history").

Every figure the demo history loads says 示例数据 at the start of its evidence; this is how
the 演示数据 banner knows demo figures exist and how ``load_demo_history --remove`` finds
them. Real figures never start their evidence with it (the loader is the only writer).
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Observation

DEMO_EVIDENCE = "示例数据"


def demo_figures() -> QuerySet[Observation]:
    """Every figure the demo history loaded (approved or not)."""
    return Observation.objects.filter(evidence__startswith=DEMO_EVIDENCE)


def demo_data_present() -> bool:
    """Whether approved demo figures feed the dashboards now (one indexed EXISTS query)."""
    return demo_figures().filter(status=Observation.Status.APPROVED).exists()
