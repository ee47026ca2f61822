"""Create one account: ``manage.py create_user USERNAME --role 部门填报员 --region 320707
--department 区市场监管局 [--password …] [--email …] [--name …]``.

Without ``--password`` the password is asked twice at the prompt (never echoed). Passwords
must pass the configured rules (length ≥ 8, three character classes).
"""

from __future__ import annotations

import getpass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.services.users import user_create
from indicators.resolve import resolve_department, resolve_region


class Command(BaseCommand):
    help = "创建用户并指定角色、地区和部门（部门填报员须指定部门）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            required=True,
            help="领导小组办公室/部门填报员/领导/审计员/系统管理员，"
            "或 office/reporter/leader/auditor/admin",
        )
        parser.add_argument("--region", required=True, help="区划代码或地区名称")
        parser.add_argument("--department", default="", help="部门名称（部门填报员必填）")
        parser.add_argument("--password", default="", help="不填则在提示符下输入")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args: object, **options: str) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # messages in Chinese
            self._handle(**options)

    def _handle(self, **options: str) -> None:
        try:
            region = resolve_region(options["region"])
            department = resolve_department(options["department"], region)
            password = options["password"] or self._prompt()
            user = user_create(
                username=options["username"],
                role=options["role"],
                region=region,
                department=department,
                password=password,
                email=options["email"],
                full_name=options["name"],
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {user.username}。"))

    def _prompt(self) -> str:
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        return first
