"""Build the quarterly PDF from the command line: the twin of the ``reports.build_report`` task.

    python manage.py export_report --quarter 2025Q4 --output report.pdf
    python manage.py export_report --quarter 2025Q4 --doc-number 质强办〔2026〕5号 \
        --date 2026-01-15 --output report.pdf
    python manage.py export_report --quarter 2025Q4 --region 赣州市 --output ganzhou.pdf
    python manage.py export_report --quarter 2025Q4 --plan <plan code or title> --output plan.pdf
    python manage.py export_report --quarter 2025Q4 --department 区市场监管局 --region 赣榆区 ...

Writes the same PDF as the 报告 page (same services), without recording a ReportRun: for the
same scope, quarter, 文号 and date the two files are byte-identical. Without --region/--plan/
--department the scope is everything, titled by the root region (全国), as the office sees it.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from indicators.models import Department, Region
from reports.models import DOC_NUMBER_MAX_LENGTH, ReportRun
from reports.pdf.data import report_scope_resolve
from reports.services import report_pdf_render
from targets.models import Plan
from targets.selectors import parse_quarter


def _one(queryset: Any, what: str, text: str) -> Any:
    found = list(queryset[:6])
    if not found:
        raise CommandError(f"找不到{what}“{text}”。")
    if len(found) > 1:
        names = "、".join(str(item) for item in found[:5])
        raise CommandError(f"{what}“{text}”不唯一（{names}），请写得更具体。")
    return found[0]


class Command(BaseCommand):
    help = "生成季度质量目标推进情况报告（PDF）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quarter", required=True, help="报告期，如 2025Q4")
        parser.add_argument(
            "--region", help="地区名称或区划代码（与 --department 合用时限定部门所在地区）"
        )
        parser.add_argument("--plan", help="规划代码或标题")
        parser.add_argument("--department", help="部门名称")
        parser.add_argument("--output", required=True, help="输出的 PDF 文件路径")
        parser.add_argument("--doc-number", default="",
                            help="文号，如 质强办〔2026〕5号（留空则印「〔 〕号」）")
        parser.add_argument("--date", help="成文日期，如 2026-01-15（默认：本季度数据报送截止日）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year, quarter = parse_quarter(options["quarter"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        issue_date = None
        if options["date"]:
            try:
                issue_date = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date “{options['date']}”不是日期，应写作 2026-01-15。"
                ) from None
        doc_number = " ".join(options["doc_number"].split())
        if len(doc_number) > DOC_NUMBER_MAX_LENGTH:
            raise CommandError(f"--doc-number 最多{DOC_NUMBER_MAX_LENGTH}个字。")
        region = plan = department = None
        if options["region"]:
            text = options["region"]
            region = _one(Region.objects.filter(Q(name=text) | Q(code=text)), "地区", text)
        if options["plan"]:
            text = options["plan"]
            plans = Plan.objects.select_related("region").exclude(status=Plan.Status.DRAFT)
            plan = _one(plans.filter(
                Q(code=text) | Q(title=text) | Q(title__contains=text)), "规划", text)
        if options["department"]:
            text = options["department"]
            candidates = Department.objects.select_related("region").filter(
                Q(name=text) | Q(short_name=text))
            if region is not None:
                candidates = candidates.filter(region=region)
            department = _one(candidates, "部门", text)
        if sum(x is not None for x in (plan, department)) > 1:
            raise CommandError("--plan 与 --department 只能选一个。")
        scope = (ReportRun.Scope.DEPARTMENT if department else ReportRun.Scope.PLAN if plan
                 else ReportRun.Scope.REGION if region else ReportRun.Scope.ALL)
        resolved = report_scope_resolve(scope=scope, region=region, plan=plan,
                                        department=department)
        started = time.perf_counter()
        pdf = report_pdf_render(scope=resolved, year=year, quarter=quarter,
                                doc_number=doc_number, date=issue_date)
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {output}（{resolved.label}，{year}年第{quarter}季度，"
            f"{len(pdf) // 1024} KB，{time.perf_counter() - started:.1f} 秒）"
        ))
