"""The office's bulk load of past figures (``manage.py import_observations``).

Columns 地区, 指标, 年份, 季度 (empty for a year), 数值, named as in the system (an
indicator by its name or code). Every row is checked first and every problem reported as
第N行“列名”：原因; nothing is written unless the whole file is valid, and then all of it in
one transaction, each figure with an ObservationChange row ("导入"). With ``approve`` the
figures land approved and the progress of the targets they feed is recomputed after commit.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..calendar import Period
from ..duties import duties
from ..excel.errors import RowError
from ..models import Department, Indicator, Observation, ObservationChange, Region
from ..signals import observation_approved
from .observations import _record_change, announce
from .rules import Entry, EntryContext, check_entry, stored

COLUMNS = ("地区", "指标", "年份", "季度", "数值")
#: Optional: which lead department a figure is for, when a target has several.
COL_DEPARTMENT = "填报单位"
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
    department: Department


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
    wanted = [*COLUMNS, *([COL_DEPARTMENT] if COL_DEPARTMENT in frame.columns else [])]
    return frame.loc[:, wanted].apply(lambda column: column.str.strip())


def check_history_rows(
    frame: pd.DataFrame, *, today: datetime.date, by: User | None = None
) -> tuple[list[HistoryRow], list[RowError]]:
    """Validate every row: its shape here, what it may be by ``rules.check_entry``.

    The figure itself (frequency, plan years, unfinished period, natural bounds, decimals,
    an already submitted or approved figure) is judged by the same rules as the entry form,
    the Excel upload and the API, with the same messages (docs/reliability.md, part B, row
    10). The department is the target's lead department in that region (the optional column
    填报单位 chooses among several); a region without a target on the indicator is refused.
    A jump against the previous period is taken as confirmed: these are past figures from
    the statistics, loaded by the office on purpose.
    """
    check = _HistoryCheck.load(today=today, by=by)
    chosen = frame[COL_DEPARTMENT] if COL_DEPARTMENT in frame.columns else None
    for offset, cells in enumerate(
        frame.loc[:, list(COLUMNS)].itertuples(index=False, name=None)
    ):
        wanted = str(chosen.iloc[offset]) if chosen is not None else ""
        _check_history_row(check, offset + 2, cells, wanted=wanted)  # the header is row 1
    return check.rows, sorted(check.errors, key=lambda error: error.row)


@dataclass
class _HistoryCheck:
    """What every row is checked against (read once), and what the rows so far gave."""

    today: datetime.date
    regions: dict[str, Region]
    indicators: dict[str, Indicator]
    visible: list[int] | None
    leads: dict[tuple[int, int], list[Department]]
    contexts: dict[tuple[int, Period], EntryContext] = field(default_factory=dict)
    seen: dict[tuple[int, int, int, int | None], int] = field(default_factory=dict)
    rows: list[HistoryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def load(cls, *, today: datetime.date, by: User | None) -> _HistoryCheck:
        every = list(Indicator.objects.all())
        return cls(
            today=today,
            regions={region.name: region for region in Region.objects.all()},
            indicators={i.name: i for i in every} | {i.code: i for i in every},
            visible=permissions.visible_region_ids(by) if by is not None else None,
            leads=_lead_departments(),
        )

    def context(self, department: Department, period: Period) -> EntryContext:
        """One EntryContext per department and period, shared by their rows."""
        ctx = self.contexts.get((department.pk, period))
        if ctx is None:
            ctx = self.contexts[(department.pk, period)] = EntryContext.load(
                department=department, period=period, today=self.today
            )
        return ctx


@dataclass(frozen=True)
class _Cells:
    """A row's cells read: what they name and the figure they hold."""

    region: Region
    indicator: Indicator
    year: int
    quarter: int | None
    value: Decimal | None
    state: str


def _check_history_row(
    check: _HistoryCheck, number: int, cells: tuple[str, ...], *, wanted: str
) -> None:
    """Row ``number``: read, given its department, not a repeat, then ``check_entry``."""

    def problem(column: str, reason: str) -> None:
        check.errors.append(RowError(number, column, reason))

    read = _read_cells(check, cells, problem)
    if read is None:
        return
    department = _department_of(
        check.leads.get((read.indicator.pk, read.region.pk), []),
        wanted=wanted,
        indicator=read.indicator,
        region=read.region,
        problem=problem,
    )
    if department is None:
        return
    key = (read.indicator.pk, read.region.pk, read.year, read.quarter)
    if key in check.seen:
        problem("指标", _("与第%(row)d行重复") % {"row": check.seen[key]})
        return
    check.seen[key] = number
    ctx = check.context(department, Period(read.year, read.quarter))
    entry = Entry(read.indicator, read.value, read.state, "", confirm_jump=True, row=number)
    found = check_entry(entry, ctx)
    for item in found:
        problem(_COLUMN_OF_FIELD.get(item.field, "数值"), " ".join(item.error.messages))
    if not found:
        value, state = stored(entry)
        check.rows.append(HistoryRow(
            number, read.indicator, read.region, read.year, read.quarter, value, state,
            department,
        ))


