"""Kept for ``reports.report_completeness`` (owned by the reporting-completeness work, which
replaces it): the report's number format now lives in ``reports.pdf.format``."""

from .pdf.format import percent

__all__ = ["percent"]
