"""Time every page type on whatever data is loaded (issue 5: < 300 ms on the seed data).

Runs in-process through Django's test client as the demo office user (create it with
`make setup`; its session is marked as having given the second factor, with the demo
device), warm, N times per page, and prints the median and p95 in milliseconds.

    .venv/bin/python -m bench.pages_bench [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench._django import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--user", default="office")
    options = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.second_factor import confirmed_device, second_factor_required
    from indicators.models import Department, Indicator
    from targets.models import Plan, Target

    setup_test_environment()  # lets the test client run with the project's ALLOWED_HOSTS
    client = Client()
    user = get_user_model().objects.get(username=options.user)
    client.force_login(user)
    if second_factor_required(user):  # what django_otp.login does once the code is right
        device = confirmed_device(user)
        if device is None:
            raise SystemExit(f"{user} has no TOTP device: run manage.py create_demo_users")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    plan = Plan.objects.order_by("-targets__pk").first()
    department = Department.objects.filter(led_targets__isnull=False).first()
    indicator = Indicator.objects.filter(targets__isnull=False).first()
    target = Target.objects.filter(plan=plan).first()
    pages = {
        "首页": reverse("reports:home"),
        "总览": reverse("reports:overview"),
        "城市/规划": reverse("reports:plan-list"),
        "规划详情": reverse("reports:plan-detail", args=[plan.code]),
        "部门列表": reverse("reports:department-list"),
        "部门详情": reverse("reports:department-detail", args=[department.pk]),
        "指标列表": reverse("reports:indicator-list"),
        "指标详情": reverse("reports:indicator-detail", args=[indicator.code]),
        "目标详情": reverse("reports:target-detail", args=[target.pk]),
        "API 目标": "/api/v1/targets/?page_size=1000",
        "API 进度": "/api/v1/progress/?page_size=1000",
    }
    print(f"{'page':<12} {'median ms':>10} {'p95 ms':>8}  status")
    for name, url in pages.items():
        client.get(url)  # warm caches and templates
        timings, status = [], 0
        for _ in range(options.runs):
            started = time.perf_counter()
            status = client.get(url).status_code
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{name:<12} {statistics.median(timings):>10.1f} {p95:>8.1f}  {status}")


if __name__ == "__main__":
    main()
