"""Production settings with plain static storage, for the short (CI) rush only.

The rush never fetches static files (a browser has them cached by quarter's end), but with
DEBUG off the manifest storage needs ``collectstatic`` first, which takes ~80 s here
(it compresses plotly.js). ``run_rush.py --plain-static`` uses this module instead; the
full run keeps the production storage.
"""

from qualitytrack.settings import *  # noqa: F403
from qualitytrack.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
