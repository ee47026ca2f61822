"""The bulk export of a quarter's progress (issue 18 item 2, docs/scale.md): streamed NDJSON
and CSV with exactly the feed's rows, public, cached by ETag. Runs on SQLite (serializer over an
iterator) and, in CI's second pass, on PostgreSQL (COPY … TO STDOUT): the same assertions."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse

from targets.models import Plan
from tests.factories import PlanFactory, ProgressFactory, TargetFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 3, 3, 9, 0, 7, 250000, tzinfo=SHANGHAI)
URL = "/api/v1/progress/export/"


@pytest.fixture
def quarter_rows(plan, scjg_target, gxj_target, district, scjg):
    """Three published rows of 2025Q3 (one with awkward text), one of Q4, one in a draft plan."""
    with time_machine.travel(MONDAY, tick=False):
        awkward = TargetFactory(plan=plan, code="=HYPERLINK(1)", leads=[scjg])
        rows = [
            ProgressFactory(
                target=scjg_target, year=2025, quarter=3, status="on_track", current_value=93.5,
                completion_ratio=0.583, elapsed_share=0.5, expected_value=100.0,
                projected_to_meet=True, data_year=2025, data_quarter=2, reason="",
            ),
            ProgressFactory(target=gxj_target, year=2025, quarter=3, status="off_track",
                            stale=True, data_year=2024, reason='说"明",\n换行\\'),
            ProgressFactory(target=awkward, year=2025, quarter=3, status="no_data",
                            reason="-1+1"),
        ]
        ProgressFactory(target=scjg_target, year=2025, quarter=4)
        draft = PlanFactory(region=district, status=Plan.Status.DRAFT)
        ProgressFactory(target=TargetFactory(plan=draft), year=2025, quarter=3)
    return rows


def _body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


def _feed_rows(api) -> list[dict]:
    return api.get("/api/v1/progress/", {"quarter": "2025Q3", "page_size": 1000}).json()["results"]


def _same_moment(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def test_ndjson_export_is_the_feed_row_for_row(api, quarter_rows):
    response = api.get(URL, {"quarter": "2025Q3"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert "qualitytrack-progress-2025Q3.ndjson" in response["Content-Disposition"]
    lines = _body(response).decode().splitlines()
    exported = [json.loads(line) for line in lines]
    feed = _feed_rows(api)
    assert [row["id"] for row in exported] == [p.pk for p in quarter_rows]
    for got, want in zip(exported, feed, strict=True):
        assert list(got) == list(want)  # the same keys in the same order
        assert _same_moment(got.pop("computed_at"), want.pop("computed_at"))
        assert got == want
    assert exported[1]["reason"] == '说"明",\n换行\\'
    assert exported[0]["lead_departments"] == ["区市场监管局"]
    assert exported[0]["data_period"] == "2025Q2"
    assert exported[1]["data_period"] == "2024"


def test_csv_export_has_the_feed_keys_and_neutralised_formulas(api, quarter_rows):
    response = api.get(URL, {"quarter": "2025Q3", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    feed = _feed_rows(api)
    assert list(rows[0]) == list(feed[0])
    first, second, third = rows
    assert first["status_label"] == "进度正常"
    assert first["current_value"] == "93.5"
    assert first["expected_value"] == "100"
    assert first["projected_to_meet"] == "true"
    assert first["moving_away"] == "false"
    assert first["gap"] == ""  # null
    assert first["lead_departments"] == "区市场监管局"
    assert first["quarter"] == "2025Q3"
    assert second["stale"] == "true"
    assert second["reason"] == '说"明",\n换行\\'
    assert third["target_code"] == "'=HYPERLINK(1)"
    assert third["reason"] == "'-1+1"
    assert _same_moment(first["computed_at"], MONDAY.isoformat())
    assert datetime.fromisoformat(first["computed_at"]).utcoffset().total_seconds() == 8 * 3600


def test_the_export_defaults_to_the_latest_quarter_and_skips_draft_plans(api, quarter_rows):
    rows = [json.loads(line) for line in _body(api.get(URL)).decode().splitlines()]

    assert [row["quarter"] for row in rows] == ["2025Q4"]


def test_an_unchanged_export_answers_304(api, quarter_rows):
    first = api.get(URL, {"quarter": "2025Q3"})
    _body(first)

    again = api.get(URL, {"quarter": "2025Q3"}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert api.get(URL, {"quarter": "2025Q3", "format": "csv"},
                   HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_bad_quarter_is_a_400_in_chinese(api, quarter_rows):
    response = api.get(URL, {"quarter": "2025Q7", "format": "ndjson"})

    assert response.status_code == 400
    error = json.loads(response.content)["errors"][0]
    assert error["field"] == "quarter"
    assert error["code"] == "invalid_quarter"
    assert "季度应为1至4" in error["message"]


def test_an_empty_database_asks_for_a_quarter(api, db):
    response = api.get(URL)

    assert response.status_code == 400
    assert json.loads(response.content)["errors"][0]["code"] == "no_progress"


def test_the_export_streams_in_blocks_of_bounded_size(api, plan, quality_rate):
    with time_machine.travel(MONDAY, tick=False):
        for _ in range(5):
            ProgressFactory(target=TargetFactory(plan=plan, indicator=quality_rate),
                            year=2025, quarter=3)

    response = api.get(URL, {"quarter": "2025Q3"})
    blocks = list(response.streaming_content)

    assert sum(block.count(b"\n") for block in blocks) == 5
    if connection.vendor != "postgresql":  # COPY hands over the server's own blocks
        assert len(blocks) == 1  # one chunk of ≤ 2,000 rows
