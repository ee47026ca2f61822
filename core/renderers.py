"""CSV for people who open the feed in Excel: ``?format=csv``.

A small renderer on Python's ``csv`` module rather than a dependency: it needs ~60 lines,
and it must do three things a generic package does not: write the UTF-8 BOM (without it
Excel reads the file as GBK and garbles every Chinese character), head the columns with the
serializer fields' Chinese labels, and neutralise cells that Excel would run as formulas.
It renders one page (``page_size`` up to 1000); tombstones are for mirrors and stay in JSON.
The file itself (BOM, formula neutralising) is written by ``core.tabular``, the one
tabular writer every export shares.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer

from .tabular import BOM, FORMULA_START, write_csv

__all__ = ["BOM", "FORMULA_START", "CSVRenderer"]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        if isinstance(data, Mapping) and "errors" in data:
            rows = list(data["errors"])
            columns = {"field": _("字段"), "code": _("代码"), "message": _("说明")}
        else:
            rows = data.get("results", [data]) if isinstance(data, Mapping) else list(data)
            columns = self._columns(context.get("view"), rows)
        response = context.get("response")
        view = context.get("view")
        if response is not None and view is not None and response.status_code < 400:
            name = getattr(view, "basename", None) or "data"
            response["Content-Disposition"] = f'attachment; filename="qualitytrack-{name}.csv"'

        buffer = io.StringIO()
        write_csv(buffer, list(columns.values()), ([_cell(row.get(key)) for key in columns]
                                                   for row in rows))
        return buffer.getvalue().encode("utf-8")

    @staticmethod
    def _columns(view: Any, rows: list[Mapping[str, Any]]) -> dict[str, str]:
        """Keys in serializer order, headed by each field's (Chinese) label."""
        fields: Mapping[str, Any] = {}
        if view is not None and hasattr(view, "get_serializer_class"):
            try:
                fields = view.get_serializer_class()().fields
            except Exception:  # a header falls back to the key; rendering never fails
                fields = {}
        keys = list(fields) or (list(rows[0]) if rows else [])
        return {
            key: str(fields[key].label) if key in fields and fields[key].label else key
            for key in keys
        }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple):
        return "、".join(_cell(item) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)  # formula-like text is neutralised by tabular.write_csv
