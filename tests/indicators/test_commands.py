"""Management commands: create_user, import_users, send_reminders (and its task twin)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from accounts import roles
from indicators.tasks import send_reminders
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_create_user_with_role_region_and_department(district, scjg):
    out = StringIO()

    call_command(
        "create_user",
        "zhang",
        role="reporter",
        region="320707",
        department="区市场监管局",
        password="Strong-Pass-9",
        email="z@example.cn",
        stdout=out,
    )

    user = User.objects.get(username="zhang")
    assert user.groups.get().name == roles.REPORTER
    assert (user.profile.region, user.profile.department) == (district, scjg)
    assert user.check_password("Strong-Pass-9")
    assert "已创建用户 zhang" in out.getvalue()


def test_create_user_prompts_for_the_password(district, monkeypatch):
    answers = iter(["Strong-Pass-9", "Strong-Pass-9"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    call_command("create_user", "li", role="领导", region="赣榆区", stdout=StringIO())

    assert User.objects.get(username="li").check_password("Strong-Pass-9")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"password": "short1A"}, "密码不符合要求"),
        ({"password": "alllowercase"}, "至少三类"),
        ({"password": "Strong-Pass-9", "role": "boss"}, "角色“boss”不存在"),
        ({"password": "Strong-Pass-9", "role": "reporter", "department": ""}, "必须指定所属部门"),
        ({"password": "Strong-Pass-9", "region": "999999"}, "地区“999999”不存在"),
    ],
)
def test_create_user_refuses_bad_input_in_chinese(district, scjg, options, message):
    kwargs = {"role": "office", "region": "320707", **options}

    with pytest.raises(CommandError, match=message):
        call_command("create_user", "wang", stdout=StringIO(), **kwargs)
    assert not User.objects.filter(username="wang").exists()


def test_import_users_is_all_or_nothing(tmp_path, district, scjg):
    path = tmp_path / "users.csv"
    path.write_text(
        "username,role,region,department,password,email,name\n"
        "u1,部门填报员,320707,区市场监管局,Strong-Pass-9,u1@example.cn,甲\n"
        "u2,领导,320707,,weak,,乙\n"
        "u3,office,赣榆区,,Strong-Pass-9,,丙\n",
        encoding="utf-8-sig",
    )
    err = StringIO()

    with pytest.raises(CommandError, match="共1处错误，未导入任何用户"):
        call_command("import_users", str(path), stdout=StringIO(), stderr=err)
    assert "第3行" in err.getvalue()
    assert not User.objects.filter(username__in=["u1", "u2", "u3"]).exists()

    path.write_text(
        path.read_text(encoding="utf-8-sig").replace(",weak,", ",Strong-Pass-8,"), encoding="utf-8"
    )
    call_command("import_users", str(path), stdout=StringIO())
    assert User.objects.filter(username__in=["u1", "u2", "u3"]).count() == 3


def test_reminders_mail_reporters_what_is_due_and_overdue(scjg_user, office_user, rate):
    scjg_user.email = "scjg@example.cn"
    scjg_user.save()

    sent = send_reminders.delay("2025-07-10").get()

    assert sent == 1
    (message,) = mail.outbox
    assert message.to == ["scjg@example.cn"]
    assert "2025年第2季度" in message.body
    assert "截止 2025-07-15" in message.body
    assert "已逾期未报" in message.body


def test_the_office_gets_a_weekly_digest_on_mondays(scjg_user, office_user, rate):
    office_user.email = "office@example.cn"
    office_user.save()

    call_command("send_reminders", date="2025-07-14", stdout=StringIO())  # a Monday

    (digest,) = [m for m in mail.outbox if m.to == ["office@example.cn"]]
    assert "区市场监管局" in digest.body
    assert "逾期" in digest.body


def test_no_mail_when_nothing_is_due(district, scjg):
    UserFactory.with_role("idle", roles.REPORTER, district, scjg)

    call_command("send_reminders", date="2025-07-10", stdout=StringIO())

    assert mail.outbox == []
