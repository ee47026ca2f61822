"""Print the current TOTP code of a user's confirmed device: an operator tool for demos and tests.

    manage.py totp_now office

It reads the device's secret from the database, so whoever can run it can pass any account's
second factor: use it with the demo accounts (``create_demo_users``) and in test set-ups only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.second_factor import confirmed_device, current_code


class Command(BaseCommand):
    help = (
        "打印用户已绑定的身份验证器当前的6位动态口令。演示与测试用的运维工具：直接从数据库读取"
        "该设备的密钥，能运行本命令者即可通过任何账号的第二重验证，切勿用于正式账号。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名，如 office")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在。")
        device = confirmed_device(user)
        if device is None:
            raise CommandError(f"用户“{username}”尚未绑定身份验证器。")
        code, remaining, used = current_code(device)
        self.stdout.write(code)
        note = f"（{remaining}秒后更新）"
        if used:
            note = f"（本口令已使用过，不能再次使用：请{remaining}秒后再运行本命令取得下一个）"
        self.stderr.write(note)
