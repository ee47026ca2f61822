"""执行中 → 终期评估 by hand: the twin of the daily ``targets.advance_plan_states`` task."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from targets.lifecycle import plan_states_advance


class Command(BaseCommand):
    help = "规划期结束后的1月1日起，执行中的规划转入终期评估（可重复执行）。--today 指定日期。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="日期，如 2026-01-01（默认今天）")

    def handle(self, *args: object, **options: object) -> None:
        try:
            today = date.fromisoformat(str(options["today"])) if options["today"] else (
                timezone.localdate()
            )
        except ValueError:
            raise CommandError(f"日期“{options['today']}”格式不正确，应为如 2026-01-01。") from None
        moved = plan_states_advance(today=today)
        for plan in moved:
            self.stdout.write(f"{plan.code}：执行中 → 终期评估")
        self.stdout.write(f"共 {len(moved)} 个规划转入终期评估。")
