"""Settings for QualityTrack, driven by environment variables.

With no environment at all this runs locally on SQLite with Celery in eager mode (no broker).
Production and CI set DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY and
DJANGO_DEBUG=False; nothing else differs between the embedded default and a deployment.
"""

import base64
import hashlib
import re
from pathlib import Path

import environ
import plotly
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; the real environment wins

# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The default key is for the embedded, local default only; deployments set DJANGO_SECRET_KEY.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "qualitytrack",  # its migrations' history only (docs/architecture.md)
    "web",
    "accounts",
    "feed",
    "indicators",
    "targets",
    "reports",
    "onboarding",
]

MIDDLEWARE = [
    # First: turns any database outage below it into a quick 503 with a Chinese message.
    "core.middleware.DatabaseUnavailableMiddleware",
    # Which requests may read from DATABASE_REPLICA_URL (a no-op without one).
    "qualitytrack.db_router.ReplicaReadsMiddleware",
    # The API's JSON error shape for unknown /api/ paths and Django's own 400s there.
    "core.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",  # zh-hans unless the user switches
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",  # 12 h at most; idle expiry slides
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    # Office, admin, security-admin and auditor accounts see nothing before their TOTP code.
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes last, as its docs require: it reads the authentication outcome.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qualitytrack.urls"
WSGI_APPLICATION = "qualitytrack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
                "web.context_processors.login_policy",
                "web.demo_banner.demo_data",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
else:
    # SQLite under `make run` is written by three processes (web, worker, beat). WAL lets the
    # page read while the worker writes; IMMEDIATE takes the write lock when a transaction
    # starts, so a busy writer makes the other wait (up to "timeout" seconds) instead of failing
    # with "database is locked" when a read lock cannot be upgraded (README, "make run").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

# Dashboard and feed reads from a streaming replica when DATABASE_REPLICA_URL is set; writes,
# data entry and whoever just wrote stay on the primary (qualitytrack.db_router, docs/scale.md).
REPLICA_READ_PATHS = env.list(
    "REPLICA_READ_PATHS",
    default=["/api/v1/", "/dashboard/", "/plans/", "/departments/", "/indicators/", "/targets/"],
)
REPLICA_READ_PAGES = ["/"]  # the home page (a prefix "/" would match every path)
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db("DATABASE_REPLICA_URL"),
        "TEST": {"MIRROR": "default"},  # tests read what they write
    }
    DATABASE_ROUTERS = ["qualitytrack.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and security (MLPS 2.0 level 3 spirit) ----------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lock-out before the password is checked
    "accounts.authentication.ModelBackend",  # Django's, with the profile in the same read
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "login"
# 30 minutes idle, 12 hours at most (docs/reliability.md AT-08); see SessionLifetimeMiddleware: the
# idle expiry slides when the session is saved, at most once a minute, not on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
# 30 minutes (docs/reliability.md AT-07)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# We lock the *account* (MLPS: 登录失败处理), so rotating IPs or user agents does not help an
# attacker; axes warns only because it cannot know that this is the intent.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Second login factor (MLPS 2.0 level 3 双因素): a TOTP authenticator app (django-otp) for the
# roles in accounts.roles.SECOND_FACTOR_ROLES and superusers; always enforced, no switch.
# Failed codes back off exponentially per device (django-otp's throttling, defaults kept).
OTP_TOTP_ISSUER = "QualityTrack 质量目标跟踪"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the Django admin never shows a device's secret or QR



def _plotly_style_hashes() -> list[str]:
    """CSP hash sources for the <style> elements plotly.min.js creates (see the CSP below)."""
    bundle = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    texts = [""]  # Lib.addStyleRule: an empty <style>, rules added with insertRule
    texts += re.findall(
        r"""createElement\("style"\);?\w*\.id="[0-9a-f]+",\w+\.textContent='([^'\\]*)'""",
        bundle.read_text(encoding="utf-8"),
    )
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()}'"
        for t in texts
    ]


