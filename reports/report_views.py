"""The 报告 pages: request a quarterly PDF, watch its progress, download it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/report_list.html", {})
