"""ObservationSerializer maps its model's fields once per class (core.serializers.FieldsBuiltOnce):
each instance must still get fields of its own, bound to it, and render its own figure."""

from __future__ import annotations

import pytest

from indicators.serializers import ObservationSerializer
from tests.factories import ObservationFactory

pytestmark = pytest.mark.django_db


def test_each_serializer_binds_fields_of_its_own() -> None:
    first, second = ObservationSerializer(), ObservationSerializer()
    assert first.fields["value"] is not second.fields["value"]
    assert first.fields["value"].parent is first
    assert second.fields["value"].parent is second


def test_two_figures_render_each_its_own_values() -> None:
    a = ObservationFactory(value=12.5)
    b = ObservationFactory(value=80.25)
    assert ObservationSerializer(a).data["value"] == pytest.approx(12.5)
    assert ObservationSerializer(b).data["value"] == pytest.approx(80.25)
    assert ObservationSerializer(b).data["indicator"] == b.indicator.code
