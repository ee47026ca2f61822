"""Writes of the indicators app: the only place business rules that change data live.

Split by concern (HackSoft's "services become a folder"); import from here:

- observations: ``observations_enter``, ``observation_save_draft``, ``observation_submit``,
  ``observation_approve``, ``observation_return``, ``observation_correct``,
  ``observations_approve_bulk``, ``observations_return_bulk`` (+ ``Entry``, ``STALE_MESSAGE``)
- imports: ``observation_import_start``, ``observation_import_run`` (Excel upload)
- history: ``observations_import_history`` (the office's bulk load of past figures)
- reminders: ``reminders_send``
"""

from .history import HistoryImportError, observations_import_history
from .imports import observation_import_run, observation_import_start
from .observations import (
    STALE_MESSAGE,
    BulkOutcome,
    Entry,
    observation_approve,
    observation_correct,
    observation_return,
    observation_save_draft,
    observation_submit,
    observations_approve_bulk,
    observations_enter,
    observations_return_bulk,
)
from .reminders import reminders_send

__all__ = [
    "STALE_MESSAGE",
    "BulkOutcome",
    "Entry",
    "HistoryImportError",
    "observation_approve",
    "observation_correct",
    "observation_import_run",
    "observation_import_start",
    "observation_return",
    "observation_save_draft",
    "observation_submit",
    "observations_approve_bulk",
    "observations_enter",
    "observations_import_history",
    "observations_return_bulk",
    "reminders_send",
]
