"""Rebuild the dashboards' rollup tables from Progress and Target (docs/scale.md).

The database triggers keep them right on every write; this is for after a bulk load that
went around them (e.g. with triggers disabled) or to check them. Idempotent.
"""

from django.core.management.base import BaseCommand

from targets.models import PlanRollup, QuarterRollup
from targets.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "由目标进度重建看板汇总表（各规划、部门、季度的状态计数及目标数）。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, action="append", dest="plans",
                            help="只重建该规划（ID，可重复）")

    def handle(self, *args: object, **options: object) -> None:
        plans = options["plans"]
        rollups_rebuild(plan_ids=plans)  # type: ignore[arg-type]
        self.stdout.write(
            f"已重建看板汇总：{PlanRollup.objects.filter(n__gt=0).count()} 组规划状态计数，"
            f"{QuarterRollup.objects.count()} 个季度。"
        )
