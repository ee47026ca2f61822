from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("指标与填报")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import audit
        from feed import tombstones

        from . import receivers  # noqa: F401  (keeps ReportingDue right on direct saves)
        from .models import Department, Indicator, Observation, ObservationChange, Region

        # The business audit of figures is the second hash chain (accounts.audit_chain).
        audit.chain_register(ObservationChange)
        # What leaves the published feed leaves a tombstone for mirrors (docs/scale.md).
        tombstones.track_deletions(Observation, Region, Department, Indicator)
        tombstones.track_observations(Observation, ObservationChange)
