"""Per-token and per-address throttles for the API (DRF throttles, cache-backed).

Each token has its own bucket (``ApiToken.throttle_rate`` or ``API_TOKEN_THROTTLE_RATE``);
anonymous callers share a bucket per address (``API_PUBLIC_THROTTLE_RATE``). Signed-in
staff using the pages' session are not throttled. The buckets live in Django's cache, so a
deployment with several processes needs a shared cache (Redis) for the limits to be exact.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .models import ApiToken

DEFAULT_TOKEN_RATE = "1200/min"
DEFAULT_PUBLIC_RATE = "300/min"


class ApiTokenRateThrottle(SimpleRateThrottle):
    """One bucket per token; the token's own rate wins over the default."""

    scope = "api_token"

    def get_rate(self) -> str:
        return getattr(settings, "API_TOKEN_THROTTLE_RATE", DEFAULT_TOKEN_RATE)

    def allow_request(self, request: Request, view: APIView) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        self.rate = token.throttle_rate or self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PublicRateThrottle(SimpleRateThrottle):
    """Anonymous callers without a token, one bucket per client address."""

    scope = "api_public"

    def get_rate(self) -> str:
        return getattr(settings, "API_PUBLIC_THROTTLE_RATE", DEFAULT_PUBLIC_RATE)

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.auth is not None or request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
