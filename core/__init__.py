"""The bottom layer: what every app shares and nothing domain-specific (docs/architecture.md).

The one tabular writer (``tabular``), the CSV renderer and bounded parsers of the API, its one
error shape (``api_errors``), the site-wide middleware (database down, JSON errors under
/api/, zh-hans first) and the page helpers (``views``). It imports no app of the project.
"""
