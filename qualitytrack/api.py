"""The REST API's wiring: one router, paging, and one exception handler.

Each app's ``api.py`` holds its viewsets; they are registered here so that ``/api/v1/`` is
one documented surface. Errors come out as JSON with a Chinese message, a code and a field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map Django's service-layer errors to DRF's, so forms and API read the same."""
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    return drf_exception_handler(exc, context)


router = DefaultRouter()


def register_viewsets() -> DefaultRouter:
    """Import each app's api module (they call ``router.register``) and return the router."""
    from importlib import import_module

    for module in ("indicators.api", "targets.api", "reports.api"):
        try:
            import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
    return router
