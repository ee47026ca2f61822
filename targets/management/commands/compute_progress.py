"""Recompute progress by hand: the twin of the ``targets.recompute_progress`` task."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.calendar import Period
from targets.selectors import parse_quarter
from targets.services import progress_recompute
from targets.sharding import progress_recompute_sharded


class Command(BaseCommand):
    help = (
        "计算目标进度：默认为当前季度；--quarter 2025Q4 或 --as-of 2025-12-31 指定时点；"
        "--all 计算所有季度。"
    )

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--quarter", help="季度，如 2025Q4（按季度末计算）")
        when.add_argument("--as-of", dest="as_of", help="评估日期，如 2025-12-31")
        parser.add_argument(
            "--all", action="store_true", help="计算从各规划起始至该时点的所有季度"
        )
        parser.add_argument("--plan", action="append", type=int, help="只计算此规划（id，可多次）")
        parser.add_argument(
            "--shards", type=int, default=0,
            help="按地区分成若干份，交由 Celery 工作进程并行计算（docs/scale.md）",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            if options["quarter"]:
                as_of = Period(*parse_quarter(str(options["quarter"]))).end
            elif options["as_of"]:
                as_of = date.fromisoformat(str(options["as_of"]))
            else:
                as_of = timezone.localdate()
        except ValueError as error:
            raise CommandError(f"时点格式不正确：{error}") from None
        shards = int(options["shards"] or 0)  # type: ignore[call-overload]
        if shards and options["plan"]:
            raise CommandError("--shards 与 --plan 不能同时使用。")
        if shards:
            done = progress_recompute_sharded(
                as_of=as_of, all_quarters=bool(options["all"]), shards=shards
            )
            rows = sum(count for _, count in done)
            workers = len({worker for worker, _ in done})
            self.stdout.write(f"分 {len(done)} 份由 {workers} 个工作进程计算。")
        else:
            rows = progress_recompute(
                as_of=as_of, all_quarters=bool(options["all"]), plan_ids=options["plan"] or None  # type: ignore[arg-type]
            )
        quarter = Period.containing(as_of).quarter
        scope = "所有季度" if options["all"] else f"{as_of.year}年第{quarter}季度"
        self.stdout.write(f"已计算进度 {rows} 条（{scope}，评估日 {as_of:%Y-%m-%d}）。")
