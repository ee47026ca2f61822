"""Helpers shared by the pages of every app: paging, allowed methods, error messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.views.decorators.http import require_http_methods

PAGE_SIZE = 50

#: A page with a form: GET shows it, POST sends it; anything else (DELETE …) is 405.
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def page_of(request: HttpRequest, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def error_messages(error: ValidationError) -> list[str]:
    return list(error.messages)
