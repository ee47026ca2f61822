"""factory_boy factories for every model, get-or-create on natural keys, and the plain helpers
that several test modules share (fixtures live in the conftest.py files)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Profile
from indicators.models import Department, Indicator, Observation, Region
from reports.models import ReportRun
from targets.models import Plan, Progress, Target

PASSWORD = "Test-pass-2025"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"9{n:05d}")
    name = factory.Sequence(lambda n: f"测试市{n}")
    level = Region.Level.CITY


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["region", "name"]

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"市测试局{n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"indicator_{n}")
    name = factory.Sequence(lambda n: f"测试指标{n}合格率")
    unit = "%"
    category = "产品质量"
    measure = Indicator.Measure.LEVEL
    frequency = Indicator.Frequency.ANNUAL
    direction = Indicator.Direction.HIGHER
    lower_bound = 0
    upper_bound = 100


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"plan-{n}")
    region = factory.SubFactory(RegionFactory)
    title = factory.Sequence(lambda n: f"测试质量强市实施方案{n}")
    start_year = 2021
    end_year = 2025
    base_year = 2020


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target
        django_get_or_create = ["plan", "code"]
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    indicator = factory.SubFactory(IndicatorFactory)
    kind = Target.Kind.LEVEL
    comparator = Target.Comparator.GE
    value = 96
    unit = "%"
    deadline_year = 2025
    baseline_value = 90
    baseline_year = 2020
    source_quote = factory.LazyAttribute(lambda t: f"{t.indicator.name}达到{t.value}%以上")

    @factory.post_generation
    def leads(self, create: bool, extracted: list[Department] | None, **kwargs: object) -> None:
        if create and extracted:
            self.lead_departments.set(extracted)


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.SubFactory(RegionFactory)
    year = 2023
    quarter = None
    value = 93.5
    status = Observation.Status.APPROVED


class ProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Progress
        django_get_or_create = ["target", "year", "quarter"]

    target = factory.SubFactory(TargetFactory)
    year = 2025
    quarter = 4
    status = Progress.Status.ON_TRACK
    computed_at = factory.LazyFunction(timezone.now)


class ReportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRun

    year = 2025
    quarter = 4


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def with_role(
        cls, username: str, role: str, region: Region, department: Department | None = None
    ):
        user = cls(username=username)
        user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        Profile.objects.update_or_create(
            user=user, defaults={"region": region, "department": department}
        )
        return user


# --- Helpers shared by several test modules --------------------------------------------------
# (a test module never imports another test module: tests/test_code_shape.py)


def auth(key: str) -> dict[str, str]:
    """The header of an API token."""
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def make_superuser():
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    user.save()  # the factory sets the password after saving; keep the session hash valid
    return user


def post_entry(client, indicator, value, *, submit=False, url=None, **extra):
    """The entry form of 2025Q2 (or ``url``), saved or submitted, following the redirect."""
    data = {f"value_{indicator.pk}": value, **extra}
    data["submit" if submit else "save"] = "1"
    url = url or reverse("indicators:entry", kwargs={"period": "2025Q2"})
    return client.post(url, data, follow=True)


def submitted(client, user, indicator, value="95.2"):
    """``user`` submits ``value`` for 2025Q2 through the form; the observation it made."""
    client.force_login(user)
    post_entry(client, indicator, value, submit=True)
    client.logout()
    return Observation.objects.get(indicator=indicator, year=2025, quarter=2)


# Excel round trip of 2025Q2: download the pre-filled template, fill it in, upload it back.


def download(client):
    response = client.get(reverse("indicators:excel-template", kwargs={"period": "2025Q2"}))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def fill(book, values: dict[str, object], column: str = "本期数值") -> bytes:
    sheet = book["填报数据"]
    headers = [cell.value for cell in sheet[1]]
    code_col, value_col = headers.index("指标代码"), headers.index(column)
    for row in sheet.iter_rows(min_row=2):
        if row[code_col].value in values:
            row[value_col].value = values[row[code_col].value]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(
    client,
    content: bytes,
    django_capture_on_commit_callbacks,
    name="填报.xlsx",
    **data,
):
    url = reverse("indicators:excel-upload", kwargs={"period": "2025Q2"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": uploaded_file(content, name), **data})
    assert response.status_code == 302
    return client.get(response["Location"])


def uploaded_file(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def seed_report_world(district, other_city=None):
    """赣榆区's 品质赣榆 plan with five departments and eight targets; 盐城市 optional."""
    S = Progress.Status
    scjg = DepartmentFactory(region=district, name="区市场监管局")
    gxj = DepartmentFactory(region=district, name="区工信局")
    zjj = DepartmentFactory(region=district, name="区住建局")
    sthj = DepartmentFactory(region=district, name="区生态环境局")
    plan = PlanFactory(
        code="ganyu-pinzhi-2025", region=district,
        title="“品质赣榆”建设行动方案(2025-2027年)", doc_number="赣政办发〔2025〕10号",
        issuer="赣榆区政府办", start_year=2025, end_year=2027, base_year=2024,
    )

    def target(code, name, leads, status, *, prev=None, quarterly=False, **extra):
        indicator = IndicatorFactory(
            code=f"ind-{code}", name=name, unit=extra.pop("unit", "%"),
            frequency=Indicator.Frequency.QUARTERLY if quarterly else Indicator.Frequency.ANNUAL,
        )
        values = {"current_value": extra.pop("current", None),
                  "expected_value": extra.pop("expected", None),
                  "gap": extra.pop("gap", None), "pace": extra.pop("pace", None),
                  "moving_away": extra.pop("moving_away", False)}
        made = TargetFactory(plan=plan, code=code, indicator=indicator, leads=leads,
                             unit=indicator.unit, deadline_year=2027,
                             source_clause=extra.pop("clause", "一、(一)"), **extra)
        ProgressFactory(target=made, status=status, data_year=2025, **values)
        if prev:
            ProgressFactory(target=made, quarter=3, status=prev)
        return made

    targets = {
        "quality": target("T01", "产品质量监督抽查合格率", [scjg], S.ON_TRACK, prev=S.LAGGING,
                          current=95.2, expected=94.8, gap=0.4, pace=1.02, quarterly=True),
        "food": target("T02", "食品安全评价性抽检合格率", [scjg], S.ACHIEVED, prev=S.ACHIEVED,
                       kind=Target.Kind.MAINTAIN, value=98.5, current=99.1),
        "award": target("T03", "省长质量奖企业数", [scjg], S.LAGGING, prev=S.ON_TRACK,
                        kind=Target.Kind.CUMULATIVE_NEW, value=2, baseline_value=None,
                        unit="家", current=1, expected=1.33, gap=-0.33, pace=0.75,
                        binding=Target.Binding.BINDING, clause="一、(一)"),
        "rnd": target("T04", "规上工业企业研发经费投入占比", [gxj], S.OFF_TRACK, prev=S.LAGGING,
                      value=2.5, baseline_value=2.1, current=2.0, expected=2.23, gap=-0.23,
                      pace=-0.55, moving_away=True),
        "build": target("T05", "建设工程质量一次验收合格率", [zjj], S.NO_DATA, value=100),
        "pm25": target("T06", "PM2.5平均浓度", [sthj], S.LAGGING, prev=S.LAGGING,
                       comparator=Target.Comparator.LE, value=30, baseline_value=33,
                       unit="微克/立方米", current=32.1, expected=31.7, gap=0.4, pace=0.8,
                       binding=Target.Binding.BINDING, clause="表2"),
        "brand": target("T07", "“品字标”认证企业数", [scjg, gxj], S.ACHIEVED,
                        kind=Target.Kind.CUMULATIVE_NEW, value=7, baseline_value=None,
                        unit="家", current=8),
        "farm": target("T08", "主要农产品质量安全抽检合格率", [], S.NOT_APPLICABLE,
                       cancelled=True, cancel_reason="政策调整,不再开展"),
    }
    # Reporting: the quarterly figure of T01 and the 2025 annual figure of T02 are in.
    ObservationFactory(indicator=targets["quality"].indicator, region=district, year=2025,
                       quarter=4, value=Decimal("95.2"), department=scjg)
    ObservationFactory(indicator=targets["food"].indicator, region=district, year=2025,
                       value=Decimal("99.1"), department=scjg,
                       status=Observation.Status.SUBMITTED)
    world = {"plan": plan, "scjg": scjg, "gxj": gxj, "zjj": zjj, "sthj": sthj, **targets}
    if other_city is not None:
        yancheng_plan = PlanFactory(code="yancheng-2021", region=other_city,
                                    title="盐城市质量强市建设实施方案")
        jgj = DepartmentFactory(region=other_city, name="市市场监管局")
        indicator = IndicatorFactory(code="ind-y01", name="制造业产品质量合格率")
        yancheng = TargetFactory(plan=yancheng_plan, code="Y01", leads=[jgj], indicator=indicator)
        ProgressFactory(target=yancheng, status=S.ON_TRACK, current_value=94.0)
        world["yancheng_plan"] = yancheng_plan
    return world


# The quarterly PDF read with poppler-utils, as a filing clerk's tools would see the file.

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "pdf"


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


#: The as-of date of the sharded recompute tests.
AS_OF = date(2025, 9, 30)


def progress_snapshot() -> dict[tuple[int, int, int], tuple]:
    """Every Progress row by (target, year, quarter): all fields but id and computed_at."""
    fields = [f.attname for f in Progress._meta.concrete_fields
              if f.attname not in ("id", "computed_at")]
    return {(row[0], row[1], row[2]): row for row in Progress.objects.values_list(
        "target_id", "year", "quarter", *fields)}


@contextmanager
def celery_broker_down() -> Iterator[None]:
    """Sends inside go to a broker nobody listens on (port 1). On the way out kombu's pool
    registries are emptied (they are keyed by broker URL, so a closed pool of the dead URL
    would be handed out again) and the app builds fresh pools on the real broker for every
    later send of the session (CI's second pass runs a real Redis and worker)."""
    from kombu import pools

    from qualitytrack.celery import app as celery_app

    app: Any = celery_app  # the pools are private attributes the stubs do not declare
    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        pools.reset()
        app.conf.task_always_eager, app.conf.broker_url = previous
        app._pool = app.amqp._producer_pool = None
