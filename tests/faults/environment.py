"""What every app process of the fault tests is given: the repository, the Python, the
private services' URLs (nothing of the outer run), the demo password and the setup script."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]



PYTHON = sys.executable



PASSWORD = "Faults-2025-qt"



# Short enough for a test to wait for, longer than any task the tests run.
VISIBILITY_TIMEOUT = 12



DRAIN_SECONDS = 3



def app_env(*, database_url: str, broker_url: str, media: Path) -> dict[str, str]:
    """The environment of every app process: the private services, nothing of the outer run."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DATABASE_", "CELERY_", "DJANGO_", "PYTEST", "DB_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qualitytrack.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=broker_url,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        RECOMPUTE_OUTBOX_DRAIN_SECONDS=str(DRAIN_SECONDS),
        DJANGO_DEBUG="True",  # no collected static files in a checkout; see README section
        DJANGO_SECRET_KEY="faults-test-secret-key-not-for-production-use-0123456789",
        DB_CONN_MAX_AGE="60",
        MEDIA_ROOT=str(media),
        DEMO_PASSWORD=PASSWORD,
        LOG_LEVEL="INFO",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
    )
    return env



SETUP_SCRIPT = """
import django
django.setup()
from django.core.management import call_command as c
c("migrate", verbosity=0)
c("loaddata", "seed_targets", verbosity=0)
c("compute_progress", all=True)
c("create_demo_users")
"""
