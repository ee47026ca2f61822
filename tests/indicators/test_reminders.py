"""Reminders reach every late department (docs/roles.md, "提醒").

区市场监管局 has a reporter account (first without an e-mail address), 区工信局 has none; both
lead a quarterly target of 赣榆区's plan, so on 2025-07-14 (a Monday) both are late. The
webhook tests post to a real HTTP server on 127.0.0.1 started here (no mock of the client).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts import roles
from indicators.models import Indicator
from indicators.services import reminders_send
from indicators.services.reminders import webhook_payload
from tests.factories import IndicatorFactory, TargetFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = "2025-07-14"


@pytest.fixture
def industry(plan, gxj):
    """规上工业企业质量管理体系认证率, quarterly, led by 区工信局 (which has no account)."""
    indicator = IndicatorFactory(code="industry_quality", name="规上工业企业认证率",
                                 frequency=Indicator.Frequency.QUARTERLY)
    TargetFactory(plan=plan, indicator=indicator, value=80, leads=[gxj])
    return indicator


@pytest.fixture
def late_world(scjg_user, office_user, rate, industry):
    office_user.email = "office@example.cn"
    office_user.save()
    return scjg_user


class Receiver:
    """A group robot stand-in: records each JSON body, answers like 钉钉/企业微信."""

    def __init__(self, answer: dict[str, object] | None = None, status: int = 200) -> None:
        self.bodies: list[dict[str, object]] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.paths.append(self.path)
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                assert self.headers["Content-Type"] == "application/json"
                data = json.dumps(answer or {"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?access_token=t0k"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def contents(self) -> list[str]:
        return [body["text"]["content"] for body in self.bodies]  # type: ignore[index]


@pytest.fixture
def webhook(settings):
    settings.REMINDER_WEBHOOK_INTERVAL_SECONDS = 0
    settings.REMINDER_WEBHOOK_TIMEOUT = 2
    with Receiver() as receiver:
        settings.REMINDER_WEBHOOK_URL = receiver.url
        yield receiver


def test_the_digest_lists_a_late_department_without_an_account(late_world):
    call_command("send_reminders", date=MONDAY, stdout=StringIO())

    (digest,) = [m for m in mail.outbox if m.to == ["office@example.cn"]]
    assert "本周逾期未报数据的部门（共2个）" in digest.body
    assert "赣榆区市场监管局：逾期" in digest.body
    assert "赣榆区工信局：逾期" in digest.body
    line = next(ln for ln in digest.body.splitlines() if "区工信局" in ln)
    assert line.endswith("（无填报账号）")
    assert "无填报账号" not in next(ln for ln in digest.body.splitlines() if "市场监管局" in ln)


def test_send_reminders_says_how_many_could_not_be_sent_and_why(late_world):
    out = StringIO()

    call_command("send_reminders", date=MONDAY, stdout=out)

    text = out.getvalue()
    assert "已发送1封提醒邮件。" in text  # the office's digest; scjg has no address
    assert "未能发送邮件：1个部门无填报账号（赣榆区工信局），1个账号无邮箱（scjg）。" in text


def test_counts_add_up_with_more_departments_and_accounts(late_world, district, gxj):
    second = UserFactory.with_role("scjg2", roles.REPORTER, district,
                                   late_world.profile.department)
    second.email = "scjg2@example.cn"
    second.save()

    outcome = reminders_send(today=__import__("datetime").date(2025, 7, 10))  # not a Monday

    assert outcome.sent == 1  # scjg's reminder reaches scjg2 only
    assert mail.outbox[0].to == ["scjg2@example.cn"]
    assert outcome.no_account == ["赣榆区工信局"]
    assert outcome.no_email == ["scjg"]


def test_the_webhook_posts_every_reminder_as_a_robot_text_message(late_world, webhook):
    out = StringIO()

    call_command("send_reminders", date=MONDAY, stdout=out)

    assert all(set(b) == {"msgtype", "text"} and b["msgtype"] == "text" for b in webhook.bodies)
    assert all(path == "/robot/send?access_token=t0k" for path in webhook.paths)
    contents = webhook.contents
    assert len(contents) == 3  # two departments' reminders and the digest
    by_title = {content.split("\n", 1)[0]: content for content in contents}
    assert set(by_title) == {"【质量目标跟踪】赣榆区市场监管局数据填报提醒",
                             "【质量目标跟踪】赣榆区工信局数据填报提醒",
                             "【质量目标跟踪】逾期填报部门周报"}
    assert "产品质量监督抽查合格率" in by_title["【质量目标跟踪】赣榆区市场监管局数据填报提醒"]
    # the department without an account still hears through the group
    assert "已逾期未报" in by_title["【质量目标跟踪】赣榆区工信局数据填报提醒"]
    digest = by_title["【质量目标跟踪】逾期填报部门周报"]
    assert "赣榆区工信局：逾期17项（无填报账号）" in digest
    assert contents[-1] == digest  # the digest comes last
    assert "已推送3条群消息（Webhook）。" in out.getvalue()


def test_a_robot_refusal_is_counted_with_its_reason(late_world, settings):
    settings.REMINDER_WEBHOOK_INTERVAL_SECONDS = 0
    refusal = {"errcode": 310000, "errmsg": "keywords not in content"}
    out = StringIO()
    with Receiver(answer=refusal) as receiver:
        settings.REMINDER_WEBHOOK_URL = receiver.url
        call_command("send_reminders", date="2025-07-10", stdout=out)

    assert len(receiver.bodies) == 2
    assert "群消息推送失败2条：errcode 310000: keywords not in content。" in out.getvalue()


def test_an_unreachable_webhook_is_reported_not_retried_per_message(late_world, settings):
    settings.REMINDER_WEBHOOK_INTERVAL_SECONDS = 0
    settings.REMINDER_WEBHOOK_TIMEOUT = 1
    with Receiver() as receiver:
        closed = receiver.url  # the server stops below: the port answers nothing
    settings.REMINDER_WEBHOOK_URL = closed
    out = StringIO()

    call_command("send_reminders", date="2025-07-10", stdout=out)

    assert "群消息推送失败2条：无法连接（ConnectionError）。" in out.getvalue()


def test_dingtalk_signing_adds_timestamp_and_sign(late_world, webhook, settings):
    settings.REMINDER_WEBHOOK_SECRET = "SEC000"

    reminders_send(today=__import__("datetime").date(2025, 7, 10))

    assert webhook.paths
    assert all("&timestamp=" in p and "&sign=" in p for p in webhook.paths)


def test_a_long_message_is_cut_to_the_robots_2048_bytes():
    payload = webhook_payload("【质量目标跟踪】提醒", "指标" * 2000)

    content = payload["text"]["content"]
    assert len(content.encode("utf-8")) <= 2048
    assert content.endswith("…")


# --- Read from ReportingDue (issue 18) ---------------------------------------------------------


def _reminder_bodies(monkeypatch, settings, day: str) -> dict[str, str]:
    """Every department's reminder as the webhook would post it, by department."""
    from indicators.services import reminders

    posted: list[tuple[str, str]] = []
    monkeypatch.setattr(reminders, "_webhook_post_all", lambda url, items, outcome: posted.extend(
        (r.subject, r.body) for r in items))
    settings.REMINDER_WEBHOOK_URL = "http://127.0.0.1:9/robot"
    reminders_send(today=__import__("datetime").date.fromisoformat(day))
    return {body.split("：", 1)[0]: body for _subject, body in posted}


