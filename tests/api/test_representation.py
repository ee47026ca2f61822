"""The feed's rows are DRF's rows: ``feed.representation.CompiledRepresentation`` renders every
feed serializer key for key and value for value as DRF's generic walk does (docs/scale.md §1),
on the seed plans, a plan's progress in every status and figures in every state, in Chinese
and in English, and on rows whose related objects are missing."""

import json

import pytest
from django.core.management import call_command
from django.utils import translation
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from feed.representation import CompiledRepresentation
from indicators.models import Department, Indicator, Observation, Region
from indicators.serializers import (
    DepartmentSerializer,
    IndicatorSerializer,
    ObservationSerializer,
    RegionSerializer,
)
from targets.models import Plan, Progress, Target
from targets.selectors import progress_published
from targets.serializers import PlanSerializer, ProgressSerializer, TargetSerializer
from tests.factories import ObservationFactory, seed_report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(district, other_city):
    """The seed plans' targets (loaded, not computed: that takes a minute), a plan with
    progress in every status (numbers, gaps, nulls, cancelled, two leads, none) and figures
    in every state, with and without a department."""
    call_command("loaddata", "seed_targets", verbosity=0)
    world = seed_report_world(district, other_city)
    for number, status in enumerate(Observation.Status.values):
        ObservationFactory(indicator=world["pm25"].indicator, region=district,
                           year=2020 + number, value=30 - number, status=status,
                           department=world["sthj"] if number % 2 else None)
    return world


def _rows(serializer_class, queryset, context=None):
    """Both ways, as the JSON a client reads."""
    compiled = serializer_class(queryset, many=True, context=context or {}).data
    child = serializer_class(context=context or {})
    generic = [serializers.Serializer.to_representation(child, row) for row in queryset]
    if serializer_class is ObservationSerializer:  # its own step after the fields
        for row in generic:
            row["comment"] = row["evidence"] = ""
    render = JSONRenderer().render
    return json.loads(render(compiled)), json.loads(render(generic))


def _feed_querysets():
    return [
        (PlanSerializer, Plan.objects.select_related("region").order_by("pk")),
        (TargetSerializer, Target.objects.select_related("plan__region", "indicator")
         .prefetch_related("lead_departments", "participating_departments").order_by("pk")),
        (ProgressSerializer, progress_published().prefetch_related("target__lead_departments")),
        (ObservationSerializer, Observation.objects.select_related(
            "indicator", "region", "department").order_by("pk")),
        (RegionSerializer, Region.objects.select_related("parent").order_by("pk")),
        (DepartmentSerializer, Department.objects.select_related("region").order_by("pk")),
        (IndicatorSerializer, Indicator.objects.order_by("pk")),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_feed_serializer_renders_as_drf_does(seeded, language):
    assert Target.objects.count() > 250
    assert Progress.objects.count() > 10
    assert Observation.objects.values("status").distinct().count() == len(Observation.Status)
    with translation.override(language):
        for serializer_class, queryset in _feed_querysets():
            assert issubclass(serializer_class, CompiledRepresentation)
            compiled, generic = _rows(serializer_class, queryset)
            assert compiled == generic, serializer_class.__name__
            assert [list(row) for row in compiled] == [list(row) for row in generic]


def test_labels_follow_the_language(seeded):
    row = progress_published().filter(status="on_track").first()
    with translation.override("zh-hans"):
        assert ProgressSerializer(row).data["status_label"] == "进度正常"
    with translation.override("en"):
        assert ProgressSerializer(row).data["status_label"] == "On track"


def test_a_row_missing_a_related_object_renders_as_drf_does(seeded):
    """A figure without a department (the office's own load), after rows that have one."""
    with_department = list(Observation.objects.filter(department__isnull=False)[:3])
    orphan = Observation.objects.filter(department__isnull=False).last()
    orphan.department = None
    rows = [*with_department, orphan]
    compiled, generic = _rows(ObservationSerializer, rows)
    assert compiled == generic
    assert compiled[-1]["department"] is None


def test_the_feed_page_shows_the_rows_drf_would(seeded, api):
    """What a portal reads: page 1 of progress and of targets, as the generic walk gives."""
    published = Plan.Status.published()
    pages = [
        ("/api/v1/progress/?page_size=1000", ProgressSerializer,
         _feed_querysets()[2][1].filter(target__plan__status__in=published).order_by("pk")),
        ("/api/v1/targets/?page_size=1000", TargetSerializer,
         _feed_querysets()[1][1].filter(plan__status__in=published)),
    ]
    for url, serializer_class, queryset in pages:
        body = api.get(url).json()
        shown = {row.pk: row for row in queryset.filter(pk__in=[r["id"] for r in body["results"]])}
        rows = [shown[r["id"]] for r in body["results"]]
        assert len(rows) > 5
        assert body["results"] == _rows(serializer_class, rows)[1], url
