"""``manage.py validate_seed``: check fixtures/seed_targets.json against the seed documents.

Reads the JSON file, not the database (targets.seed). Exits non-zero with one Chinese line per
problem, naming the plan and the target; prints "N plans, M targets OK" when all is well.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from targets.seed import validate_seed_file


class Command(BaseCommand):
    help = "校验种子目标文件:原文逐字摘录、数值、责任单位、目标年份与编号。"

    def add_arguments(self, parser):
        parser.add_argument("--path", help="种子文件路径(默认 fixtures/seed_targets.json)")
        parser.add_argument("--seeds-dir", help="原文文件目录(默认 settings.SEEDS_DIR)")

    def handle(self, *args, **options):
        report = validate_seed_file(options.get("path"), options.get("seeds_dir"))
        if not report.ok:
            lines = "\n".join(report.errors)
            raise CommandError(f"种子文件校验未通过({len(report.errors)} 处问题):\n{lines}")
        self.stdout.write(self.style.SUCCESS(report.summary))
        self.stdout.write(f"{report.rewards} rewards, {report.observations} observations")
