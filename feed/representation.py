"""Feed rows rendered as DRF renders them, with the per-field lookups resolved once per list.

DRF's ``Serializer.to_representation`` asks every field of every row for its value through
``Field.get_attribute``: a walk of the dotted source that inspects each step's signature
(``is_simple_callable``), and for ``get_status_display`` Django's display method, which
rebuilds a dict of lazily translated labels on every call. For a feed page of 1,000 progress
rows (31 fields) that walk was two thirds of the request's CPU (docs/scale.md §1, "What a
page costs").

``CompiledRepresentation`` gives the same output, key for key and value for value:

* on the first row it works out, per field, how to reach the value — a plain attribute path
  (``operator.attrgetter``), a foreign key's stored id, a model field's choice label (looked
  up in a table made once, in the request's language), the row itself for method fields, the
  field's own ``get_attribute`` where it has one — and keeps DRF's ``get_attribute`` for
  anything else (a callable on the way, a mapping,
  a step that was ``None`` on the first row);
* each value is then rendered by the field's own ``to_representation``, ``None`` as ``None``,
  as DRF does;
* a row on which a fast path raises (a related object missing on that row only) is rendered
  by DRF's own rules for that field.

``tests/api/test_representation.py`` compares both ways on every feed serializer.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import Field as DjangoField
from django.db.models import Model
from django.utils.encoding import force_str
from rest_framework import serializers
from rest_framework.fields import SkipField, is_simple_callable
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField

Getter = Callable[[Any], Any]


class _Slow(Exception):
    """A field whose value this module does not reach by a plain path: DRF's own walk."""


def _walk(instance: Any, attrs: list[str]) -> Any:
    """Follow ``attrs`` on a sample row; ``_Slow`` if DRF's walk would do more than getattr."""
    for attr in attrs:
        if instance is None or isinstance(instance, dict):
            raise _Slow
        instance = getattr(instance, attr)
        if is_simple_callable(instance):
            raise _Slow
    return instance


def _display_getter(field: serializers.Field, sample: Any) -> Getter | None:
    """``source="…get_<name>_display"`` of a model field with choices: a label table."""
    *path, last = field.source_attrs
    name = last.removeprefix("get_").removesuffix("_display")
    if not (last.startswith("get_") and last.endswith("_display")):
        return None
    owner = _walk(sample, path)
    if not isinstance(owner, Model):
        raise _Slow
    try:
        model_field = owner._meta.get_field(name)
    except FieldDoesNotExist:
        raise _Slow from None
    if not isinstance(model_field, DjangoField) or not model_field.flatchoices:
        raise _Slow
    # What Model._get_FIELD_display returns, resolved in the request's language once.
    labels = {
        value: force_str(label, strings_only=True) for value, label in model_field.flatchoices
    }
    value_of = operator.attrgetter(".".join([*path, model_field.attname]))

    def display(instance: Any) -> Any:
        value = value_of(instance)
        return labels.get(value, force_str(value, strings_only=True))

    return display


def _getter(serializer: serializers.Serializer, field: serializers.Field, sample: Any) -> Getter:
    """How to reach ``field``'s value on rows shaped like ``sample``."""
    if isinstance(field, serializers.SerializerMethodField) or field.source == "*":
        return _identity
    if type(field).get_attribute is not serializers.Field.get_attribute:
        return field.get_attribute  # the field reaches its value its own way
    attrs = list(field.source_attrs)
    if type(field) is PrimaryKeyRelatedField and field.pk_field is None:
        owner = _walk(sample, attrs[:-1])
        if not isinstance(owner, Model):
            raise _Slow
        model_field = owner._meta.get_field(attrs[-1])
        if not isinstance(model_field, DjangoField):
            raise _Slow
        pk_of = operator.attrgetter(".".join([*attrs[:-1], model_field.attname]))
        return lambda instance: PKOnlyObject(pk=pk_of(instance))
    if isinstance(field, serializers.RelatedField):
        raise _Slow
    display = _display_getter(field, sample)
    if display is not None:
        return display
    _walk(sample, attrs)
    return operator.attrgetter(".".join(attrs))


def _identity(instance: Any) -> Any:
    return instance


class CompiledRepresentation:
    """Mixin (first in the bases) for a ModelSerializer whose rows a feed list renders."""

    _compiled: list[tuple[str, Getter | None, serializers.Field]] | None = None

    def _compile(self, sample: Any) -> list[tuple[str, Getter | None, serializers.Field]]:
        plan = []
        for field in self._readable_fields:  # type: ignore[attr-defined]
            try:
                getter: Getter | None = _getter(self, field, sample)  # type: ignore[arg-type]
            except (_Slow, AttributeError, KeyError, ObjectDoesNotExist, FieldDoesNotExist):
                getter = None
            plan.append((field.field_name, getter, field))
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan = self._compiled
        if plan is None:
            plan = self._compiled = self._compile(instance)
        row: dict[str, Any] = {}
        for name, getter, field in plan:
            if getter is not None:
                try:
                    value = getter(instance)
                except (AttributeError, KeyError, ObjectDoesNotExist):
                    getter = None
            if getter is None:  # DRF's own rules: defaults, SkipField
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
            if (value.pk if isinstance(value, PKOnlyObject) else value) is None:
                row[name] = None
            else:
                row[name] = field.to_representation(value)
        return row
