from django.apps import AppConfig


class QualitytrackConfig(AppConfig):
    name = "qualitytrack"
    verbose_name = "QualityTrack"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import sync, tasks  # noqa: F401  (tasks: the 系统 page's full-recompute stamp)

        sync.connect()  # tombstones for the API's incremental sync
