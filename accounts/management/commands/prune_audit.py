"""``manage.py prune_audit``: the twin of the weekly ``indicators.prune_audit`` task."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.audit import prune_audit_events, retention_cutoff


class Command(BaseCommand):
    help = (
        "删除超过保留期（AUDIT_RETENTION_DAYS，默认 186 天）的安全审计日志；"
        "数据变更记录永不删除。"
    )

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        cutoff = timezone.localtime(retention_cutoff(now))
        deleted = prune_audit_events(now=now)
        self.stdout.write(self.style.SUCCESS(
            f"已删除 {deleted} 条早于 {cutoff:%Y-%m-%d %H:%M} 的安全审计日志"
            f"（保留期 {settings.AUDIT_RETENTION_DAYS} 天）。"
        ))
