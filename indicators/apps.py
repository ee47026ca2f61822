from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("指标与填报")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import (
            audit,  # (connects the audit receivers)
            receivers,  # noqa: F401  (keeps ReportingDue right on direct saves)
        )

        # Every audit chain has a head from the start, so an emptied table is detectable
        # (issue 12 row 8); after migrate, and after a test database's flush.
        post_migrate.connect(audit.ensure_chain_heads, sender=self)
