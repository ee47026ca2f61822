"""The write API for departments: the same rules, permissions and history as the forms."""

import pytest

from indicators.models import Observation, ObservationChange
from tests.factories import ObservationFactory, auth

pytestmark = pytest.mark.django_db

URL = "/api/v1/observations/"


def test_department_token_saves_edits_and_submits_its_figure(
    api, scjg_key, scjg_target, district
):
    created = api.post(URL, {"indicator": "quality_rate", "year": 2024, "value": 93.5},
                       format="json", **auth(scjg_key))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["region"] == "赣榆区"
    assert body["department"] == "区市场监管局"

    edited = api.patch(f"{URL}{body['id']}/", {"value": 94.2}, format="json", **auth(scjg_key))
    submitted = api.post(f"{URL}{body['id']}/submit/", **auth(scjg_key))

    assert edited.status_code == 200, edited.json()
    assert edited.json()["value"] == 94.2
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    history = ObservationChange.objects.filter(observation_id=body["id"]).order_by("pk")
    assert [c.action for c in history] == ["create", "edit", "submit"]
    assert {c.by.username for c in history} == {f"api-token-{scjg_key.split('_')[1]}"}


def test_department_token_cannot_write_another_departments_indicator(
    api, gxj_key, scjg_target
):
    response = api.post(URL, {"indicator": "quality_rate", "year": 2024, "value": 93.5},
                        format="json", **auth(gxj_key))

    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["code"] == "permission_denied"
    assert error["message"].startswith("您无权填报指标“产品质量监督抽查合格率”")
    assert not Observation.objects.exists()


def test_department_token_cannot_touch_another_departments_figure(
    api, gxj_key, scjg_target, district, scjg
):
    figure = ObservationFactory(indicator=scjg_target.indicator, region=district, year=2023,
                                department=scjg, status="draft")
    approved = ObservationFactory(indicator=scjg_target.indicator, region=district, year=2022,
                                  department=scjg)

    hidden = api.patch(f"{URL}{figure.pk}/", {"value": 1}, format="json", **auth(gxj_key))
    refused = api.patch(f"{URL}{approved.pk}/", {"value": 1, "reason": "x"}, format="json",
                        **auth(gxj_key))

    assert hidden.status_code == 404  # a draft of another department is not even visible
    assert refused.status_code == 403
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_out_of_range_value_is_a_400_naming_the_field_and_changes_nothing(
    api, scjg_key, scjg_target
):
    response = api.post(URL, {"indicator": "quality_rate", "year": 2024, "value": 120},
                        format="json", **auth(scjg_key))

    assert response.status_code == 400
    assert response.json() == {"errors": [{
        "field": "value", "code": "out_of_range",
        "message": "指标“产品质量监督抽查合格率”是百分比，应在0至100之间，填报值为120。",
    }]}
    assert not Observation.objects.exists()
    assert not ObservationChange.objects.exists()


def test_malformed_input_is_a_400_per_field(api, scjg_key, scjg_target):
    response = api.post(URL, {"indicator": "no_such", "year": "soon", "value": "abc"},
                        format="json", **auth(scjg_key))

    assert response.status_code == 400
    fields = {error["field"]: error["code"] for error in response.json()["errors"]}
    assert fields == {"indicator": "does_not_exist", "year": "invalid", "value": "invalid"}
    assert all(error["message"] for error in response.json()["errors"])


def test_future_period_is_refused_like_in_the_form(api, scjg_key, scjg_target):
    response = api.post(URL, {"indicator": "quality_rate", "year": 2099, "value": 95},
                        format="json", **auth(scjg_key))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "period"


def test_correcting_an_approved_figure_needs_a_reason_and_stays_in_the_feed_until_approved(
    api, scjg_key, scjg_target, district, scjg
):
    figure = ObservationFactory(indicator=scjg_target.indicator, region=district, year=2024,
                                department=scjg)

    no_reason = api.patch(f"{URL}{figure.pk}/", {"value": 94}, format="json", **auth(scjg_key))
    corrected = api.patch(f"{URL}{figure.pk}/", {"value": 94, "reason": "统计口径调整"},
                          format="json", **auth(scjg_key))

    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert corrected.status_code == 200, corrected.json()
    # Issue 12 row 3: a proposal; the approved figure stays published until it is approved.
    assert corrected.json()["status"] == "approved"
    assert [row["id"] for row in api.get(URL).json()["results"]] == [figure.pk]
    change = ObservationChange.objects.get(observation=figure, action="correct")
    assert change.reason == "统计口径调整"


def test_signed_in_reporter_writes_through_the_session_too(api, scjg_user, scjg_target):
    api.force_login(scjg_user)

    response = api.post(URL, {"indicator": "quality_rate", "year": 2024, "value": 93.5},
                        format="json")

    assert response.status_code == 201, response.json()
    assert api.get(f"{URL}?mine=1").json()["count"] == 1


def test_anonymous_write_is_401_and_portal_write_is_403(api, portal_key, scjg_target):
    data = {"indicator": "quality_rate", "year": 2024, "value": 93.5}

    anonymous = api.post(URL, data, format="json")
    portal = api.post(URL, data, format="json", **auth(portal_key))

    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["code"] == "not_authenticated"
    assert portal.status_code == 403
    assert portal.json()["errors"][0]["message"].startswith("无权")
    assert not Observation.objects.exists()


def test_posting_the_same_period_again_edits_the_draft(api, scjg_key, scjg_target):
    data = {"indicator": "quality_rate", "year": 2024, "value": 93.5}
    first = api.post(URL, data, format="json", **auth(scjg_key))

    again = api.post(URL, {**data, "value": 93.8}, format="json", **auth(scjg_key))

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["value"] == 93.8
