"""Create the demo accounts that `make run` prints: office, leader, reporter, auditor.

Idempotent: running it again resets the demo passwords and memberships, nothing else.
The password comes from DEMO_PASSWORD when set.
"""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from indicators import roles
from indicators.models import Department, Profile, Region

DEFAULT_PASSWORD = "Demo-2025-qt"


class Command(BaseCommand):
    help = "创建演示账号（领导小组办公室、领导、部门填报员、审计员）并打印登录信息。"

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
        ]
        if reporter_department is not None:
            accounts.append(
                ("reporter", f"演示·{reporter_department.name}填报员", roles.REPORTER,
                 reporter_department.region, reporter_department)
            )
        User = get_user_model()
        self.stdout.write("演示账号（用户名 / 密码 / 角色 / 地区）：")
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
