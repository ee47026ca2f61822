"""Data-entry pages (thin): authenticate, authorise, parse, call a service, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def due(request: HttpRequest) -> HttpResponse:
    return render(request, "indicators/due.html", {})
