"""Heartbeats of the background work, read by the 系统 page (docs/roles.md "系统").

The table keeps the name it had in ``qualitytrack`` (``qualitytrack_heartbeat``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a piece of background work was seen alive, for the 系统 page.

    ``worker``: stamped every minute by the beat task ``qualitytrack.heartbeat`` as a worker
    runs it (so an old stamp means beat or every worker is down). ``recompute_all``: stamped
    when a full progress recompute (the nightly one) finishes. A row per name, overwritten.
    Kept in the database, not the cache: the default cache is per process, and the web must
    read what the worker wrote (docs/roles.md, "系统").
    """

    name = models.CharField(_("名称"), max_length=40, unique=True)
    at = models.DateTimeField(_("时间"))
    detail = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        db_table = "qualitytrack_heartbeat"
        verbose_name = _("后台心跳")
        verbose_name_plural = _("后台心跳")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
