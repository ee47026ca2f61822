"""The whole REST API in one place: every app's viewsets on one router, ``/api/v1/``.

Each app's ``api.py`` holds its viewsets (built on ``feed.mixins.FeedMixin``); only this module,
wiring above every layer, registers them, so one file shows the whole surface. Paging, sync,
conditional GET and the error shape are ``feed`` and ``core.api_errors`` (docs/architecture.md).
"""

from rest_framework.routers import DefaultRouter

from indicators.api import DepartmentViewSet, IndicatorViewSet, ObservationViewSet, RegionViewSet
from targets.api import PlanViewSet, ProgressViewSet, TargetViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("departments", DepartmentViewSet, basename="department")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("observations", ObservationViewSet, basename="observation")
router.register("plans", PlanViewSet, basename="plan")
router.register("targets", TargetViewSet, basename="target")
router.register("progress", ProgressViewSet, basename="progress")
