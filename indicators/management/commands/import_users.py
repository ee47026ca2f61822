"""Import accounts from a CSV file: ``manage.py import_users users.csv``.

Columns (header row required, UTF-8 with or without BOM): username, role, region, department,
password, email, name. All or nothing: every line is checked, every error is printed with its
line number, and no account is created unless the whole file is valid.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from accounts.services.users import user_create
from indicators.resolve import resolve_department, resolve_region

REQUIRED = ["username", "role", "region", "password"]


class _Invalid(Exception):
    pass


class Command(BaseCommand):
    help = (
        "从CSV文件批量导入用户（列：username, role, region, department, password, email, name）。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, **options: Path) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # messages in Chinese
            self._handle(**options)

    def _handle(self, **options: Path) -> None:
        path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"无法读取文件 {path}：{error}") from None
        reader = csv.DictReader(text.splitlines())
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"CSV缺少列：{'、'.join(missing)}")
        errors: list[str] = []
        created = 0
        try:
            with transaction.atomic():
                for line, row in enumerate(reader, start=2):
                    try:
                        with transaction.atomic():
                            region = resolve_region(row.get("region") or "")
                            user_create(
                                username=row.get("username") or "",
                                role=row.get("role") or "",
                                region=region,
                                department=resolve_department(row.get("department") or "", region),
                                password=row.get("password") or "",
                                email=row.get("email") or "",
                                full_name=row.get("name") or "",
                                must_change_password=True,  # the file's author knows it
                            )
                            created += 1
                    except ValidationError as error:
                        errors.append(f"第{line}行：{'；'.join(error.messages)}")
                if errors:
                    raise _Invalid
        except _Invalid:
            for message in errors:
                self.stderr.write(message)
            raise CommandError(f"共{len(errors)}处错误，未导入任何用户。") from None
        self.stdout.write(self.style.SUCCESS(f"已导入{created}个用户。"))
