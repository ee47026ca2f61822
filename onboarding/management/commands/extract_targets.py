"""``python manage.py extract_targets FILE [--json]``: the targets a plan document proposes.

FILE is .txt, .docx or .pdf (docs/onboarding.md §3). Without ``--json`` a readable list,
qualitative goals after the quantified ones; with ``--json`` a JSON list of objects with
exactly the fields issue 14 item 4 names, quantified targets only unless
``--include-qualitative`` (those carry ``value: null``).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.extract import DocumentError, extract_targets, read_path

_CMP = {"ge": "≥", "le": "≤", "gt": ">", "lt": "<", "eq": "=", "range": "区间"}


class Command(BaseCommand):
    help = "从规划文件(.txt/.docx/.pdf)中抽取候选目标"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="规划文件路径(.txt、.docx 或带文字层的 .pdf)")
        parser.add_argument("--json", action="store_true", help="以 JSON 列表输出")
        parser.add_argument(
            "--include-qualitative",
            action="store_true",
            help="JSON 中也列出无数值的定性目标(value 为 null)",
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"找不到文件:{path}")
        try:
            text = read_path(path)
        except DocumentError as exc:
            raise CommandError(str(exc)) from exc
        candidates = extract_targets(text)
        if options["json"]:
            rows = [
                c.as_json()
                for c in candidates
                if options["include_qualitative"] or not c.qualitative
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        quantified = [c for c in candidates if not c.qualitative]
        qualitative = [c for c in candidates if c.qualitative]
        self.stdout.write(f"定量目标 {len(quantified)} 个:")
        for i, c in enumerate(quantified, 1):
            value = f"{c.value}" + (f"–{c.value_high}" if c.value_high is not None else "")
            flags = "".join(
                f for f, on in (("〔力争〕", c.aspirational), ("〔远景〕", c.vision)) if on
            )
            year = c.deadline_year or "每年"
            depts = "、".join(c.lead_departments)
            if c.participating_departments:
                depts += ";参与:" + "、".join(c.participating_departments)
            self.stdout.write(
                f"{i:3}. {c.indicator_name} {_CMP[c.comparator]} {value}{c.unit} "
                f"({c.kind},{year}){flags}{' 牵头:' + depts if depts else ''}\n"
                f"     原文:{' '.join(c.source_quote.split())}"
            )
        self.stdout.write(f"定性目标 {len(qualitative)} 个(无数值,仅列出):")
        for i, c in enumerate(qualitative, 1):
            flags = "〔远景〕" if c.vision else ""
            self.stdout.write(
                f"{i:3}. {' '.join(c.source_quote.split())}({c.kind},{c.deadline_year}){flags}"
            )
