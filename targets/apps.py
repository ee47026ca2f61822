from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("规划与目标")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from feed import tombstones
        from indicators import duties

        from . import receivers  # noqa: F401  (connects the observation_approved receiver)
        from .duties import TargetDuties
        from .models import Plan, Target

        # Deleted plans and targets, and a target's changed departments, reach the feed's
        # mirrors (docs/scale.md).
        tombstones.track_deletions(Plan, Target)
        tombstones.track_target_departments(Target)
        # Who reports what, told to the lower layer (indicators.duties, docs/architecture.md).
        duties.register(TargetDuties())
