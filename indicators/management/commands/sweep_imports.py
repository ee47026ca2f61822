"""``manage.py sweep_imports``: the twin of the ``indicators.sweep_imports`` beat task."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from indicators.services.imports import import_jobs_sweep


class Command(BaseCommand):
    help = "将处理进程已终止（超时仍为“排队中/处理中”）的Excel导入标记为失败。"

    def handle(self, *args: object, **options: object) -> None:
        swept = import_jobs_sweep()
        self.stdout.write(self.style.SUCCESS(f"已将 {swept} 个中断的导入标记为失败。"))
