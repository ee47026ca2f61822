"""The offline rule grammar that proposes targets from a plan's text (docs/onboarding.md §2)."""

from .extractor import Candidate, default_deadline, extract_targets, parse_departments
from .reading import DocumentError, read_document, read_path

__all__ = [
    "Candidate",
    "DocumentError",
    "default_deadline",
    "extract_targets",
    "parse_departments",
    "read_document",
    "read_path",
]
