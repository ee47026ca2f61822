"""``manage.py verify_audit``: walk both audit hash chains; non-zero exit at the first bad row."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import verify_audit_chains


class Command(BaseCommand):
    help = (
        "校验审计日志与数据变更记录的哈希链：记录被改动（哈希不符）或被删除（序号缺口、"
        "前序哈希不符）时以非零状态退出，并指出第一条有问题的记录。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--database", default="default", help="数据库别名，默认 default")

    def handle(self, *args: object, **options: str) -> None:
        problems = []
        for report in verify_audit_chains(using=options["database"]):
            if report.problem is None:
                self.stdout.write(f"{report.chain}: OK（{report.rows} 条记录，哈希链完整）")
            else:
                self.stderr.write(f"{report.chain}: FAILED after {report.rows} good rows")
                problems.append(str(report.problem))
        if problems:
            raise CommandError("审计哈希链校验失败：" + "；".join(problems))
        self.stdout.write(self.style.SUCCESS("审计哈希链校验通过。"))
