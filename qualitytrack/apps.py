from django.apps import AppConfig


class QualitytrackConfig(AppConfig):
    """The project package as an app only for its migrations' history: its models moved to
    ``accounts``, ``feed`` and ``web`` (keeping their tables; docs/architecture.md)."""

    name = "qualitytrack"
    verbose_name = "QualityTrack"
    default_auto_field = "django.db.models.BigAutoField"
