"""Pages of onboarding (office only): 录入新规划, the review of a draft, 调整 of a target.

Views stay thin: forms parse, ``onboarding.services`` writes, ``onboarding.selectors`` reads.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from accounts.audit import get_in_scope_or_404
from indicators.models import Region
from indicators.permissions import ensure_office, visible_region_ids
from targets.models import Plan, Target

from . import selectors, services
from .forms import AdjustForm, ProposalForm, SelectionForm, UploadForm
from .models import PlanDocument, Proposal


def _office(request: HttpRequest) -> list[int] | None:
    ensure_office(request.user)
    return visible_region_ids(request.user)


def _draft(request: HttpRequest, code: str) -> PlanDocument:
    region_ids = _office(request)
    documents = PlanDocument.objects.select_related("plan", "plan__region")
    if region_ids is not None:
        documents = documents.filter(plan__region_id__in=region_ids)
    # Out of the office's region: a 404 that is audited (docs/reliability.md, row 7).
    return get_in_scope_or_404(request, documents, plan__code=code)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    region_ids = _office(request)
    regions = Region.objects.order_by("code")
    if region_ids is not None:
        regions = regions.filter(pk__in=region_ids)
    form = UploadForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        plan = services.plan_draft_create(
            user=request.user,
            meta=services.PlanMetadata(
                title=d["title"],
                doc_number=d["doc_number"],
                issuer=d["issuer"],
                issue_date=d["issue_date"],
                region=d["region"],
                start_year=d["start_year"],
                end_year=d["end_year"],
                base_year=d["base_year"],
            ),
            filename=form.filename,
            text=form.document_text,
        )
        count = plan.document.proposals.count()
        messages.success(request, f"已保存为草稿,共提出 {count} 个候选目标。")
        return redirect("onboarding:review", code=plan.code)
    return render(
        request,
        "onboarding/upload.html",
        {
            "form": form,
            "active": "plans",
            "drafts": selectors.drafts(region_ids=region_ids),
        },
    )


def _highlighted(text: str, proposals: list[Proposal]) -> SafeString:
    """The document with every quote in a <mark>; each piece carries its offset for selection."""
    cuts = {0, len(text)}
    for p in proposals:
        cuts |= {max(0, min(p.start, len(text))), max(0, min(p.end, len(text)))}
    points = sorted(cuts)
    pieces = []
    for a, b in pairwise(points):
        ids = [p for p in proposals if p.start <= a and b <= p.end]
        if ids:
            cls = "quote " + " ".join(f"q-{p.pk}" for p in ids)
            if all(p.state == "rejected" for p in ids):
                cls += " rejected"
            pieces.append(
                format_html(
                    '<mark class="{}" data-start="{}" data-proposals="{}">{}</mark>',
                    cls,
                    a,
                    " ".join(str(p.pk) for p in ids),
                    text[a:b],
                )
            )
        else:
            pieces.append(format_html('<span data-start="{}">{}</span>', a, text[a:b]))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


@login_required
def review(request: HttpRequest, code: str) -> HttpResponse:
    document = _draft(request, code)
    proposals = list(selectors.proposals_of(document))
    rows = [
        (
            p,
            ProposalForm(
                instance=p,
                prefix=f"p{p.pk}",
                suggestions=selectors.indicator_suggestions(p.indicator_name, p.unit),
            ),
        )
        for p in proposals
    ]
    counts = {s: sum(p.state == s for p in proposals) for s in Proposal.State.values}
    return render(
        request,
        "onboarding/review.html",
        {
            "active": "plans",
            "document": document,
            "plan": document.plan,
            "rows": rows,
            "text": _highlighted(document.text, proposals),
            "counts": counts,
            "published": document.plan.status != Plan.Status.DRAFT,
            "selection": SelectionForm(),
            "errors": request.session.pop("onboarding_errors", []),
        },
    )


@login_required
@require_POST
def proposal_action(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    document = _draft(request, code)
    if document.plan.status != Plan.Status.DRAFT:
        raise PermissionDenied("规划已发布,请用“调整”修改目标")
    proposal = get_object_or_404(Proposal, pk=pk, document=document)
    action = request.POST.get("action")
    if action == "reject":
        services.proposal_set_state(proposal=proposal, state=Proposal.State.REJECTED)
        messages.info(request, f"已驳回“{proposal.indicator_name}”。")
    elif action == "accept":
        services.proposal_set_state(proposal=proposal, state=Proposal.State.ACCEPTED)
        messages.info(request, f"已采纳“{proposal.indicator_name}”。")
    else:
        form = ProposalForm(
            request.POST,
            instance=proposal,
            prefix=f"p{proposal.pk}",
            suggestions=selectors.indicator_suggestions(proposal.indicator_name, proposal.unit),
        )
        if not form.is_valid():
            request.session["onboarding_errors"] = [
                f"“{proposal.indicator_name}”{form.fields[f].label}:{e}"
                for f, errs in form.errors.items()
                for e in errs
            ]
            return redirect("onboarding:review", code=code)
        changes = form.cleaned_changes()
        proposal.refresh_from_db()
        services.proposal_update(proposal=proposal, data=changes)
        messages.success(request, f"已修改并采纳“{proposal.indicator_name}”。")
    return redirect(f"{request.path.rsplit('/proposals/', 1)[0]}/#row-{proposal.pk}")


@login_required
@require_POST
def accept_pending(request: HttpRequest, code: str) -> HttpResponse:
    document = _draft(request, code)
    if document.plan.status != Plan.Status.DRAFT:
        raise PermissionDenied("规划已发布,请用“调整”修改目标")
    count = services.proposals_accept_pending(document=document)
    messages.success(request, f"已采纳其余 {count} 个待审候选目标。")
    return redirect("onboarding:review", code=code)


@login_required
@require_POST
def proposal_add(request: HttpRequest, code: str) -> HttpResponse:
    document = _draft(request, code)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        request.session["onboarding_errors"] = ["请先在右侧原文中选中要添加的句子"]
        return redirect("onboarding:review", code=code)
    try:
        proposal = services.proposal_add(
            document=document, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
    except services.OnboardingError as exc:
        request.session["onboarding_errors"] = exc.errors
        return redirect("onboarding:review", code=code)
    messages.success(request, f"已添加候选目标“{proposal.indicator_name}”,请核对后保存。")
    return redirect(f"{request.path.rsplit('/add/', 1)[0]}/#row-{proposal.pk}")


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    document = _draft(request, code)
    try:
        plan = services.plan_publish(plan=document.plan, user=request.user)
    except services.OnboardingError as exc:
        request.session["onboarding_errors"] = exc.errors
        return redirect("onboarding:review", code=code)
    messages.success(request, f"规划“{plan.title}”已发布,共 {plan.targets.count()} 个目标。")
    return redirect("reports:plan-detail", code=plan.code)


@login_required
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    region_ids = _office(request)
    targets = Target.objects.select_related("plan", "indicator").exclude(
        plan__status=Plan.Status.DRAFT
    )
    if region_ids is not None:
        targets = targets.filter(plan__region_id__in=region_ids)
    target = get_in_scope_or_404(request, targets, pk=pk)
    form = AdjustForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_adjust(
                target=target,
                user=request.user,
                reason=form.cleaned_data["reason"],
                doc_number=form.cleaned_data["doc_number"],
                **form.changes(),
            )
        except services.OnboardingError as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(request, "目标已调整,调整前的版本保留在调整记录中。")
            return redirect("reports:target-detail", pk=target.pk)
    ctx: dict[str, Any] = {
        "active": "plans",
        "target": target,
        "form": form,
        "adjustments": target.adjustments.select_related("adjusted_by"),
    }
    return render(request, "onboarding/adjust.html", ctx)
