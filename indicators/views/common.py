"""Helpers shared by the data-entry views: paging, period parsing, error messages."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from core.views import PAGE_SIZE, error_messages, page_of, require_form_methods

from ..calendar import Period

__all__ = ["PAGE_SIZE", "error_messages", "page_of", "parse_period", "require_form_methods"]


def parse_period(slug: str) -> Period:
    try:
        return Period.parse(slug)
    except ValueError:
        raise Http404(_("报告期格式不正确。")) from None
