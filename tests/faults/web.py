"""The site over HTTP as a signed-in user sees it (urllib: cookies, CSRF, the second factor)."""

from __future__ import annotations

import html
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Response:
    status: int
    body: str
    seconds: float
    url: str



class Browser:
    """A signed-in user over HTTP: cookies, CSRF, redirects; every request bounded in time."""

    def __init__(self, base: str, timeout: float = 15) -> None:
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request) -> Response:
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                body, status, url = answer.read().decode(errors="replace"), answer.status, \
                    answer.url
        except urllib.error.HTTPError as error:
            body, status, url = error.read().decode(errors="replace"), error.code, request.full_url
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            body, status, url = repr(error), 0, request.full_url
        return Response(status, body, time.monotonic() - started, url)

    def get(self, path: str) -> Response:
        return self._open(urllib.request.Request(self.base + path))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")  # type: ignore[return-value]

    def post(self, path: str, data: dict[str, str] | list[tuple[str, str]]) -> Response:
        items = list(data.items()) if isinstance(data, dict) else list(data)
        body = urllib.parse.urlencode([*items, ("csrfmiddlewaretoken", self.csrf())]).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST", headers={
            "X-CSRFToken": self.csrf(), "Referer": self.base + path,
        })
        return self._open(request)

    def login(self, username: str, password: str,
              one_time_code: Callable[[], str] | None = None) -> None:
        """The password; then, when the site asks for it, the second factor's code."""
        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", {"username": username, "password": password})
        failed = f"login of {username} failed: {answer.status} {answer.url}"
        assert answer.status == 200, failed
        if one_time_code is not None and "/accounts/otp/verify/" in answer.url:
            path = answer.url.removeprefix(self.base)
            answer = self.post(path, {"otp_token": one_time_code()})
            failed = f"second factor of {username} refused: {answer.status} {answer.url}"
            assert answer.status == 200, failed
        assert "/accounts/login/" not in answer.url, failed
        assert "/accounts/otp/" not in answer.url, failed



def input_names(page: str, prefix: str) -> list[str]:
    return re.findall(rf'name="({re.escape(prefix)}[^"]*)"', page)



def unescape(text: str) -> str:
    return html.unescape(text)
