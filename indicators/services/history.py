"""The office's bulk load of past figures (``manage.py import_observations``).

Columns 地区, 指标, 年份, 季度 (empty for a year), 数值, named as in the system (an
indicator by its name or code). Every row is checked first and every problem reported as
第N行“列名”：原因; nothing is written unless the whole file is valid, and then all of it in
one transaction, each figure with an ObservationChange row ("导入"). With ``approve`` the
figures land approved and the progress of the targets they feed is recomputed after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..excel.errors import RowError
from ..models import Indicator, Observation, ObservationChange, Region
from ..signals import observation_approved
from .observations import _record_change, announce
from .rules import normalise_state

COLUMNS = ("地区", "指标", "年份", "季度", "数值")
Status = Observation.Status


class HistoryImportError(Exception):
    """The file was refused; ``errors`` lists every reason (nothing was written)."""

    def __init__(self, errors: list[RowError | str]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class HistoryRow:
    row: int
    indicator: Indicator
    region: Region
    year: int
    quarter: int | None
    value: Decimal | None
    state: str


def read_history_file(path: Path) -> pd.DataFrame:
    """A CSV (UTF-8, with or without BOM) or Excel file as text cells, header on row 1."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, OSError) as error:
        raise HistoryImportError([_("无法读取文件：%(error)s") % {"error": error}]) from None
    frame.columns = [str(column).strip() for column in frame.columns]
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise HistoryImportError([_("缺少列：%(columns)s") % {"columns": "、".join(missing)}])
    if frame.empty:
        raise HistoryImportError([_("文件中没有数据行。")])
    return frame.loc[:, list(COLUMNS)].apply(lambda column: column.str.strip())


def check_history_rows(
    frame: pd.DataFrame, *, today: object
) -> tuple[list[HistoryRow], list[RowError]]:
    """Validate every row against the database (names, periods, bounds, duplicates)."""
    regions = {region.name: region for region in Region.objects.all()}
    every = list(Indicator.objects.all())
    indicators = {i.name: i for i in every} | {i.code: i for i in every}
    rows: list[HistoryRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, int, int, int | None], int] = {}
    current_year = getattr(today, "year", timezone.localdate().year)
    for offset, (region_name, indicator_name, year_text, quarter_text, value_text) in enumerate(
        frame.itertuples(index=False, name=None)
    ):
        number = offset + 2  # the header is row 1
        problems_before = len(errors)

        def problem(column: str, reason: str, number: int = number) -> None:
            errors.append(RowError(number, column, reason))

        region = regions.get(region_name)
        if region is None:
            problem("地区", _("系统中没有名为“%(name)s”的地区") % {"name": region_name})
        indicator = indicators.get(indicator_name)
        if indicator is None:
            problem("指标", _("系统中没有名为“%(name)s”的指标") % {"name": indicator_name})
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 1990 <= year <= current_year:
            problem("年份", _("“%(text)s”不是有效年份") % {"text": year_text})
        quarter = int(quarter_text) if quarter_text in ("1", "2", "3", "4") else None
        if quarter_text and quarter is None:
            problem("季度", _("季度应为1至4，或留空表示全年"))
        value, state = None, ""
        if indicator is not None and indicator.measure == Indicator.Measure.MILESTONE:
            state = normalise_state(value_text) or ""
            if not state:
                problem("数值", _("进展状态应为未启动、推进中或已完成"))
        else:
            try:
                value = Decimal(value_text.replace(",", ""))
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                problem("数值", _("“%(text)s”不是有效数字") % {"text": value_text})
        if indicator is not None and value is not None:
            low, high = indicator.lower_bound, indicator.upper_bound
            if (low is not None and value < low) or (high is not None and value > high):
                problem("数值", _("%(value)s超出“%(name)s”的允许范围") % {
                    "value": value_text, "name": indicator.name})
        if len(errors) > problems_before:
            continue
        if region is None or indicator is None or year is None:  # reported above
            continue
        key = (indicator.pk, region.pk, year, quarter)
        if key in seen:
            problem("指标", _("与第%(row)d行重复") % {"row": seen[key]})
            continue
        seen[key] = number
        rows.append(HistoryRow(number, indicator, region, year, quarter, value, state))
    _check_existing(rows, errors)
    return rows, sorted(errors, key=lambda error: error.row)


def _check_existing(rows: list[HistoryRow], errors: list[RowError]) -> None:
    """A figure already approved is changed only by a correction, never by an import."""
    if not rows:
        return
    approved = set(
        Observation.objects.filter(
            status=Status.APPROVED,
            indicator_id__in={row.indicator.pk for row in rows},
            region_id__in={row.region.pk for row in rows},
        ).values_list("indicator_id", "region_id", "year", "quarter")
    )
    for row in rows:
        if (row.indicator.pk, row.region.pk, row.year, row.quarter) in approved:
            errors.append(RowError(row.row, "数值", _("该期已有已审核数据，请通过更正流程修改")))


def observations_import_history(
    *, path: Path, by: AbstractBaseUser | None, approve: bool = False
) -> int:
    """Check the whole file, then write all of it in one transaction. Returns rows written.

    Raises ``HistoryImportError`` listing every bad row; nothing is written then.
    """
    frame = read_history_file(path)
    rows, errors = check_history_rows(frame, today=timezone.localdate())
    if errors:
        raise HistoryImportError(list(errors))
    status = Status.APPROVED if approve else Status.SUBMITTED
    now = timezone.now()
    reason = _("批量导入：%(name)s") % {"name": path.name}
    with transaction.atomic():
        for row in rows:
            observation, created = Observation.objects.select_for_update().get_or_create(
                indicator=row.indicator, region=row.region, year=row.year, quarter=row.quarter,
                defaults={"status": Status.DRAFT, "created_by": by},
            )
            old = (str(observation.value) if observation.value is not None else
                   observation.state) if not created else ""
            old_status = "" if created else observation.status
            observation.value, observation.state, observation.status = row.value, row.state, status
            observation.submitted_at = now
            if approve:
                observation.approved_by, observation.approved_at = by, now
            observation.version += 0 if created else 1
            observation.save()
            _record_change(
                observation, action=ObservationChange.Action.IMPORT, by=by,  # type: ignore[arg-type]
                old_value=old, new_value=str(row.value) if row.value is not None else row.state,
                old_status=old_status, new_status=status, reason=reason,
            )
            if approve:
                announce(observation_approved, observation)
    return len(rows)
