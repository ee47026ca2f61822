"""Helpers shared by the data-entry views: paging, period parsing, error messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..calendar import Period

PAGE_SIZE = 50

#: A page with a form: GET shows it, POST sends it; anything else (DELETE …) is 405.
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def page_of(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def parse_period(slug: str) -> Period:
    try:
        return Period.parse(slug)
    except ValueError:
        raise Http404(_("报告期格式不正确。")) from None


def error_messages(error: ValidationError) -> list[str]:
    return list(error.messages)