# --- Security headers (docs/reliability.md AT-12) ------------------------------------------
# Every response: nosniff, frame denial (X-Frame-Options and CSP frame-ancestors), a referrer
# policy and the CSP below. Only HSTS, secure cookies and the HTTPS redirect wait for DEBUG off.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from our own static files, never inline
# (pages ship chart data as <script type="application/json"> islands, drawn by charts.js), and
# no 'unsafe-inline' for styles either. plotly.js needs exactly two inline <style> elements:
# an empty one that it fills through the CSSOM (which CSP allows), and the MapLibre stylesheet
# bundled in plotly.min.js. Both are allowed by the hash of their content; the second hash is
# taken from the vendored file itself, so a Plotly upgrade keeps the policy right.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *_plotly_style_hashes()],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preload only takes effect once the registrable domain is submitted to the browsers'
    # list; announcing it costs nothing on an intranet host (and check --deploy wants it).
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files (everything served locally: intranets are offline) -------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.py ships plotly.min.js in its package data: serve that very file (no copy, no CDN).
STATICFILES_DIRS = [("vendor/plotly", Path(plotly.__file__).resolve().parent / "package_data")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail (reminders); console by default ------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="qualitytrack@localhost")

# --- Celery ---------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # no broker: run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # with acks_late: requeue if the worker dies
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died without acknowledging (the whole worker killed, not just its pool
# process) returns to the queue after visibility_timeout; it must exceed the longest task (the
# hard time limit). The unacked sweep runs every 10 s (throttle 1): kombu's default throttle
# of 10 would add up to 100 s before a lost task is seen again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60),
    "unacked_restore_throttle": 1,
    # A sender (the web's after-commit nudge) tries the broker once instead of retrying for
    # CELERY_BROKER_CONNECTION_TIMEOUT: with Redis down an approval then costs no extra 2 s.
    # The worker and beat do not use this: they follow CELERY_BROKER_CONNECTION_MAX_RETRIES.
    "max_retries": 0,
}
# celery/celery#6046: without a connect timeout, .delay() can hang a request while Redis is
# down (senders of after-commit nudges also pass retry=False and keep no result).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The worker and beat wait for the broker to come back, however long it is away: a limit here
# makes them exit with "Unrecoverable error" a few seconds into an outage (the web does not
# use it). None = retry forever, backing off to 30 s between attempts.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = TIME_ZONE
# Celery's consumer, surviving a Redis outage while it holds unacknowledged messages (see there).
CELERY_WORKER_CONSUMER = "qualitytrack.worker:Consumer"
# `make run`'s embedded broker: kombu's filesystem transport (CELERY_BROKER_URL=filesystem://),
# one file per message in a folder of the checkout. It is part of kombu (no extra package, no
# service), supports the fanout exchange that Celery's remote control and the worker's
# "ready" handshake use, and locks with flock, so the web, the worker and beat share it safely
# on one machine. Production keeps Redis (README, docker-compose.yml).
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env.str("CELERY_BROKER_FOLDER", default=str(BASE_DIR / ".run" / "broker")))
    for _sub in ("queue", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(_broker_dir / "queue"),
        data_folder_out=str(_broker_dir / "queue"),
        control_folder=str(_broker_dir / "control"),
        polling_interval=0.5,  # seconds between looks at the folder when it is empty
    )
    CELERY_BEAT_SCHEDULE_FILENAME = str(_broker_dir / "celerybeat-schedule")  # beat's last runs
    if CELERY_RESULT_BACKEND == CELERY_BROKER_URL:
        CELERY_RESULT_BACKEND = None  # every task keeps its result in the database (ReportRun…)
CELERY_BEAT_SCHEDULE = {
    "recompute-progress-nightly": {
        "task": "targets.recompute_progress",
        "schedule": crontab(hour=2, minute=0),
    },
    "advance-plan-states-daily": {  # 执行中 → 终期评估 on 1 January (docs/lifecycle.md)
        "task": "targets.advance_plan_states",
        "schedule": crontab(hour=0, minute=10),
    },
    "drain-recompute-outbox": {                  # approvals made while Redis was down
        "task": "targets.drain_recompute_outbox",
        "schedule": env.float("RECOMPUTE_OUTBOX_DRAIN_SECONDS", default=60.0),
    },
    "dispatch-pending-reports": {                # report requests made while Redis was down
        "task": "reports.dispatch_pending_reports",
        "schedule": 60.0,
    },
    "worker-heartbeat": {                        # the 系统 page's sign of life (docs/roles.md)
        "task": "qualitytrack.heartbeat",
        "schedule": 60.0,
    },
    "send-reminders-daily": {
        "task": "indicators.send_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "dispatch-pending-imports": {                # Excel uploads made while Redis was down
        "task": "indicators.dispatch_pending_imports",
        "schedule": 60.0,
    },
    "sweep-reporting-due-daily": {               # due dates passed → overdue (docs/monitoring.md)
        "task": "indicators.sweep_reporting_due",
        "schedule": crontab(hour=0, minute=5),
    },
    "sweep-imports": {                           # import jobs whose worker died → failed
        "task": "indicators.sweep_imports",
        "schedule": crontab(minute="*/5"),
    },
    "prune-audit-weekly": {                      # security log retention (AUDIT_RETENTION_DAYS)
        "task": "indicators.prune_audit",
        "schedule": crontab(day_of_week="sunday", hour=3, minute=30),
    },
}

