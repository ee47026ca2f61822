"""indicators, the lowest layer, knows nothing of targets' tables (issue 13).

import-linter forbids ``import targets`` in indicators; this test also forbids what slips
past it: ORM lookups through targets' reverse relations, models fetched by name, and targets'
choice values spelled by hand. What indicators needs to know is told by the targets layer
through ``indicators.duties`` (registered in ``targets/apps.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from indicators import duties as duties_module
from indicators.duties import ReportingDuties, duties

INDICATORS = Path(settings.BASE_DIR) / "indicators"
FORBIDDEN = re.compile(
    r"""["']targets[."]|targets__|led_targets|supported_targets|\.targets\.|\.plans\.|plans__|plan__"""
    r"""|related_model|get_model\(\s*["'](?!indicators)|in_force|final_review|终期评估|执行中"""
)


def test_indicators_names_no_table_or_choice_of_targets():
    offenders = []
    for path in sorted(INDICATORS.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(INDICATORS.parent)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_targets_app_tells_indicators_who_reports_what():
    from targets.duties import TargetDuties

    provider = duties()
    assert isinstance(provider, TargetDuties)
    for name in ReportingDuties.__dict__:
        if not name.startswith("_"):
            assert callable(getattr(provider, name)), name
    assert duties_module.__name__ == "indicators.duties"
