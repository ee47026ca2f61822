"""The shape of the code, read with ``ast``: nothing is imported or run.

- A test module (``test_*.py`` or a ``conftest.py``) is imported by pytest alone: shared
  helpers live in ``tests/factories.py``, fixtures in the ``conftest.py`` files, and a
  harness in plain modules beside them (``tests/faults/stack.py``, ``tests/e2e/browser.py``).
  Importing a test module runs its module-level code again under another name, and makes
  one test file depend on the inside of another.
- No function in the app packages is longer than ``MAX_FUNCTION_LINES`` lines (its ``def``
  to its last line, docstring included): past that it is a list of steps to be named
  (docs/architecture.md, "Code shape").
- Comments, docstrings and templates cite the project's own docs (``docs/progress.md
  "Deadline windows"``, ``docs/reliability.md AT-05``), never the team's design notes that
  stay outside the repository (docs/architecture.md, "Other docs"): the next engineer must
  be able to read the rule the code implements.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_PACKAGES = (
    "qualitytrack", "web", "onboarding", "reports", "targets", "indicators", "feed", "accounts",
    "core",
)
MAX_FUNCTION_LINES = 60

#: Where a citation may be written: the app packages, the tests, scripts and benchmarks.
CITING_DIRECTORIES = (*APP_PACKAGES, "tests", "scripts", "bench")
CITING_SUFFIXES = {".py", ".html", ".sh", ".css", ".js", ".toml", ".yml", ".yaml"}
CITING_ROOT_FILES = ("Makefile", "Dockerfile", "Procfile", "pyproject.toml", "docker-compose.yml")

#: A citation of a file outside the repository: PROGRESS.md, PROGRESS "…" / § / case,
#: DESIGN.md, DESIGN § / "…" / case, RELIABILITY (AT-xx), STYLE.md. Settings such as
#: ``PROGRESS_ON_TRACK`` or ``IN_PROGRESS = …`` are not citations.
OUTSIDE_CITATION = re.compile(
    r"\b(?:PROGRESS|DESIGN)(?:\.md\b|\s*§|\s+\"|\s+case\b)|\bRELIABILITY\b|\bSTYLE\.md\b"
)

#: Functions still over the limit, by "path::name": none left; keep it that way.
LONG_FUNCTIONS_ALLOWED: set[str] = set()


def _is_test_module(name: str) -> bool:
    """``name`` dotted, relative to the repository (``tests.reports.test_dashboard``)."""
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def _imported_modules(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, dotted module) of every import in ``source``, a module of ``package``, relative
    ones resolved; for ``from package import name`` both ``package`` and ``package.name``
    (it may be a module)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def test_no_test_module_imports_another_test_module():
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for line, module in _imported_modules(
            path.read_text(encoding="utf-8"), ".".join(path.relative_to(ROOT).parent.parts)
        )
        if _is_test_module(module)
    ]

    assert offences == [], "move the helper to tests/factories.py or a conftest.py:\n" + \
        "\n".join(offences)


def _app_functions() -> Iterator[tuple[str, int]]:
    """("path::name", length in lines) of every function and method of the app packages."""
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    length = node.end_lineno - node.lineno + 1
                    yield f"{path.relative_to(ROOT).as_posix()}::{node.name}", length


def test_no_app_function_is_longer_than_the_limit():
    functions = list(_app_functions())
    too_long = sorted(
        f"{name} ({length} lines)" for name, length in functions
        if length > MAX_FUNCTION_LINES and name not in LONG_FUNCTIONS_ALLOWED
    )
    lengths = dict(functions)
    now_short = sorted(
        name for name in LONG_FUNCTIONS_ALLOWED if lengths.get(name, 0) <= MAX_FUNCTION_LINES
    )

    assert too_long == [], f"split into named steps (at most {MAX_FUNCTION_LINES} lines):\n" + \
        "\n".join(too_long)
    assert now_short == [], "short enough (or gone): take it off LONG_FUNCTIONS_ALLOWED"


def test_the_import_check_resolves_what_a_test_module_may_write():
    """Not vacuous: each way of importing a test module is seen, a helper module is not."""
    source = """
from .conftest import Stack
from . import test_redis_outage
import tests.reports.test_dashboard
from tests.api.conftest import auth
from tests.factories import UserFactory
from .stack import Stack
"""
    found = [module for _, module in _imported_modules(source, "tests.faults")
             if _is_test_module(module)]

    assert found == [
        "tests.faults.conftest",
        "tests.faults.test_redis_outage",
        "tests.reports.test_dashboard",
        "tests.api.conftest",
    ]


def _citing_files() -> Iterator[Path]:
    """Every file of code, template, test, script or build that could carry a citation."""
    for directory in CITING_DIRECTORIES:
        for path in sorted((ROOT / directory).rglob("*")):
            if path.suffix in CITING_SUFFIXES and path.is_file():
                yield path
    for name in CITING_ROOT_FILES:
        if (ROOT / name).is_file():
            yield ROOT / name


def _outside_citations(text: str) -> Iterator[tuple[int, str]]:
    """(line, citation) of every citation of the team's notes in ``text``."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in OUTSIDE_CITATION.finditer(line):
            yield number, match.group(0)


def test_code_cites_the_projects_docs_not_the_shared_notes():
    this_file = Path(__file__).resolve()
    offences = [
        f"{path.relative_to(ROOT)}:{line} cites {citation!r}"
        for path in _citing_files() if path.resolve() != this_file
        for line, citation in _outside_citations(path.read_text(encoding="utf-8"))
    ]

    assert offences == [], (
        "cite docs/*.md instead (docs/progress.md \"<section>\", docs/architecture.md "
        "\"<section>\", docs/roles.md, docs/scale.md, docs/reliability.md AT-xx):\n"
        + "\n".join(offences)
    )


def test_the_citation_check_tells_a_citation_from_a_setting():
    """Not vacuous: each way the notes were cited is seen, the settings' names are not."""
    source = """
Rules: DESIGN §4-§5 and PROGRESS.md.
(PROGRESS "Gap, one sign everywhere"), PROGRESS case 2a, DESIGN case 13, DESIGN.md §5
# 30 minutes idle (RELIABILITY AT-08); the personas of STYLE.md
PROGRESS_ON_TRACK = 0.95; IN_PROGRESS = "in_progress"; PROGRESS = "targets_progress"
# docs/progress.md "Deadline windows", docs/reliability.md AT-05
"""
    found = [citation for _, citation in _outside_citations(source)]

    assert found == [
        "DESIGN §", "PROGRESS.md", 'PROGRESS "', "PROGRESS case", "DESIGN case", "DESIGN.md",
        "RELIABILITY", "STYLE.md",
    ]
