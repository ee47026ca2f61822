"""Set up Django for a bench script run from the project root (`python -m bench.X`)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualitytrack.settings")
    import django

    django.setup()
