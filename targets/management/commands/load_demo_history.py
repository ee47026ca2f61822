"""Load (or, with --remove, remove) the demo history of approved figures, then recompute.

``make run`` runs it; ``make run DEMO=0`` and the production setup do not. What it loads:
targets/demo.py and docs/monitoring.md "Demo history".
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from targets.demo import load_demo_history, remove_demo_history
from targets.services import progress_recompute


class Command(BaseCommand):
    help = (
        "载入演示用的示例数据（2021年至最近一个已截止的报送期，证据注明“示例数据”），"
        "并重新计算进度；--remove 删除全部示例数据。需先运行 create_demo_users。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="删除全部示例数据")

    def handle(self, *args: object, **options: object) -> None:
        if options["remove"]:
            deleted, withdrawn = remove_demo_history()
            self.stdout.write(
                f"已删除示例数据 {deleted} 条"
                + (f"，撤回有更正记录的示例数据 {withdrawn} 条（审计记录永久保留）" if withdrawn
                   else "") + "。"
            )
        else:
            result = load_demo_history()
            corrected = (f"，其中1条经更正后重新审核（{result.correction}）"
                         if result.correction else "")
            self.stdout.write(
                f"已载入示例数据 {result.created} 条（{result.series} 个指标序列）{corrected}。"
            )
        rows = progress_recompute(as_of=timezone.localdate(), all_quarters=True)
        self.stdout.write(f"已重新计算进度 {rows} 条。")