# --- Cache -----------------------------------------------------------------------------------
# Per-process memory: API throttle buckets are approximate across gunicorn workers, which is
# fine (DRF throttling is a courtesy, not a security control), and a Redis outage can then
# never fail a request. CACHE_URL (e.g. redis://…) makes them shared.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "feed.paging.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, depth-checked, Chinese errors (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
}
API_TOKEN_THROTTLE_RATE = env.str("API_TOKEN_THROTTLE_RATE", default="1200/min")
API_PUBLIC_THROTTLE_RATE = env.str("API_PUBLIC_THROTTLE_RATE", default="300/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "QualityTrack 质量目标跟踪 API",
    "DESCRIPTION": "质量强市规划目标、填报数据与进度的公开数据接口和部门写入接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- QualityTrack ---------------------------------------------------------------------------
# Progress bands (docs/progress.md "Common definitions"):
# q ≥ ON_TRACK → 进度正常, ≥ LAGGING → 进度滞后, else 严重滞后.
PROGRESS_ON_TRACK = env.float("PROGRESS_ON_TRACK", default=0.95)
PROGRESS_LAGGING = env.float("PROGRESS_LAGGING", default=0.60)
PROGRESS_ANNUAL_RULE = env.str("PROGRESS_ANNUAL_RULE", default="strict")
# A recompute over more targets than this is streamed by region in chunks of about this many
# targets, which bounds its memory at national scale (docs/scale.md "Streaming by region").
PROGRESS_CHUNK_TARGETS = env.int("PROGRESS_CHUNK_TARGETS", default=60_000)
# Rollup scores leave aspirational-only (力争) targets out of the denominator.
ROLLUP_EXCLUDE_ASPIRATIONAL = env.bool("ROLLUP_EXCLUDE_ASPIRATIONAL", default=True)
# A reporting period closes this many days after its end.
REPORTING_GRACE_DAYS = env.int("REPORTING_GRACE_DAYS", default=15)
SEEDS_DIR = Path(env.str("QT_SEEDS_DIR", default=str(BASE_DIR.parent / "shared" / "seeds")))
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Data entry -----------------------------------------------------------------------------
# Every 403 (page, API, CSRF) goes to the audit log; innermost, so it sees the view's answer.
MIDDLEWARE += ["accounts.audit.AuditDeniedMiddleware"]
# Reminders: reporters hear of what closes within this many days (indicators.send_reminders).
REMINDER_DAYS = env.int("REMINDER_DAYS", default=7)
# The webhook channel (docs/roles.md): a 钉钉 or 企业微信 group robot's URL; empty = e-mail only.
# REMINDER_WEBHOOK_SECRET: 钉钉's 加签 secret, when the robot uses one. Robots take about 20
# messages a minute, hence the pause between posts.
REMINDER_WEBHOOK_URL = env.str("REMINDER_WEBHOOK_URL", default="")
REMINDER_WEBHOOK_SECRET = env.str("REMINDER_WEBHOOK_SECRET", default="")
REMINDER_WEBHOOK_TIMEOUT = env.float("REMINDER_WEBHOOK_TIMEOUT", default=5.0)
REMINDER_WEBHOOK_INTERVAL_SECONDS = env.float("REMINDER_WEBHOOK_INTERVAL_SECONDS", default=3.1)

# --- Audit integrity and retention (issue 9; accounts.audit_chain) -------------------------
# Security/access events (AuditEvent) are kept this many days, then removed by the weekly
# indicators.prune_audit task; 186 covers the Cybersecurity Law's six months. Figures' change
# history (ObservationChange) is never removed.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=186)
# Both audit tables are HMAC hash chains (manage.py verify_audit). HMAC-SM3 through OpenSSL by
# default. The key defaults to SECRET_KEY; set AUDIT_HMAC_KEY in production so that rotating
# SECRET_KEY does not make the existing chain unverifiable.
AUDIT_HMAC_ALGORITHM = env.str("AUDIT_HMAC_ALGORITHM", default="sm3")
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default=SECRET_KEY)
