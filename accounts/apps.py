from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与安全")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit, middleware  # noqa: F401  (connect the audit and session receivers)

        # Every audit chain has a head from the start, so an emptied table is detectable
        # (issue 12 row 8); after migrate, and after a test database's flush.
        post_migrate.connect(audit.ensure_chain_heads, sender=self)
