"""Hostile input answered in the project's Chinese JSON error shape, never 500 (issue 12).

Rows 5, 6, 12 and 15 of the penetration test: extreme ``updated_since``, deeply nested JSON,
oversized text, an oversized body, unknown API paths, parse errors and too many decimals.
Each answer is ``{"errors": [{"field", "code", "message"}]}`` with a Chinese message.
"""

import re

import pytest
from django.test import Client

from indicators.models import Observation
from tests.factories import ObservationFactory, auth

pytestmark = pytest.mark.django_db

URL = "/api/v1/observations/"
LIST_ENDPOINTS = [
    "/api/v1/regions/", "/api/v1/departments/", "/api/v1/indicators/",
    "/api/v1/observations/", "/api/v1/plans/", "/api/v1/targets/", "/api/v1/progress/",
]
HAN = re.compile(r"[\u4e00-\u9fff]")


def chinese_errors(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    errors = response.json()["errors"]
    assert errors
    assert all(HAN.search(error["message"]) for error in errors), errors
    return errors


@pytest.mark.parametrize("url", LIST_ENDPOINTS)
@pytest.mark.parametrize("moment", ["0001-01-01", "9999-12-31T23:59:59-14:00",
                                    "0001-01-01T00:00:00+14:00", "9999-12-31"])
def test_an_extreme_updated_since_is_a_400_naming_the_parameter(api, url, moment):
    errors = chinese_errors(api.get(url, {"updated_since": moment}), 400)

    assert {error["field"] for error in errors} == {"updated_since"}
    assert "updated_since" in errors[0]["message"]


def test_an_ordinary_updated_since_still_works(api):
    assert api.get("/api/v1/regions/", {"updated_since": "2000-01-01"}).status_code == 200


NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "persona",
    ["scjg_user", "office_user", "leader_user", "auditor_user", "security_user",
     "sysadmin_user", "token", "anonymous"],
)
def test_deeply_nested_json_is_a_400_for_every_persona(
    request, api, persona, scjg_target, scjg_key
):
    headers = {}
    if persona == "token":
        headers = auth(scjg_key)
    elif persona != "anonymous":
        api.force_login(request.getfixturevalue(persona))

    response = api.post(URL, NESTED, content_type="application/json", **headers)

    if persona == "anonymous":
        assert response.status_code in (400, 401)
        return
    errors = chinese_errors(response, 400)
    assert errors[0]["code"] == "parse_error"
    assert "嵌套" in errors[0]["message"]


def test_a_json_syntax_error_is_explained_in_chinese(api, scjg_key, scjg_target):
    response = api.post(URL, '{"indicator": "quality_rate", ', content_type="application/json",
                        **auth(scjg_key))

    errors = chinese_errors(response, 400)
    assert errors[0]["code"] == "parse_error"
    assert "JSON" in errors[0]["message"]
    assert "parse error" not in errors[0]["message"]


def test_a_body_over_the_upload_limit_is_a_chinese_json_413(api, scjg_key, scjg_target, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = '{"indicator": "quality_rate", "year": 2024, "value": 93, "evidence": "%s"}' % (
        "x" * 200_000)

    response = api.post(URL, body, content_type="application/json", **auth(scjg_key))

    errors = chinese_errors(response, 413)
    assert errors[0]["code"] == "too_large"
    assert not Observation.objects.exists()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v2/", "/api/x", "/api/v1/x/y/"])
def test_an_unknown_api_path_is_a_chinese_json_404(api, path, debug, settings):
    settings.DEBUG = debug

    errors = chinese_errors(api.get(path), 404)

    assert errors[0]["code"] == "not_found"


def test_a_form_body_over_djangos_limit_is_json_too(client, scjg_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(scjg_user)

    response = client.post(URL, {"evidence": "x" * 5000})

    assert response.status_code in (400, 413)
    chinese_errors(response, response.status_code)


def test_evidence_longer_than_the_form_allows_is_refused_naming_the_field(
    api, scjg_key, scjg_target
):
    response = api.post(URL, {"indicator": "quality_rate", "year": 2024, "value": 93,
                              "evidence": "证" * 2001}, format="json", **auth(scjg_key))

    errors = chinese_errors(response, 400)
    assert [(e["field"], e["code"]) for e in errors] == [("evidence", "max_length")]
    assert "佐证说明" in errors[0]["message"]
    assert "2000" in errors[0]["message"]
    assert not Observation.objects.exists()


def test_a_correction_reason_longer_than_the_form_allows_is_refused(
    api, scjg_key, scjg_target, district, scjg
):
    figure = ObservationFactory(indicator=scjg_target.indicator, region=district, year=2024,
                                department=scjg, value=90)

    response = api.patch(f"{URL}{figure.pk}/", {"value": 91, "reason": "因" * 2001},
                         format="json", **auth(scjg_key))

    errors = chinese_errors(response, 400)
    assert [(e["field"], e["code"]) for e in errors] == [("reason", "max_length")]
    assert "更正原因" in errors[0]["message"]
    figure.refresh_from_db()
    assert figure.value == 90
    assert figure.status == "approved"


def test_more_decimals_than_a_figure_holds_are_refused_not_rounded(api, scjg_key, scjg_target):
    response = api.post(URL, '{"indicator": "quality_rate", "year": 2024, '
                             '"value": 85.123456789012345}',
                        content_type="application/json", **auth(scjg_key))

    errors = chinese_errors(response, 400)
    assert [(e["field"], e["code"]) for e in errors] == [("value", "decimal_places")]
    assert "4位小数" in errors[0]["message"]
    assert not Observation.objects.exists()


def test_four_decimals_are_kept_exactly(api, scjg_key, scjg_target):
    response = api.post(URL, '{"indicator": "quality_rate", "year": 2024, "value": 85.1234}',
                        content_type="application/json", **auth(scjg_key))

    assert response.status_code == 201, response.json()
    assert str(Observation.objects.get().value) == "85.1234"


def test_a_session_post_without_csrf_is_still_json(scjg_user, scjg_target):
    client = Client(enforce_csrf_checks=True)
    client.force_login(scjg_user)

    response = client.post(URL, NESTED, content_type="application/json")

    chinese_errors(response, 403)
