from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("规划与目标")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from indicators import duties

        from . import receivers  # noqa: F401  (connects the observation_approved receiver)
        from .duties import TargetDuties

        # Who reports what, told to the lower layer (indicators.duties, issue 13).
        duties.register(TargetDuties())
