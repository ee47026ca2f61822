"""Reads of plans and targets that pages, the PDF and the API share."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import Plan, Target


def plan_list() -> QuerySet[Plan]:
    """Every plan with its region and its number of targets, for the home page and lists."""
    return (
        Plan.objects.select_related("region", "region__parent")
        .annotate(target_count=Count("targets"))
        .order_by("region__code", "-status", "start_year")
    )


def target_list(*, plan: Plan | None = None) -> QuerySet[Target]:
    targets = Target.objects.select_related("indicator", "plan", "plan__region").prefetch_related(
        "lead_departments", "participating_departments"
    )
    if plan is not None:
        targets = targets.filter(plan=plan)
    return targets.order_by("plan_id", "pk")
