"""Reads of the 安全管理员's pages: the accounts, and which of them django-axes locks out."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone


def accounts(*, query: str = "", role: str = ""):
    """Every account for the 安全管理员's list, with profile and role in the same reads."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.select_related(
        "profile__region", "profile__department"
    ).prefetch_related("groups").order_by("username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query))
    if role:
        users = users.filter(groups__name=role)
    return users


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of ``usernames`` django-axes currently locks out (failure limit within cool-off)."""
    from axes.models import AccessAttempt

    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames), attempt_time__gte=since,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        ).values_list("username", flat=True)
    )
