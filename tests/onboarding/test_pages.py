"""录入新规划 through the pages (Django test client, real database): upload, review, publish,
and a draft's invisibility everywhere until then (issue 14 item 3, docs/onboarding.md §5)."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding.models import PlanDocument, Proposal
from targets.models import Plan, Target

from .docs import docx_bytes

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SEED = Path(settings.SEEDS_DIR) / "000_5930297db1fd55d6.txt"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SEED.is_file(), reason="seed documents not available"),
]


def _metadata(district, **extra):
    return {
        "title": "“品质赣榆”建设行动方案(2025-2027年)", "doc_number": "赣政办发〔2025〕10",
        "issuer": "连云港市赣榆区人民政府办公室", "issue_date": "2025-07-02",
        "region": district.pk, "start_year": 2025, "end_year": 2027, "base_year": "", **extra,
    }


def _upload(client, district, name="ganyu.docx", data=None):
    if data is None:
        data = docx_bytes(SEED.read_text(encoding="utf-8").split("\n"))
    return client.post(reverse("onboarding:upload"), {
        **_metadata(district), "file": SimpleUploadedFile(name, data),
    })


@pytest.fixture
def draft(client, office_user, district, scjg, gxj):
    client.force_login(office_user)
    response = _upload(client, district)
    assert response.status_code == 302
    return Plan.objects.get(status=Plan.Status.DRAFT)


def test_the_plan_list_links_to_onboarding_for_the_office(client, office_user, leader_user):
    client.force_login(office_user)
    assert "录入新规划" in client.get(reverse("reports:plan-list")).content.decode()
    client.force_login(leader_user)
    assert "录入新规划" not in client.get(reverse("reports:plan-list")).content.decode()
    assert client.get(reverse("onboarding:upload")).status_code == 403


def test_upload_saves_a_draft_with_its_text_and_proposals(client, draft):
    document = PlanDocument.objects.get(plan=draft)
    assert "力争获评省长质量奖1家" in document.text
    assert document.proposals.filter(qualitative=False).count() == 26
    page = client.get(reverse("onboarding:review", args=[draft.code])).content.decode()
    assert '<mark class="quote' in page
    assert "力争获评省长质量奖1家”" in page  # the quote in the table
    assert "草稿" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.doc", b"old word", "类型不受支持"),
        ("plan.txt", b"", "空文件"),
        ("plan.docx", b"garbage", "不是有效的 Word"),
    ],
)
def test_bad_file_is_refused_in_chinese_and_nothing_saved(
    client, office_user, district, name, data, message
):
    client.force_login(office_user)
    response = client.post(reverse("onboarding:upload"), {
        **_metadata(district), "file": SimpleUploadedFile(name, data),
    })
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Plan.objects.exists()
    assert not PlanDocument.objects.exists()


def test_pasted_text_is_accepted(client, office_user, district):
    client.force_login(office_user)
    response = client.post(reverse("onboarding:upload"), {
        **_metadata(district), "text": SEED.read_text(encoding="utf-8"),
    })
    assert response.status_code == 302
    assert PlanDocument.objects.get().filename == "粘贴的全文"


def _form(proposal: Proposal, **changes):
    prefix = f"p{proposal.pk}-"
    data = {
        "indicator_name": proposal.indicator_name, "comparator": proposal.comparator,
        "value": proposal.value if proposal.value is not None else "",
        "value_high": proposal.value_high if proposal.value_high is not None else "",
        "unit": proposal.unit, "deadline_year": proposal.deadline_year or "",
        "kind": proposal.kind, "new_indicator_unit": proposal.new_indicator_unit,
        "new_indicator_measure": proposal.new_indicator_measure,
        "new_indicator_direction": proposal.new_indicator_direction,
        "new_indicator_lower": "", "new_indicator_upper": "",
        "indicator_choice": "new",
        "lead_text": "、".join(proposal.lead_departments),
        "participating_text": "、".join(proposal.participating_departments),
        **changes,
    }
    if proposal.aspirational:
        data.setdefault("aspirational", "on")
    return {"action": "save", **{prefix + k: v for k, v in data.items()}}


def _review_all(client, plan):
    """Accept the quantified proposals, reject the qualitative ones."""
    for p in Proposal.objects.filter(document__plan=plan, state=Proposal.State.PENDING):
        action = "reject" if p.qualitative else "accept"
        client.post(reverse("onboarding:proposal", args=[plan.code, p.pk]), {"action": action})


def test_draft_is_invisible_until_published(client, draft, scjg_user, office_user, time_machine):
    # Mid-January 2026: the 2025 annual figures of a 2025–2027 plan are due.
    time_machine.move_to(datetime.datetime(2026, 1, 15, 10, tzinfo=SHANGHAI), tick=False)
    _review_all(client, draft)
    # Draft: no list, no page, no feed, nothing due for the reporter.
    for user in (office_user, scjg_user):
        client.force_login(user)
        assert draft.title not in client.get(reverse("reports:plan-list")).content.decode()
        assert client.get(reverse("reports:plan-detail", args=[draft.code])).status_code == 404
        feed = client.get("/api/v1/plans/").json()
        assert draft.code not in str(feed)
    client.force_login(scjg_user)
    due = client.get(reverse("indicators:due")).content.decode()
    assert "叉车智慧监管系统接入率" not in due

    client.force_login(office_user)
    response = client.post(reverse("onboarding:publish", args=[draft.code]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Plan.Status.IN_FORCE
    assert draft.targets.count() == 26
    assert draft.title in client.get(reverse("reports:plan-list")).content.decode()
    assert draft.code in str(client.get("/api/v1/plans/").json())
    client.force_login(scjg_user)
    assert "叉车智慧监管系统接入率" in client.get(reverse("indicators:due")).content.decode()


def test_edit_reject_add_then_publish(client, draft, scjg):
    proposals = Proposal.objects.filter(document__plan=draft).order_by("order")
    award = proposals.get(indicator_name="市长质量奖")
    events = proposals.get(value=60)
    client.post(reverse("onboarding:proposal", args=[draft.code, award.pk]),
                _form(award, indicator_name="市长质量奖企业数(新增)"))
    client.post(reverse("onboarding:proposal", args=[draft.code, events.pk]), {"action": "reject"})
    text = draft.document.text
    sentence = "培育省级中小企业公共服务示范平台"
    start = text.index(sentence)
    client.post(reverse("onboarding:add", args=[draft.code]),
                {"start": start, "end": start + len(sentence)})
    added = Proposal.objects.get(document__plan=draft, origin="office")
    client.post(reverse("onboarding:proposal", args=[draft.code, added.pk]),
                _form(added, kind="milestone", comparator="ge", value="",
                      lead_text="区工信局"))
    _review_all(client, draft)
    client.post(reverse("onboarding:publish", args=[draft.code]))

    draft.refresh_from_db()
    assert draft.status == Plan.Status.IN_FORCE
    assert draft.document.text == text  # the document stays with the plan
    targets = Target.objects.filter(plan=draft)
    assert targets.count() == 26  # 26 - 1 rejected + 1 added
    edited = targets.get(source_quote=award.source_quote, value=2)
    assert edited.indicator.name == "市长质量奖企业数(新增)"
    assert not targets.filter(value=60, unit="次").exists()
    milestone = targets.get(source_quote=sentence)
    assert milestone.kind == "milestone"
    assert [d.name for d in milestone.lead_departments.all()] == ["区工信局"]
    forklift = targets.get(source_quote__contains="叉车智慧监管系统接入率")
    assert [d.name for d in forklift.lead_departments.all()] == [scjg.name]  # the existing one


def test_publish_refuses_a_number_not_in_its_quote(client, draft):
    proposal = Proposal.objects.filter(document__plan=draft, value=Decimal(50)).first()
    client.post(reverse("onboarding:proposal", args=[draft.code, proposal.pk]),
                _form(proposal, value="55"))
    _review_all(client, draft)
    response = client.post(reverse("onboarding:publish", args=[draft.code]), follow=True)
    page = response.content.decode()
    assert "目标值 55 未出现在原文摘录中" in page
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT
    assert not draft.targets.exists()


def test_publish_refuses_while_proposals_are_pending(client, draft):
    response = client.post(reverse("onboarding:publish", args=[draft.code]), follow=True)
    assert "待审" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT
