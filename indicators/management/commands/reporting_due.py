"""``manage.py reporting_due``: the twin of the ``indicators.sweep_reporting_due`` beat task.

Without options it marks the figures whose due date has passed as overdue. ``--rebuild``
first rewrites every department's rows from the targets it leads: the backfill, and the way
back after a bulk load that bypassed the services (``bench.generate_national``) or a change
of ``REPORTING_GRACE_DAYS``. docs/monitoring.md "Reporting completeness and overdue".
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

from indicators.models import ReportingDue
from indicators.services.reporting import reporting_due_sweep


class Command(BaseCommand):
    help = "维护应报数据表：已过截止日未报的标记为逾期；--rebuild 按牵头目标重建全部应报数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="按牵头目标重建全部应报数据")
        parser.add_argument("--today", type=datetime.date.fromisoformat,
                            help="以该日为今天（YYYY-MM-DD）")

    def handle(self, *args: object, rebuild: bool = False,
               today: datetime.date | None = None, **options: object) -> None:
        changed = reporting_due_sweep(today=today or timezone.localdate(), rebuild=rebuild)
        if rebuild and connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The rewrite leaves every old row dead; the pages' counts are index-only scans,
            # which need the visibility map a VACUUM refreshes (docs/scale.md §6).
            with connection.cursor() as cursor:
                cursor.execute(f'VACUUM ANALYZE "{ReportingDue._meta.db_table}"')
        rows = ReportingDue.objects.count()
        self.stdout.write(self.style.SUCCESS(f"应报数据 {rows} 条；本次更新状态 {changed} 条。"))