def _read_cells(
    check: _HistoryCheck, cells: tuple[str, ...], problem: Callable[[str, str], None]
) -> _Cells | None:
    """The row's region, indicator, year, quarter and figure; None (each problem reported)
    when a cell cannot be read."""
    region_name, indicator_name, year_text, quarter_text, value_text = cells
    problems_before = len(check.errors)
    region = check.regions.get(region_name)
    if region is None:
        problem("地区", _("系统中没有名为“%(name)s”的地区") % {"name": region_name})
    elif check.visible is not None and region.pk not in check.visible:
        problem("地区", _("您无权导入“%(name)s”的数据") % {"name": region_name})
    indicator = check.indicators.get(indicator_name)
    if indicator is None:
        problem("指标", _("系统中没有名为“%(name)s”的指标") % {"name": indicator_name})
    year = int(year_text) if year_text.isdigit() else None
    if year is None or not 1900 <= year <= 2999:
        problem("年份", _("“%(text)s”不是有效年份") % {"text": year_text})
    quarter = int(quarter_text) if quarter_text in ("1", "2", "3", "4") else None
    if quarter_text and quarter is None:
        problem("季度", _("季度应为1至4，或留空表示全年"))
    value, state = None, ""
    if indicator is not None and indicator.measure == Indicator.Measure.MILESTONE:
        state = value_text
    elif value_text:
        value = _number(value_text, problem)
    if len(check.errors) > problems_before:
        return None
    if region is None or indicator is None or year is None:  # reported above
        return None
    return _Cells(region, indicator, year, quarter, value, state)


def _number(text: str, problem: Callable[[str, str], None]) -> Decimal | None:
    try:
        value = Decimal(unicodedata.normalize("NFKC", text).replace(",", ""))
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problem(
            "数值",
            _("“%(text)s”不是有效数字，请只填写数值（不带单位或文字）。") % {"text": text},
        )
        return None
    return value


_COLUMN_OF_FIELD = {"value": "数值", "state": "数值", "period": "年份", "indicator": "指标"}


def _lead_departments() -> dict[tuple[int, int], list[Department]]:
    """(indicator id, region id) → the departments leading a live target there, by name."""
    result: dict[tuple[int, int], list[Department]] = {}
    rows = list(duties().lead_departments_by_series())  # told by targets (indicators.duties)
    by_id = Department.objects.in_bulk({pk for _i, _r, pk in rows})
    for indicator_id, region_id, pk in rows:
        found = result.setdefault((indicator_id, region_id), [])
        if by_id[pk] not in found:
            found.append(by_id[pk])
    for found in result.values():
        found.sort(key=lambda department: department.name)
    return result


def _department_of(
    leads: list[Department],
    *,
    wanted: str,
    indicator: Indicator,
    region: Region,
    problem: Callable[[str, str], None],
) -> Department | None:
    if not leads:
        problem(
            "指标",
            _("“%(region)s”没有指标“%(name)s”的目标（没有牵头单位），不能填报。")
            % {"region": region.name, "name": indicator.name},
        )
        return None
    if wanted:
        for department in leads:
            if wanted in (department.name, department.short_name):
                return department
        problem(
            COL_DEPARTMENT,
            _("“%(wanted)s”不是“%(region)s”指标“%(name)s”的牵头单位（牵头单位：%(leads)s）")
            % {"wanted": wanted, "region": region.name, "name": indicator.name,
               "leads": "、".join(d.name for d in leads)},
        )
        return None
    if len(leads) > 1:
        problem(
            COL_DEPARTMENT,
            _("指标“%(name)s”在“%(region)s”有多个牵头单位（%(leads)s），请在“填报单位”列写明。")
            % {"name": indicator.name, "region": region.name,
               "leads": "、".join(d.name for d in leads)},
        )
        return None
    return leads[0]


def observations_import_history(
    *, path: Path, by: User, approve: bool = False
) -> int:
    """Check the whole file, then write all of it in one transaction. Returns rows written.

    ``by`` is the office account that answers for the import: it is the author of every
    figure and of its history row, as in any other channel. Raises ``PermissionDenied``
    for anyone else, ``HistoryImportError`` listing every bad row; nothing is written then.
    """
    permissions.ensure_office(by)
    frame = read_history_file(path)
    rows, errors = check_history_rows(frame, today=timezone.localdate(), by=by)
    if errors:
        raise HistoryImportError(list(errors))
    status = Status.APPROVED if approve else Status.SUBMITTED
    now = timezone.now()
    reason = _("批量导入：%(name)s") % {"name": path.name}
    with transaction.atomic():
        for row in rows:
            observation, created = Observation.objects.select_for_update().get_or_create(
                indicator=row.indicator, region=row.region, year=row.year, quarter=row.quarter,
                defaults={"status": Status.DRAFT, "created_by": by, "department": row.department},
            )
            old = (str(observation.value) if observation.value is not None else
                   observation.state) if not created else ""
            old_status = "" if created else observation.status
            observation.value, observation.state, observation.status = row.value, row.state, status
            observation.department = row.department
            observation.submitted_at = now
            if approve:
                observation.approved_by, observation.approved_at = by, now
            observation.version += 0 if created else 1
            observation.save()
            _record_change(
                observation, action=ObservationChange.Action.IMPORT, by=by,
                old_value=old, new_value=str(row.value) if row.value is not None else row.state,
                old_status=old_status, new_status=status, reason=reason,
            )
            if approve:
                announce(observation_approved, observation)
    return len(rows)
