"""Whether the real PostgreSQL and Redis are there (CI's second pass), and the URL of a
database on that server."""

from __future__ import annotations

import pytest
from django.conf import settings

REAL_SERVICES = bool(settings.CELERY_BROKER_URL) and (
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
)



requires_real_services = pytest.mark.skipif(
    not REAL_SERVICES,
    reason="需要 PostgreSQL 与 Redis（CI 第二轮：DATABASE_URL、CELERY_BROKER_URL）",
)



def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
