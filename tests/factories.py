"""factory_boy factories for every model, get-or-create on natural keys."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from indicators.models import Department, Indicator, Observation, Profile, Region
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
