"""The return comment is held to its form's limit (issue 12, row 12): the review page's return
used to skip ReturnForm and stored a 5 MB comment. "Today" is 2025-07-10 (conftest)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from indicators.models import Observation, ObservationChange
from tests.factories import submitted

pytestmark = pytest.mark.django_db


def test_a_return_comment_over_2000_characters_is_refused_naming_the_field(
    client, scjg_user, office_user, rate
):
    observation = submitted(client, scjg_user, rate)
    client.force_login(office_user)

    response = client.post(
        reverse("indicators:observation-return", kwargs={"pk": observation.pk}),
        {"comment": "退" * 2001, "version": observation.version},
        follow=True,
    )

    assertContains(response, "退回意见：")
    assertContains(response, "2000")
    observation.refresh_from_db()
    assert observation.status == Observation.Status.SUBMITTED
    assert not ObservationChange.objects.filter(action="return").exists()


def test_a_return_comment_within_the_limit_still_returns(client, scjg_user, office_user, rate):
    observation = submitted(client, scjg_user, rate)
    client.force_login(office_user)

    client.post(reverse("indicators:observation-return", kwargs={"pk": observation.pk}),
                {"comment": "请附抽查报告", "version": observation.version})

    observation.refresh_from_db()
    assert (observation.status, observation.comment) == ("returned", "请附抽查报告")
