"""Read-only pages. Thin: each view asks a selector and renders.

The dashboards (charts, filters, CSV) grow here; see DESIGN §1 (reports is the top layer).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators.models import Department, Indicator
from targets.models import Plan
from targets.selectors import plan_list as select_plans
from targets.selectors import target_list


def home(request: HttpRequest) -> HttpResponse:
    """The loaded plans with their target counts per city, straight from the database."""
    plans = list(select_plans())
    ctx = {"plans": plans, "total_targets": sum(plan.target_count for plan in plans)}
    return render(request, "reports/home.html", ctx)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/overview.html", {"plans": select_plans()})


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/plan_list.html", {"plans": select_plans()})


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("region"), code=code)
    return render(
        request, "reports/plan_detail.html", {"plan": plan, "targets": target_list(plan=plan)}
    )


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.select_related("region").annotate(
        lead_count=Count("led_targets", distinct=True)
    )
    return render(request, "reports/department_list.html", {"departments": departments})


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk)
    targets = target_list().filter(lead_departments=department)
    return render(
        request, "reports/department_detail.html", {"department": department, "targets": targets}
    )


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = Indicator.objects.annotate(target_count=Count("targets")).order_by(
        "category", "code"
    )
    return render(request, "reports/indicator_list.html", {"indicators": indicators})


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    targets = target_list().filter(indicator=indicator)
    return render(
        request, "reports/indicator_detail.html", {"indicator": indicator, "targets": targets}
    )


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(target_list(), pk=pk)
    return render(request, "reports/target_detail.html", {"target": target})
