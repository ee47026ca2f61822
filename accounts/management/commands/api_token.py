"""Manage API tokens from the shell: create (prints the key once), revoke, list.

    manage.py api_token create --name 数据开放平台 --kind portal
    manage.py api_token create --name 市场监管局系统 --kind department \\
        --department 320707:区市场监管局
    manage.py api_token revoke <id or prefix>
    manage.py api_token list
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import ApiToken, place_model
from accounts.services.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "创建、吊销或列出 API 令牌（密钥只在创建时显示一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", choices=[k.value for k in ApiToken.Kind], required=True)
        create.add_argument("--department", help="<区划代码>:<部门名称>，部门令牌必填")
        create.add_argument("--rate", default="", help="限流，如 600/min")
        create.add_argument(
            "--accountable", default="",
            help="部门令牌的责任人用户名：此人不能审核该令牌提交的数据（四眼原则）",
        )
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token", help="令牌 id 或前缀")
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "revoke":
            token = self._find(options["token"])
            token_revoke(token=token, by=None)
            self.stdout.write(f"已吊销：{token}")
        else:
            for token in ApiToken.objects.select_related("department"):
                used = token.last_used_at.isoformat() if token.last_used_at else "从未使用"
                state = f"已吊销 {token.revoked_at.isoformat()}" if token.revoked_at else "有效"
                self.stdout.write(
                    f"{token.pk}\t{token.prefix}\t{token.kind}\t{token.name}\t"
                    f"{token.department or '-'}\t{used}\t{state}"
                )

    def _create(self, options: dict[str, Any]) -> None:
        department = None
        if options["department"]:
            code, _sep, name = options["department"].partition(":")
            departments = place_model("department")._default_manager
            try:
                department = departments.get(region__code=code, name=name)
            except departments.model.DoesNotExist:  # type: ignore[attr-defined]
                raise CommandError(f"找不到部门“{options['department']}”。") from None
        accountable = None
        if options["accountable"]:
            from django.contrib.auth import get_user_model

            accountable = get_user_model().objects.filter(
                username=options["accountable"]).first()
            if accountable is None:
                raise CommandError(f"找不到用户“{options['accountable']}”。")
        try:
            token, key = token_create(
                by=None, name=options["name"], kind=options["kind"], department=department,
                throttle_rate=options["rate"], accountable=accountable,
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(f"已创建令牌 {token.pk}（{token.name}）。密钥只显示这一次：")
        self.stdout.write(key)

    @staticmethod
    def _find(text: str) -> ApiToken:
        token = ApiToken.objects.filter(prefix=text).first()
        if token is None and text.isdigit():
            token = ApiToken.objects.filter(pk=int(text)).first()
        if token is None:
            raise CommandError(f"找不到令牌“{text}”。")
        return token
