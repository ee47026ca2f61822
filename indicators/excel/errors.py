"""Errors a user can act on: every one names the row (as Excel shows it), the column and why."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, as Excel shows it
    field: str  # the column header as printed in the template, e.g. "本期数值"
    reason: str  # a translated sentence, e.g. "不是有效数字"

    def __str__(self) -> str:
        return _("第%(row)d行“%(field)s”：%(reason)s") % {
            "row": self.row,
            "field": self.field,
            "reason": self.reason,
        }


class WorkbookError(Exception):
    """The file as a whole cannot be read: not Excel, empty, wrong sheet, missing columns."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
