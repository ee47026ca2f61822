"""Reads for onboarding: drafts under review, suggestions by name similarity (rapidfuzz).

docs/onboarding.md §5: an indicator is suggested from the existing canonical indicators by
name (rapidfuzz WRatio ≥ 70, one with the proposal's unit preferred), so a new plan's targets
land on the indicators other cities already track; departments of the plan's region are
matched the same way (≥ 90: 区市场监管局 and 区市场监督管理局 are one department only when
the office says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from rapidfuzz import fuzz, process

from indicators.models import Department, Indicator, Region
from targets.models import Plan

from .models import PlanDocument, Proposal

INDICATOR_CUTOFF = 70
DEPARTMENT_CUTOFF = 90


def drafts(*, region_ids: Iterable[int] | None = None) -> QuerySet[PlanDocument]:
    documents = PlanDocument.objects.select_related("plan", "plan__region").filter(
        plan__status=Plan.Status.DRAFT
    )
    if region_ids is not None:
        documents = documents.filter(plan__region_id__in=list(region_ids))
    return documents.order_by("-uploaded_at")


def proposals_of(document: PlanDocument) -> QuerySet[Proposal]:
    return document.proposals.select_related("indicator").order_by("order", "pk")


@dataclass
class Suggestion:
    indicator: Indicator
    score: float


def indicator_suggestions(name: str, unit: str, *, limit: int = 5) -> list[Suggestion]:
    """Existing indicators whose names resemble ``name``, best first (same unit first)."""
    choices = dict(Indicator.objects.values_list("pk", "name"))
    if not choices or not name:
        return []
    found = process.extract(
        name, choices, scorer=fuzz.WRatio, score_cutoff=INDICATOR_CUTOFF, limit=limit * 3
    )
    by_pk = Indicator.objects.in_bulk([pk for _, _, pk in found])
    ranked = sorted(
        (Suggestion(by_pk[pk], score) for _, score, pk in found if pk in by_pk),
        key=lambda s: (s.indicator.unit != unit, -s.score),
    )
    return ranked[:limit]


def department_match(region: Region, name: str) -> Department | None:
    """The department of ``region`` this name means: exact, else rapidfuzz ratio ≥ 90."""
    departments = {d.pk: d for d in Department.objects.filter(region=region)}
    exact = next((d for d in departments.values() if d.name == name), None)
    if exact is not None:
        return exact
    best = process.extractOne(
        name,
        {pk: d.name for pk, d in departments.items()},
        scorer=fuzz.ratio,
        score_cutoff=DEPARTMENT_CUTOFF,
    )
    return departments[best[2]] if best else None
