"""Deployment hardening (issue 9, docs/reliability.md AT-12): production settings pass
``check --deploy``, and every response carries the security headers.

Production differs from the local default only by its environment, so "production settings"
are the settings module evaluated again under a production environment.
"""

from __future__ import annotations

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import PASSWORD

BASE_DIR = Path(django_settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "example.gov.cn",
    "DJANGO_SSL_REDIRECT": "True",
}
HOST = {"HTTP_HOST": "example.gov.cn"}
HTTPS = {**HOST, "secure": True}
# What the production environment changes; the test client keeps its own storages etc.
SECURITY_SETTINGS = [
    "DEBUG", "ALLOWED_HOSTS", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "CONTENT_SECURITY_POLICY",
]


def test_check_deploy_is_clean_with_the_production_environment():
    env = {**os.environ, **PRODUCTION_ENV}
    result = subprocess.run(  # our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def production(settings, monkeypatch):
    """Apply the security settings that qualitytrack/settings.py makes in production."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    evaluated = runpy.run_path(str(BASE_DIR / "qualitytrack" / "settings.py"))
    for name in SECURITY_SETTINGS:
        setattr(settings, name, evaluated[name])
    return settings


def csp(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response) -> None:
    hsts = response.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000  # type: ignore[union-attr]
    assert "includeSubDomains" in hsts
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert set(policy["img-src"]) == {"'self'", "data:"}
    assert all(source == "'self'" or source.startswith("'sha256-")
               for source in policy["style-src"])
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.django_db
def test_pages_carry_the_security_headers(production, client, leader_user):
    login_page = client.get(reverse("login"), **HTTPS)
    assert login_page.status_code == 200
    assert_security_headers(login_page)

    # a leader: straight to the page after the password (no second factor to give)
    client.post(reverse("login"), {"username": "leader", "password": PASSWORD}, **HTTPS)
    session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    home = client.get(reverse("reports:home"), **HTTPS)
    assert home.status_code == 200
    assert_security_headers(home)


@pytest.mark.django_db
def test_the_api_carries_the_security_headers(production, client):
    response = client.get("/api/v1/targets/", HTTP_ACCEPT="application/json", **HTTPS)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert_security_headers(response)


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production, client):
    response = client.get(reverse("login"), **HOST)

    assert response.status_code == 301
    assert response.headers["Location"] == "https://example.gov.cn" + reverse("login")


@pytest.mark.django_db
def test_the_behind_a_proxy_scheme_header_counts_as_https(production, client):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https", **HOST)

    assert response.status_code == 200
    assert_security_headers(response)


def test_production_turns_debug_off(production):
    assert production.DEBUG is False
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True


@pytest.mark.django_db
def test_the_local_default_also_sends_csp_and_frame_denial(client):
    response = client.get(reverse("login"))

    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


TEMPLATE_DIRS = [
    BASE_DIR / app / "templates" for app in ("qualitytrack", "indicators", "targets", "reports")
]
PDF_ONLY = "pdf"  # templates rendered by WeasyPrint into PDF, never by a browser


def browser_templates() -> list[Path]:
    return [
        path for folder in TEMPLATE_DIRS if folder.exists()
        for path in folder.rglob("*.html") if PDF_ONLY not in path.relative_to(folder).parts
    ]


def test_templates_have_no_inline_script_handler_or_style():
    """The CSP would block them: scripts come from static files, data as JSON islands."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style = re.compile(r"<style\b|\sstyle\s*=", re.I)
    offenders = []
    for path in browser_templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, handler, style, re.compile(r"javascript:", re.I)):
            offenders += [f"{path.relative_to(BASE_DIR)}: {m.group(0)}"
                          for m in pattern.finditer(text)]

    assert browser_templates()
    assert offenders == []
