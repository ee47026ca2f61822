"""Create the demo accounts that `make run` prints: office, leader, reporter, auditor,
security (安全管理员) and sysadmin (系统管理员).

Idempotent: running it again resets the demo passwords and memberships, and the second
factor of the accounts that need one, nothing else. The password comes from DEMO_PASSWORD
when set. Those accounts get a confirmed TOTP device whose secret is derived from the
username (public, starting with DEMO); the command prints it with its otpauth:// URI so that
a demo user can add it to an authenticator app, or run ``manage.py totp_now <username>``.
"""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import roles
from accounts.models import Profile
from accounts.second_factor import demo_device_reset, second_factor_required, secret_base32
from indicators.models import Department, Region

DEFAULT_PASSWORD = "Demo-2025-qt"


class Command(BaseCommand):
    help = (
        "创建演示账号（领导小组办公室、领导、部门填报员、审计员、安全管理员、系统管理员）并打印"
        "登录信息；需要第二重验证的账号绑定公开的演示动态口令密钥。"
    )

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        roles.ensure_groups()
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        top = Region.objects.filter(parent__isnull=True).order_by("code").first()
        if top is None:
            self.stderr.write("尚无地区数据，请先导入种子数据（loaddata seed_targets）。")
            return
        reporter_department = (
            Department.objects.filter(name="区市场监管局", region__name="赣榆区").first()
            or Department.objects.order_by("pk").first()
        )
        accounts = [
            ("office", "演示·领导小组办公室", roles.OFFICE, top, None),
            ("leader", "演示·领导", roles.LEADER, top, None),
            ("auditor", "演示·审计员", roles.AUDITOR, top, None),
            ("security", "演示·安全管理员", roles.SECURITY, top, None),
            ("sysadmin", "演示·系统管理员", roles.ADMIN, top, None),
        ]
        if reporter_department is not None:
            accounts.append(
                ("reporter", f"演示·{reporter_department.name}填报员", roles.REPORTER,  # type: ignore[arg-type]
                 reporter_department.region, reporter_department)
            )
        User = get_user_model()
        self.stdout.write("演示账号（用户名 / 密码 / 角色 / 地区）：")
        devices = []
        for username, full_name, role, region, department in accounts:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name = full_name
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            Profile.objects.update_or_create(
                user=user, defaults={"region": region, "department": department}
            )
            where = f"{region.name}{department.name if department else ''}"
            self.stdout.write(f"  {username} / {password} / {role} / {where}")
            if second_factor_required(user):
                devices.append(demo_device_reset(user=user))
        self.stdout.write(
            "动态口令（演示密钥，公开，切勿用于正式账号；用户名 / 密钥 / 验证器链接）："
        )
        for device in devices:
            self.stdout.write(
                f"  {device.user.username} / {secret_base32(device)} / {device.config_url}"
            )
        self.stdout.write("  当前6位口令也可用 .venv/bin/python manage.py totp_now <用户名> 查看。")
