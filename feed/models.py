"""Tombstones for incremental sync: what left the published feed, and when.

A tombstone says *what left* the published feed, so that a portal mirroring the data with
``updated_since`` learns about deletions without refetching everything. The table keeps the
name it had in ``qualitytrack`` (``qualitytrack_tombstone``): the model moved, the rows did not.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tombstone(models.Model):
    """A row that left the published feed: deleted, or (observations) no longer approved.

    ``model`` is the model label (``targets.target``); ``natural_key`` is readable text such as
    ``plan-code/T001`` so a mirror can match rows it keyed differently. One tombstone per
    object: a second departure only moves ``deleted_at``; an observation approved again
    loses its tombstone and reappears as a changed row.
    """

    class Reason(models.TextChoices):
        DELETED = "deleted", _("已删除")
        UNPUBLISHED = "unpublished", _("已撤出公开数据")

    model = models.CharField(_("模型"), max_length=60)
    object_id = models.BigIntegerField(_("对象编号"))
    natural_key = models.CharField(_("业务键"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=12, choices=Reason.choices)
    deleted_at = models.DateTimeField(_("删除时间"), db_index=True)

    class Meta:
        db_table = "qualitytrack_tombstone"
        verbose_name = _("删除记录")
        verbose_name_plural = _("删除记录")
        ordering = ["deleted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="tombstone_unique_object")
        ]
        indexes = [models.Index(fields=["model", "deleted_at"])]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id} {self.get_reason_display()}"