def test_a_reminder_names_the_newest_thirty_overdue_and_counts_the_rest(
    late_world, count, milestone, plan, scjg, monkeypatch, settings
):
    TargetFactory(plan=plan, indicator=IndicatorFactory(name="基期指标"), leads=[scjg],
                  baseline_value=None, value=5)  # 基期值 2020 owed at once

    body = _reminder_bodies(monkeypatch, settings, "2025-07-10")["赣榆区市场监管局"]

    lines = body.splitlines()
    soon = lines.index("以下数据将于7天内截止填报：")
    assert lines[soon + 1:soon + 6] == ["  · 基期指标（2020年，截止 2025-07-10）",
                        "  · 产品质量监督抽查合格率（2025年第2季度，截止 2025-07-15）",
                        "  · 国家级质检中心建设（2025年第2季度，截止 2025-07-15）",
                        "  · 新增品字标企业数（2025年第2季度，截止 2025-07-15）", ""]
    # 3 quarterly indicators × 17 closed quarters and the annual 基期指标 × 4 closed years
    start = lines.index("以下数据已逾期未报（共55项）：")
    assert lines[start + 1:start + 5] == ["  · 产品质量监督抽查合格率（2025年第1季度）",
                                          "  · 国家级质检中心建设（2025年第1季度）",
                                          "  · 新增品字标企业数（2025年第1季度）",
                                          "  · 基期指标（2024年）"]
    assert lines[start + 31] == "  …… 等55项"


def test_reminders_cost_the_same_queries_as_departments_grow(late_world, plan, district, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.services.reporting import reporting_due_batch
    from tests.factories import DepartmentFactory

    def run() -> int:
        with CaptureQueriesContext(connection) as captured:
            reminders_send(today=__import__("datetime").date(2025, 7, 14))
        return len(captured)

    TargetFactory(plan=plan, indicator=IndicatorFactory(), leads=[late_world.profile.department],
                  baseline_value=None, value=5)  # a 基期值 owed: its two queries in both runs
    few = run()
    with reporting_due_batch():
        for _ in range(10):
            department = DepartmentFactory(region=district)
            for _ in range(3):
                TargetFactory(plan=plan, indicator=IndicatorFactory(), leads=[department],
                              baseline_value=None, value=5)
    mail.outbox.clear()

    assert run() == few
    digest = next(m for m in mail.outbox if m.to == ["office@example.cn"])
    assert "本周逾期未报数据的部门（共12个）" in digest.body
