"""The twin of the ``indicators.send_reminders`` task: ``manage.py send_reminders [--date D]``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from indicators.services import reminders_send


class Command(BaseCommand):
    help = "发送填报提醒（邮件与 Webhook 群消息），周一另发办公室逾期周报；并说明未能发送的原因。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", default="", help="按此日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args: object, **options: str) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # messages in Chinese
            self._handle(**options)

    def _handle(self, **options: str) -> None:
        try:
            today = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate()
            )
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        outcome = reminders_send(today=today)
        self.stdout.write(self.style.SUCCESS(outcome.summary()))
