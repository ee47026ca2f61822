"""Every page and API operation × every persona, against a declared matrix.

docs/reliability.md AT-09.

The pages come from the URL conf and the API operations from the OpenAPI schema, so a new URL
or operation without a row below fails ``test_every_page_is_declared`` or
``test_every_api_operation_is_declared``. Each row names an endpoint, a method and the
outcome each persona must meet; a test per row sends the request as every persona (each in a
savepoint rolled back afterwards, so one persona's write never changes another's answer) and
reports every mismatch at once.

Outcomes: ``ok`` 2xx, or 3xx anywhere but a login page; ``allowed`` passes the permission
check (anything but 401/403/404/405 or a login redirect: a 400 from validation counts, since
it is business validation, not permission); ``login`` a redirect to the login (or second
factor) page or 401; ``forbidden`` 403; ``denied`` 403 or 404 (an object outside the
persona's scope, which the app may hide); ``not_allowed`` 405.

Personas (docs/roles.md and 三权分立 of indicators/roles.py): anonymous; reporter A
(区市场监管局 of 赣榆区) and reporter B (区工信局); the office and a leader of 赣榆区; 审计员,
系统管理员 and 安全管理员 of 赣榆区; a portal token (reads the published feed) and reporter A's
department token. Pages answer a token with the login page: only the API reads tokens.

Objects filled into URLs (the world below, "today" = 2025-07-10, 2025Q2 open for entry):

===========================  ==============================================================
``plan``                     赣榆区's plan ``ganyu-2021`` (in force), targets T001 and T002
``department_a``             区市场监管局, which leads T001 (``product_pass_rate``)
``indicator_a``/``target_a`` 产品质量监督抽查合格率 and its target T001 (+ a progress row)
``draft_a``                  A's 2025Q2 figure, draft
``submitted_a``              A's 2025Q1 figure, submitted by reporter A
``approved_a``               A's 2024Q4 figure, approved (published)
``indicator_b``, ``*_b``     the same for 区工信局's ``industry_quality`` (target T002)
``*_yc``                     盐城市 (another city): its plan, department, target, a submitted figure
``import_a``                 an Excel import reporter A uploaded
``report``                   a finished PDF report on 赣榆区 requested by the office
``account_b``                reporter B's account (for the 安全管理员's pages)
``portal_token``             the portal token (revoked on the token page)
===========================  ==============================================================
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from drf_spectacular.generators import SchemaGenerator

from accounts import roles
from accounts.models import AuditEvent
from accounts.services.tokens import token_create
from indicators.models import ImportJob, Indicator, Observation
from indicators.services import observation_save_draft, observation_submit
from onboarding.services import PlanMetadata, plan_draft_create
from reports.models import ReportRun
from tests.factories import (
    DepartmentFactory,
    IndicatorFactory,
    ObservationFactory,
    PlanFactory,
    ProgressFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2025, 7, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RATE_A, RATE_B = "product_pass_rate", "industry_quality"
NAME_A, NAME_B = "产品质量监督抽查合格率", "规上工业企业质量管理体系认证率"
NAME_ELSEWHERE = "盐城市空气质量优良天数比率"

# --- Personas and outcomes ------------------------------------------------------------------

ANON, REP_A, REP_B = "anonymous", "reporter_a", "reporter_b"
OFFICE, LEADER = "office", "leader"
AUDITOR, ADMIN, SECURITY = "auditor", "sysadmin", "secadmin"
PORTAL, DEPT_TOKEN = "portal_token", "dept_token_a"

REPORTERS = (REP_A, REP_B)
SIGNED_IN = (REP_A, REP_B, OFFICE, LEADER, AUDITOR, ADMIN, SECURITY)
TOKENS = (PORTAL, DEPT_TOKEN)
PERSONAS = (ANON, *SIGNED_IN, *TOKENS)
ROLE_OF = {
    REP_A: roles.REPORTER, REP_B: roles.REPORTER, OFFICE: roles.OFFICE, LEADER: roles.LEADER,
    AUDITOR: roles.AUDITOR, ADMIN: roles.ADMIN, SECURITY: roles.SECURITY,
}

OK, ALLOWED, LOGIN = "ok", "allowed", "login"
FORBIDDEN, DENIED, NOT_ALLOWED = "forbidden", "denied", "not_allowed"
#: expected outcome → the response classes (``classify``) that meet it
MEETS = {
    OK: {"ok"}, ALLOWED: {"ok", "invalid"}, LOGIN: {"login"}, FORBIDDEN: {"forbidden"},
    DENIED: {"forbidden", "not_found"}, NOT_ALLOWED: {"not_allowed"},
}

Expect = dict[str, str]


def everyone(outcome: str) -> Expect:
    return dict.fromkeys(PERSONAS, outcome)


def page(allowed: Iterable[str], outcome: str = OK, others: str = FORBIDDEN) -> Expect:
    """A page: signed-in personas in ``allowed`` get ``outcome``, the other signed-in ones
    ``others``; anonymous and both tokens (pages do not read tokens) go to the login page."""
    allowed = set(allowed)
    expect = dict.fromkeys((ANON, *TOKENS), LOGIN)
    expect.update({p: outcome if p in allowed else others for p in SIGNED_IN})
    return expect


#: A method the view does not take: 405 for every signed-in persona (login_required runs
#: first, so the others get the login page).
REFUSED = page((), others=NOT_ALLOWED)


def reads(allowed: Iterable[str], others: str = DENIED) -> Expect:
    """An API read of an object only some may see."""
    allowed = set(allowed)
    return {p: OK if p in allowed else others for p in PERSONAS}


def writes(allowed: Iterable[str], others: str = FORBIDDEN) -> Expect:
    """An API write: no credentials → 401; the portal token (read-only) → 403."""
    allowed = set(allowed)
    expect = {ANON: LOGIN, PORTAL: FORBIDDEN}
    expect.update({p: ALLOWED if p in allowed else others for p in (*SIGNED_IN, DEPT_TOKEN)})
    return expect


# --- The declared matrix: pages -------------------------------------------------------------

#: docs/roles.md: reporters see "the dashboards", the office and leaders their region. The
#: 审计员 sees the audit log and nothing else, the 系统管理员 the configuration, the
#: 安全管理员 the accounts (三权分立, least privilege): none of the three reads business data.
DASHBOARD_READERS = {REP_A, REP_B, OFFICE, LEADER}
REPORT_READERS = {OFFICE, LEADER}


@dataclass(frozen=True)
class PageRow:
    name: str
    method: str
    expect: Expect
    body: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, str] | None = None  # None: PAGE_OBJECTS' default for the page
    query: dict[str, str] = field(default_factory=dict)  # e.g. an export: format=csv

    @property
    def id(self) -> str:
        case = ",".join([*(self.objects or {}).values(), *(f"{k}={v}" for k, v in
                                                          self.query.items())])
        return f"{self.name} {self.method}" + (f" [{case}]" if case else "")


CSV = {"format": "csv"}
B_INDICATOR = {"period": "period", "code": "indicator_b"}


PAGE_MATRIX = [
    PageRow("reports:home", "GET", everyone(OK)),
    PageRow("reports:overview", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:plan-list", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:plan-detail", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:plan-detail", "GET", page(DASHBOARD_READERS), query=CSV),
    PageRow("reports:department-list", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:department-detail", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:department-detail", "GET", page(DASHBOARD_READERS), query=CSV),
    PageRow("reports:indicator-list", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:indicator-detail", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:target-detail", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:target-detail", "GET", page(DASHBOARD_READERS), query=CSV),
    # another city's plan, department and target: outside every persona's region
    PageRow("reports:plan-detail", "GET", page((), others=DENIED), objects={"code": "plan_yc"}),
    PageRow("reports:department-detail", "GET", page((), others=DENIED),
            objects={"pk": "department_yc"}),
    PageRow("reports:target-detail", "GET", page((), others=DENIED),
            objects={"pk": "target_yc"}),
    # 终期评估 (issue 15): dashboard readers read it, only the office edits it
    PageRow("reports:final-assessment", "GET", page(DASHBOARD_READERS)),
    PageRow("reports:final-assessment", "GET", page(DASHBOARD_READERS), query={"format": "xlsx"}),
    PageRow("reports:final-assessment", "POST", page({OFFICE}),
            {"action": "narrative", "narrative": "总体完成。"}),
    PageRow("reports:final-assessment", "GET", page((), others=DENIED),
            objects={"code": "plan_yc"}),
    # 录入新规划 (issue 14): the office alone uploads, reviews, publishes and adjusts
    PageRow("onboarding:upload", "GET", page({OFFICE})),
    PageRow("onboarding:upload", "POST", page({OFFICE}, ALLOWED), {"title": ""}),
    PageRow("onboarding:review", "GET", page({OFFICE}), objects={"code": "draft_plan"}),
    PageRow("onboarding:proposal", "POST", page({OFFICE}, ALLOWED), {"action": "reject"},
            objects={"code": "draft_plan", "pk": "proposal"}),
    PageRow("onboarding:proposal", "GET", REFUSED,
            objects={"code": "draft_plan", "pk": "proposal"}),
    PageRow("onboarding:add", "GET", REFUSED, objects={"code": "draft_plan"}),
    PageRow("onboarding:add", "POST", page({OFFICE}, ALLOWED), {"start": "", "end": ""},
            objects={"code": "draft_plan"}),
    PageRow("onboarding:accept-pending", "GET", REFUSED, objects={"code": "draft_plan"}),
    PageRow("onboarding:accept-pending", "POST", page({OFFICE}, ALLOWED),
            objects={"code": "draft_plan"}),
    PageRow("onboarding:publish", "GET", REFUSED, objects={"code": "draft_plan"}),
    PageRow("onboarding:publish", "POST", page({OFFICE}, ALLOWED),
            objects={"code": "draft_plan"}),
    PageRow("onboarding:adjust", "GET", page({OFFICE}), objects={"pk": "target_a"}),
    PageRow("onboarding:adjust", "POST", page({OFFICE}, ALLOWED), {"reason": ""},
            objects={"pk": "target_a"}),
    PageRow("onboarding:adjust", "GET", page((), others=DENIED), objects={"pk": "target_yc"}),
    PageRow("reports:report-list", "GET", page(REPORT_READERS)),
    PageRow("reports:report-create", "GET", REFUSED),
    PageRow("reports:report-create", "POST", page({OFFICE}, ALLOWED)),
    PageRow("reports:report-status", "GET", page(REPORT_READERS)),
    PageRow("reports:report-download", "GET", page(REPORT_READERS)),
    # 数据填报: the landing page shows each user their own tasks only
    PageRow("indicators:due", "GET", page(SIGNED_IN)),
    PageRow("indicators:overdue", "GET", page({*REPORTERS, OFFICE, LEADER})),
    PageRow("indicators:entry", "GET", page(REPORTERS)),  # each its own department's form
    PageRow("indicators:entry", "POST", page(REPORTERS, ALLOWED)),
    PageRow("indicators:entry", "DELETE", REFUSED),
    PageRow("indicators:entry-indicator", "GET", page({REP_A})),  # A's indicator
    PageRow("indicators:entry-indicator", "POST", page({REP_A}, ALLOWED)),
    PageRow("indicators:entry-indicator", "DELETE", REFUSED),
    PageRow("indicators:entry-indicator", "GET", page({REP_B}), objects=B_INDICATOR),
    PageRow("indicators:entry-indicator", "POST", page({REP_B}, ALLOWED), objects=B_INDICATOR),
    PageRow("indicators:excel-template", "GET", page(REPORTERS)),
    PageRow("indicators:excel-upload", "GET", page(REPORTERS)),
    PageRow("indicators:excel-upload", "POST", page(REPORTERS, ALLOWED)),
    PageRow("indicators:import-detail", "GET", page({REP_A})),  # the uploader only
    PageRow("indicators:import-status", "GET", page({REP_A})),
    # one figure (A's); DELETE on figures is 405 everywhere (AT-09), here as on the forms
    PageRow("indicators:observation-detail", "GET", page({REP_A, OFFICE, LEADER})),
    PageRow("indicators:observation-detail", "GET", page({REP_B, OFFICE, LEADER}),
            objects={"pk": "submitted_b"}),  # B's figure: not for reporter A
    PageRow("indicators:observation-detail", "DELETE", REFUSED),
    PageRow("indicators:observation-submit", "GET", REFUSED),
    PageRow("indicators:observation-submit", "POST", page({REP_A}, ALLOWED)),
    PageRow("indicators:observation-submit", "POST", page({REP_B}, ALLOWED),
            objects={"pk": "draft_b"}),  # B's draft: reporter A is refused
    PageRow("indicators:observation-submit", "DELETE", REFUSED),
    # the submitter (reporter A) never approves: only the office of the figure's region
    PageRow("indicators:observation-approve", "GET", REFUSED),
    PageRow("indicators:observation-approve", "POST", page({OFFICE}, ALLOWED)),
    PageRow("indicators:observation-approve", "POST", page((), others=DENIED),
            objects={"pk": "submitted_yc"}),  # another city's figure: not this office's
    PageRow("indicators:observation-approve", "DELETE", REFUSED),
    PageRow("indicators:observation-return", "GET", REFUSED),
    PageRow("indicators:observation-return", "POST", page({OFFICE}, ALLOWED),
            {"comment": "请核对原始台账"}),
    PageRow("indicators:observation-return", "DELETE", REFUSED),
    PageRow("indicators:observation-correct", "GET", REFUSED),
    PageRow("indicators:observation-correct", "POST", page({REP_A}, ALLOWED),
            {"value": "93.8", "reason": "核对原始台账后更正"}),
    PageRow("indicators:observation-correct", "POST", page({REP_B}, ALLOWED),
            {"value": "93.8", "reason": "核对原始台账后更正"}, objects={"pk": "approved_b"}),
    PageRow("indicators:observation-correct", "DELETE", REFUSED),
    PageRow("indicators:approvals", "GET", page({OFFICE})),
    PageRow("indicators:approvals", "POST", page({OFFICE}, ALLOWED), {"action": "approve"}),
    PageRow("indicators:approvals", "DELETE", REFUSED),
    PageRow("indicators:observation-export", "GET", page({OFFICE})),
    PageRow("indicators:observation-export", "GET", page({OFFICE}), query=CSV),
    PageRow("indicators:completeness", "GET", page({OFFICE, LEADER})),
    # the 审计员's pages: not the 系统管理员 nor the 安全管理员
    PageRow("indicators:audit-log", "GET", page({AUDITOR})),
    PageRow("indicators:audit-export", "GET", page({AUDITOR})),
    PageRow("indicators:audit-export", "GET", page({AUDITOR}), query={"what": "events"}),
    # the 安全管理员's pages: not the 系统管理员
    PageRow("accounts:account-list", "GET", page({SECURITY})),
    PageRow("accounts:account-create", "GET", page({SECURITY})),
    PageRow("accounts:account-create", "POST", page({SECURITY}, ALLOWED)),
    PageRow("accounts:account-detail", "GET", page({SECURITY})),
    PageRow("accounts:account-action", "GET", REFUSED),
    PageRow("accounts:account-action", "POST", page({SECURITY}, ALLOWED),
            {"reason": "本人申请解锁"}),
    # every account action (issue 12): the 安全管理员's alone
    *[PageRow("accounts:account-action", "POST", page({SECURITY}, ALLOWED),
              {"reason": "工作调动"}, objects={"pk": "account_b", "action": name})
      for name in ("reset-otp", "activate", "deactivate")],
    # replacing one's password (forced at first login when an administrator chose it)
    PageRow("password-change", "GET", page(SIGNED_IN)),
    PageRow("password-change", "POST", page(SIGNED_IN, ALLOWED)),
    # the office's API tokens
    PageRow("accounts:token-list", "GET", page({OFFICE})),
    PageRow("accounts:token-list", "POST", page({OFFICE}, ALLOWED),
            {"name": "数据开放平台2", "kind": "portal"}),
    PageRow("accounts:token-revoke", "GET", REFUSED),
    PageRow("accounts:token-revoke", "POST", page({OFFICE}, ALLOWED)),
    # the 系统管理员's 系统 page: settings and background health, read-only (docs/roles.md)
    PageRow("system", "GET", page({ADMIN})),
    PageRow("system", "POST", REFUSED),
    # open to all: signing in and out, the language switch, the API root, schema and docs
    PageRow("login", "GET", everyone(OK)),
    # the second factor: a verified (or exempt) user is sent on to the page asked for
    PageRow("otp-verify", "GET", page(SIGNED_IN)),
    PageRow("otp-verify", "POST", page(SIGNED_IN, ALLOWED)),
    PageRow("otp-setup", "GET", page(SIGNED_IN)),
    PageRow("otp-setup", "POST", page(SIGNED_IN, ALLOWED)),
    PageRow("logout", "GET", everyone(NOT_ALLOWED)),
    PageRow("logout", "POST", everyone(LOGIN)),  # LOGOUT_REDIRECT_URL is the login page
    PageRow("set_language", "GET", everyone(OK)),
    PageRow("set_language", "POST", everyone(OK), {"language": "en"}),
    PageRow("api-root", "GET", everyone(OK)),
    PageRow("schema", "GET", everyone(OK)),
    PageRow("swagger-ui", "GET", everyone(OK)),
]

#: Which world object fills each path parameter.
PAGE_OBJECTS: dict[str, dict[str, str]] = {
    "reports:plan-detail": {"code": "plan"},
    "reports:final-assessment": {"code": "plan_review"},
    "reports:department-detail": {"pk": "department_a"},
    "reports:indicator-detail": {"code": "indicator_a"},
    "reports:target-detail": {"pk": "target_a"},
    "reports:report-status": {"pk": "report"},
    "reports:report-download": {"pk": "report"},
    "indicators:entry": {"period": "period"},
    "indicators:entry-indicator": {"period": "period", "code": "indicator_a"},
    "indicators:excel-template": {"period": "period"},
    "indicators:excel-upload": {"period": "period"},
    "indicators:import-detail": {"pk": "import_a"},
    "indicators:import-status": {"pk": "import_a"},
    "indicators:observation-detail": {"pk": "submitted_a"},
    "indicators:observation-submit": {"pk": "draft_a"},
    "indicators:observation-approve": {"pk": "submitted_a"},
    "indicators:observation-return": {"pk": "submitted_a"},
    "indicators:observation-correct": {"pk": "approved_a"},
    "accounts:account-detail": {"pk": "account_b"},
    "accounts:account-action": {"pk": "account_b", "action": "unlock"},
    "accounts:token-revoke": {"pk": "portal_token"},
}

# --- The declared matrix: API ---------------------------------------------------------------

API = "/api/v1"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class ApiRow:
    path: str
    method: str
    expect: Expect
    obj: str | None = None  # the world object for ``{id}``; None: API_OBJECTS' default
    body: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    case: str = ""  # names a second row of the same operation

    @property
    def id(self) -> str:
        case = ",".join(part for part in (self.obj, self.case, self.query) if part)
        return f"{self.method} {self.path}" + (f" [{case}]" if case else "")


def published_feed(path: str) -> list[ApiRow]:
    """The public, read-only feed: everybody reads it, nobody writes (405)."""
    return [ApiRow(path, "GET", everyone(OK))] + [
        ApiRow(path, method, everyone(NOT_ALLOWED)) for method in METHODS[1:]
    ]


FIGURE = f"{API}/observations/{{id}}/"
NEW_FIGURE = {"indicator": RATE_A, "year": 2025, "quarter": 2, "value": "95.2"}
NEW_FIGURE_B = {**NEW_FIGURE, "indicator": RATE_B}
CORRECTION = {"value": "93.8", "reason": "核对原始台账后更正"}
#: A method the figure endpoints do not take (DELETE among them: AT-09): 405 once the
#: caller is known; no credentials → 401, the portal token → 403 (permissions run first).
NO_SUCH_METHOD = writes((), others=NOT_ALLOWED)

API_MATRIX = [
    *published_feed(f"{API}/regions/"),
    *published_feed(f"{API}/regions/{{id}}/"),
    *published_feed(f"{API}/departments/"),
    *published_feed(f"{API}/departments/{{id}}/"),
    *published_feed(f"{API}/indicators/"),
    *published_feed(f"{API}/indicators/{{id}}/"),
    *published_feed(f"{API}/plans/"),
    *published_feed(f"{API}/plans/{{id}}/"),
    *published_feed(f"{API}/targets/"),
    *published_feed(f"{API}/targets/{{id}}/"),
    *published_feed(f"{API}/progress/"),
    *published_feed(f"{API}/progress/{{id}}/"),
    # the bulk export of one quarter (issue 18): public and read-only like the feed
    ApiRow(f"{API}/progress/export/", "GET", everyone(OK), query="quarter=2025Q2&format=ndjson"),
    *[ApiRow(f"{API}/progress/export/", method, everyone(NOT_ALLOWED)) for method in METHODS[1:]],
    # figures: approved ones are public; writes are reporter A's (user or department token)
    ApiRow(f"{API}/observations/", "GET", everyone(OK)),
    ApiRow(f"{API}/observations/", "GET", everyone(OK), query="format=csv"),
    # one's own figures in every status: signed-in users and the department token
    ApiRow(f"{API}/observations/", "GET", reads(set(PERSONAS) - {ANON, PORTAL}, others=LOGIN),
           query="mine=1"),
    # a figure of A's indicator: reporter B (and everyone else) is refused, cross-department
    ApiRow(f"{API}/observations/", "POST", writes({REP_A, DEPT_TOKEN}), body=NEW_FIGURE,
           case="indicator_a"),
    ApiRow(f"{API}/observations/", "POST", writes({REP_B}), body=NEW_FIGURE_B,
           case="indicator_b"),
    ApiRow(f"{API}/observations/", "PUT", NO_SUCH_METHOD),
    ApiRow(f"{API}/observations/", "PATCH", NO_SUCH_METHOD),
    ApiRow(f"{API}/observations/", "DELETE", NO_SUCH_METHOD),
    ApiRow(FIGURE, "GET", everyone(OK), "approved_a"),
    ApiRow(FIGURE, "GET", reads({REP_A, DEPT_TOKEN, OFFICE, LEADER}), "draft_a"),
    ApiRow(FIGURE, "POST", NO_SUCH_METHOD, "approved_a"),
    ApiRow(FIGURE, "PUT", NO_SUCH_METHOD, "approved_a"),
    # correcting a published figure: everybody sees it, only its department may correct it
    ApiRow(FIGURE, "PATCH", writes({REP_A, DEPT_TOKEN}), "approved_a", CORRECTION),
    ApiRow(FIGURE, "PATCH", writes({REP_A, DEPT_TOKEN}, others=DENIED), "draft_a",
           {"value": "95.5"}),
    ApiRow(FIGURE, "DELETE", NO_SUCH_METHOD, "approved_a"),
    ApiRow(FIGURE, "DELETE", NO_SUCH_METHOD, "draft_a"),
    ApiRow(f"{FIGURE}submit/", "GET", everyone(NOT_ALLOWED), "draft_a"),
    ApiRow(f"{FIGURE}submit/", "POST", writes({REP_A, DEPT_TOKEN}, others=DENIED), "draft_a"),
    # on a figure everybody sees, the refusal is a 403 (AT-09: cross-department writes 403)
    ApiRow(f"{FIGURE}submit/", "POST", writes({REP_A, DEPT_TOKEN}), "approved_a"),
    ApiRow(f"{FIGURE}submit/", "PUT", NO_SUCH_METHOD, "draft_a"),
    ApiRow(f"{FIGURE}submit/", "PATCH", NO_SUCH_METHOD, "draft_a"),
    ApiRow(f"{FIGURE}submit/", "DELETE", NO_SUCH_METHOD, "draft_a"),
]

API_OBJECTS = {
    f"{API}/regions/{{id}}/": "district",
    f"{API}/departments/{{id}}/": "department_a",
    f"{API}/indicators/{{id}}/": "indicator_a_pk",
    f"{API}/plans/{{id}}/": "plan_pk",
    f"{API}/targets/{{id}}/": "target_a",
    f"{API}/progress/{{id}}/": "progress_a",
}

# --- The world ------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    keys: dict[str, str]
    values: dict[str, Any]

    def client(self, persona: str) -> Client:
        if persona in TOKENS:
            return Client(raise_request_exception=False,
                          HTTP_AUTHORIZATION=f"Token {self.keys[persona]}")
        client = Client(raise_request_exception=False)
        if persona != ANON:
            client.force_login(self.users[persona])
        return client


@pytest.fixture(autouse=True)
def _today_and_empty_throttles(time_machine, settings):
    settings.REPORTING_GRACE_DAYS = 15
    time_machine.move_to(TODAY, tick=False)
    cache.clear()
    yield
    cache.clear()


def _figure(indicator, region, department, author, year, quarter, status, **extra):
    return ObservationFactory(
        indicator=indicator, region=region, department=department, created_by=author,
        year=year, quarter=quarter, value=extra.pop("value", 93.5), status=status, **extra,
    )


@pytest.fixture
def world(district, other_city, scjg, gxj, scjg_user, gxj_user, office_user, leader_user,
          auditor_user, sysadmin_user, security_user) -> World:
    users = {
        REP_A: scjg_user, REP_B: gxj_user, OFFICE: office_user, LEADER: leader_user,
        AUDITOR: auditor_user,
        ADMIN: sysadmin_user, SECURITY: security_user,
    }
    plan = PlanFactory(region=district, code="ganyu-2021")
    quarterly = {"frequency": Indicator.Frequency.QUARTERLY}
    rate_a = IndicatorFactory(code=RATE_A, name=NAME_A, **quarterly)
    rate_b = IndicatorFactory(code=RATE_B, name=NAME_B, **quarterly)
    target_a = TargetFactory(plan=plan, code="T001", indicator=rate_a, value=96, leads=[scjg])
    TargetFactory(plan=plan, code="T002", indicator=rate_b, value=90, leads=[gxj])
    progress_a = ProgressFactory(target=target_a, year=2025, quarter=2)
    plan_review = PlanFactory(region=district, code="ganyu-2016", start_year=2016,
                              end_year=2020, base_year=2015, status="final_review")
    TargetFactory(plan=plan_review, code="T001", indicator=rate_a, value=95, leads=[scjg])
    values: dict[str, Any] = {
        "district": district.pk, "plan": plan.code, "plan_pk": plan.pk,
        "plan_review": plan_review.code,
        "department_a": scjg.pk, "indicator_a": RATE_A, "indicator_a_pk": rate_a.pk,
        "indicator_b": RATE_B,
        "target_a": target_a.pk, "progress_a": progress_a.pk, "period": "2025Q2",
        "unlock": "unlock", "account_b": gxj_user.pk,
        "reset-otp": "reset-otp", "activate": "activate", "deactivate": "deactivate",
    }
    for suffix, indicator, department, author in [
        ("a", rate_a, scjg, scjg_user), ("b", rate_b, gxj, gxj_user),
    ]:
        values[f"draft_{suffix}"] = _figure(
            indicator, district, department, author, 2025, 2, Observation.Status.DRAFT
        ).pk
        values[f"submitted_{suffix}"] = _figure(
            indicator, district, department, author, 2025, 1, Observation.Status.SUBMITTED,
            submitted_at=TODAY,
        ).pk
        values[f"approved_{suffix}"] = _figure(
            indicator, district, department, author, 2024, 4, Observation.Status.APPROVED,
            submitted_at=TODAY, approved_at=TODAY, approved_by=office_user,
        ).pk
    # another city's plan, target and figure: outside every persona's scope
    yancheng = DepartmentFactory(region=other_city, name="市市场监管局")
    elsewhere = IndicatorFactory(code="yancheng_air", name=NAME_ELSEWHERE, **quarterly)
    plan_yc = PlanFactory(region=other_city, code="yancheng-2022")
    target_yc = TargetFactory(plan=plan_yc, code="T001", indicator=elsewhere, leads=[yancheng])
    values.update(plan_yc=plan_yc.code, department_yc=yancheng.pk, target_yc=target_yc.pk)
    values["submitted_yc"] = _figure(
        elsewhere, other_city, yancheng, None, 2025, 1, Observation.Status.SUBMITTED,
        submitted_at=TODAY,
    ).pk
    values["import_a"] = ImportJob.objects.create(
        department=scjg, year=2025, quarter=2, file="imports/2025/a.xlsx", filename="a.xlsx",
        created_by=scjg_user, state=ImportJob.State.DONE, progress=100,
    ).pk
    report = ReportRun(
        scope=ReportRun.Scope.REGION, region=district, year=2025, quarter=2,
        requested_by=office_user, state=ReportRun.State.DONE, progress=100,
    )
    report.file.save("matrix.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    report.save()
    values["report"] = report.pk
    portal, portal_key = token_create(by=office_user, name="数据开放平台", kind="portal")
    _dept, dept_key = token_create(by=office_user, name="市场监管局业务系统",
                                   kind="department", department=scjg)
    values["portal_token"] = portal.pk
    draft = plan_draft_create(
        user=office_user, filename="draft.txt",
        text="到2030年，产品质量监督抽查合格率达到98%以上，新增“品字标”企业5家。",
        meta=PlanMetadata(title="赣榆区质量强区“十五五”规划", doc_number="", issuer="",
                          issue_date=None, region=district, start_year=2026, end_year=2030,
                          base_year=2025),
    )
    values["draft_plan"] = draft.code
    values["proposal"] = draft.document.proposals.order_by("pk").first().pk  # type: ignore[union-attr]
    return World(users, {PORTAL: portal_key, DEPT_TOKEN: dept_key}, values)


# --- Sending and judging --------------------------------------------------------------------

LOGIN_WORDS = ("login", "otp")  # the password page, and the second-factor pages


def _to_login(location: str) -> bool:
    path = urlsplit(location).path
    if path == reverse("login"):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    name = f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)
    return any(word in name.lower() for word in LOGIN_WORDS)


def classify(response: HttpResponse) -> str:
    code = response.status_code
    if code >= 500:
        return "error"
    if code == 401:
        return "login"
    if 300 <= code < 400:
        return "login" if _to_login(response["Location"]) else "ok"
    return {403: "forbidden", 404: "not_found", 405: "not_allowed"}.get(
        code, "ok" if code < 300 else "invalid"
    )


def send(client: Client, method: str, url: str, body: dict[str, Any], *, api: bool) -> HttpResponse:
    """One request in a savepoint rolled back afterwards: no persona sees another's writes.

    ``response.audited_denial`` says whether the request left a ``denied`` AuditEvent (read
    inside the savepoint, before it is rolled back): every refusal must (issue 12)."""
    call = getattr(client, method.lower())
    with transaction.atomic():
        before = AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED).count()
        if api and method != "GET":
            response = call(url, data=json.dumps(body), content_type="application/json")
        elif method in ("GET", "POST"):
            response = call(url, data=body)
        else:
            response = call(url)
        response.audited_denial = (
            AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED).count() > before
        )
        transaction.set_rollback(True)
    # Closing fires request_finished, whose close_old_connections drops a connection found in
    # a transaction (the test's): on PostgreSQL every later query would fail. Django's test
    # client closes its responses the same way, with that receiver disconnected.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response


def judge(persona: str, response: HttpResponse, expected: str) -> str | None:
    """What is wrong with one persona's answer, if anything."""
    actual = classify(response)
    if actual not in MEETS[expected]:
        where = f" → {response['Location']}" if response.has_header("Location") else ""
        return (f"  {persona}: expected {expected}, got "
                f"{response.status_code} ({actual}){where}")
    # Denials are audited (issue 12): every 403, and every 404 hiding an object out of scope.
    if (actual == "forbidden" or (actual == "not_found" and expected == DENIED)) \
            and not response.audited_denial:  # type: ignore[attr-defined]
        return f"  {persona}: {response.status_code} left no 'denied' audit event"
    return None


def mismatches(world: World, method: str, url: str, expect: Expect, body: dict[str, Any],
               *, api: bool) -> list[str]:
    found = []
    for persona in PERSONAS:
        response = send(world.client(persona), method, url, body, api=api)
        problem = judge(persona, response, expect[persona])
        if problem:
            found.append(problem)
    return found


# --- The matrix, row by row -----------------------------------------------------------------


@pytest.mark.parametrize("row", PAGE_MATRIX, ids=lambda row: row.id)
def test_page(world, row):
    objects = PAGE_OBJECTS.get(row.name, {}) if row.objects is None else row.objects
    url = reverse(row.name, kwargs={param: world.values[key] for param, key in objects.items()})
    url += f"?{urlencode(row.query)}" if row.query else ""

    found = mismatches(world, row.method, url, row.expect, row.body, api=False)

    assert not found, f"{row.method} {url}:\n" + "\n".join(found)


@pytest.mark.parametrize("row", API_MATRIX, ids=lambda row: row.id)
def test_api(world, row):
    obj = row.obj or API_OBJECTS.get(row.path)
    url = row.path.replace("{id}", str(world.values[obj])) if obj else row.path
    url += f"?{row.query}" if row.query else ""

    found = mismatches(world, row.method, url, row.expect, row.body, api=True)

    assert not found, f"{row.method} {url}:\n" + "\n".join(found)


# --- Discovery: nothing undeclared ----------------------------------------------------------

FORMAT_SUFFIX = re.compile(r"\(\?P<format>|<drf_format_suffix:format>")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[
    tuple[str, str, URLPattern]
]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry, route, inner)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield route, name, entry


def _routes() -> list[tuple[str, str, URLPattern]]:
    """Every route but Django admin's and the format-suffix twins of the API's routes."""
    return [
        (route, name, entry) for route, name, entry in _walk(get_resolver())
        if not route.startswith("admin/") and not FORMAT_SUFFIX.search(route)
    ]


def _is_viewset(entry: URLPattern) -> bool:
    return hasattr(entry.callback, "actions")


def _router_operations() -> dict[str, set[str]]:
    operations = {}
    for route, _name, entry in _routes():
        if _is_viewset(entry):
            path = "/" + route.replace("^", "").replace("$", "")
            operations[re.sub(r"\(\?P<pk>[^)]*\)", "{id}", path)] = {
                method.upper() for method in entry.callback.actions if method.upper() in METHODS  # type: ignore[attr-defined]
            }
    return operations


def _schema_operations() -> dict[str, set[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {path: {m.upper() for m in ops if m.upper() in METHODS}
            for path, ops in schema["paths"].items()}


def test_every_page_is_declared():
    pages = [name for route, name, entry in _routes() if not _is_viewset(entry)]
    declared = {row.name for row in PAGE_MATRIX}

    assert all(pages), "a page without a URL name cannot be declared"
    assert len(pages) == len(set(pages)), "two pages share a URL name"
    assert set(pages) - declared == set(), "pages without a row in PAGE_MATRIX"
    assert declared - set(pages) == set(), "rows of PAGE_MATRIX for pages that do not exist"
    assert {row.name for row in PAGE_MATRIX if row.method == "GET"} == declared
    assert set(PAGE_OBJECTS) <= declared


def test_the_schema_documents_exactly_the_routers_operations():
    assert _schema_operations() == _router_operations()


def test_every_api_operation_is_declared():
    schema = _schema_operations()
    declared = {(row.path, row.method) for row in API_MATRIX}
    wanted = {(path, method) for path in schema for method in METHODS}

    assert wanted - declared == set(), "API operations without a row in API_MATRIX"
    assert {path for path, _m in declared} == set(schema), "rows for paths not in the schema"
    assert all(row.obj or row.path in API_OBJECTS for row in API_MATRIX if "{id}" in row.path)


def test_the_matrix_itself_keeps_the_separation_of_duties():
    """A guard on the declaration: loosening a row against AT-09 fails here, not silently."""
    rows = [(row.id, row.method, row.expect) for row in PAGE_MATRIX] + [
        (row.id, row.method, row.expect) for row in API_MATRIX
    ]
    session_only = ("logout ", "set_language ", "otp-verify ", "otp-setup ", "password-change ")
    for row_id, method, expect in rows:
        assert set(expect) == set(PERSONAS), row_id
        passes = {p for p, outcome in expect.items() if outcome in (OK, ALLOWED)}
        if method != "GET" and not row_id.startswith(session_only):
            assert not passes & {AUDITOR, ADMIN, PORTAL}, row_id  # 审计员, 系统管理员: no writes
            assert SECURITY not in passes or row_id.startswith("accounts:account-"), row_id
            assert REP_B not in passes or "_b" in row_id or row_id.startswith(
                ("indicators:entry ", "indicators:excel-upload ")), row_id  # A's objects
        if method == "DELETE":
            assert not passes, row_id  # nothing is ever deleted, figures least of all
        if row_id.startswith(("indicators:observation-approve", "indicators:observation-return")):
            assert passes <= {OFFICE}, row_id  # never the submitter
        if row_id.startswith("indicators:audit-"):
            assert passes <= {AUDITOR}, row_id
        if row_id.startswith("accounts:account-"):
            assert passes <= {SECURITY}, row_id


# --- Scope: lists and exports show only the persona's own ------------------------------------


def _text(response: HttpResponse) -> str:
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return content.decode("utf-8-sig")


def test_reporter_a_lists_and_pages_never_show_department_b(world):
    client = world.client(REP_A)
    mine = client.get(f"{API}/observations/", {"mine": "1", "page_size": 1000}).json()
    ids = {row["id"] for row in mine["results"]}
    csv = _text(client.get(f"{API}/observations/", {"mine": "1", "format": "csv"}))
    entry = _text(client.get(reverse("indicators:entry", kwargs={"period": "2025Q2"})))
    due = _text(client.get(reverse("indicators:due")))
    overdue = _text(client.get(reverse("indicators:overdue")))

    assert ids == {world.values[f"{s}_a"] for s in ("draft", "submitted", "approved")}
    assert NAME_A in csv
    assert NAME_A in entry
    for text in (csv, entry, due, overdue):
        assert NAME_B not in text
        assert "区工信局" not in text


def test_the_department_token_lists_only_its_department(world):
    mine = world.client(DEPT_TOKEN).get(f"{API}/observations/", {"mine": "1"}).json()

    assert {row["indicator"] for row in mine["results"]} == {RATE_A}


def test_the_public_feed_lists_approved_figures_only(world):
    for persona in (ANON, PORTAL, AUDITOR):
        rows = world.client(persona).get(f"{API}/observations/").json()["results"]
        assert {row["id"] for row in rows} == {
            world.values["approved_a"], world.values["approved_b"]
        }, persona


def test_the_three_administrators_have_no_figures_of_their_own(world):
    for persona in (AUDITOR, ADMIN, SECURITY):
        mine = world.client(persona).get(f"{API}/observations/", {"mine": "1"}).json()
        assert mine["results"] == [], persona


def test_office_and_leader_lists_and_exports_stay_in_their_region(world):
    office = world.client(OFFICE)
    approvals = _text(office.get(reverse("indicators:approvals")))
    export = _text(office.get(reverse("indicators:observation-export"), {"format": "csv"}))

    assert NAME_A in approvals
    assert NAME_B in approvals
    assert NAME_A in export
    for text in (approvals, export):
        assert NAME_ELSEWHERE not in text
    for persona in (OFFICE, LEADER):
        rows = world.client(persona).get(f"{API}/observations/", {"mine": "1"}).json()
        assert world.values["submitted_yc"] not in {r["id"] for r in rows["results"]}
        assert len(rows["results"]) == 6, persona


def test_reporter_b_cannot_slip_a_figure_of_a_into_its_own_form(world):
    rate_a = Indicator.objects.get(code=RATE_A)
    url = reverse("indicators:entry", kwargs={"period": "2025Q2"})

    world.client(REP_B).post(url, {f"value_{rate_a.pk}": "99", "submit": "1"})

    draft = Observation.objects.get(pk=world.values["draft_a"])
    assert (draft.status, draft.value) == (Observation.Status.DRAFT, Decimal("93.5"))


def test_bulk_approval_never_reaches_another_citys_figure(world):
    ids = [world.values["submitted_yc"], world.values["submitted_a"]]

    world.client(OFFICE).post(reverse("indicators:approvals"), {"action": "approve", "ids": ids})

    statuses = dict(Observation.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses[world.values["submitted_yc"]] == Observation.Status.SUBMITTED
    assert statuses[world.values["submitted_a"]] == Observation.Status.APPROVED


def test_who_submitted_a_figure_cannot_approve_it_even_holding_both_roles(world, district, scjg):
    """Four eyes: an account in both groups (a superuser can make one in Django admin) still
    needs someone else to approve what it submitted."""
    both = UserFactory.with_role("both", roles.REPORTER, district, scjg)
    both.groups.add(Group.objects.get(name=roles.OFFICE))
    figure = observation_save_draft(by=both, indicator=Indicator.objects.get(code=RATE_A),
                                    year=2025, quarter=2, value=Decimal("95"), state="")
    figure = observation_submit(observation=figure, by=both)
    client = Client(raise_request_exception=False)
    client.force_login(both)

    client.post(reverse("indicators:observation-approve", kwargs={"pk": figure.pk}))

    figure.refresh_from_db()
    assert figure.status == Observation.Status.SUBMITTED, "the submitter approved own figure"


# --- Django admin: superusers only ----------------------------------------------------------

ADMIN_PAGES = ["/admin/", "/admin/auth/user/", "/admin/auth/user/add/",
               "/admin/accounts/auditevent/", "/admin/indicators/observation/"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_django_admin_is_closed_to_every_persona(world, path):
    found = []
    for persona in PERSONAS:
        response = send(world.client(persona), "GET", path, {}, api=False)
        location = response.get("Location", "")
        to_admin_login = response.status_code == 302 and urlsplit(location).path == reverse(
            "admin:login")
        if not (to_admin_login or response.status_code == 403):
            found.append(f"  {persona}: {response.status_code} {location}")

    assert not found, f"GET {path}:\n" + "\n".join(found)


def test_every_role_group_of_the_design_is_a_persona():
    assert set(ROLE_OF.values()) == set(roles.ROLES)


# --- A second region: its office, leader and department token (issue 12) ---------------------

OFFICE_YC, LEADER_YC, TOKEN_YC = "office_yc", "leader_yc", "dept_token_yc"
YC = (OFFICE_YC, LEADER_YC, TOKEN_YC)


@pytest.fixture
def yancheng(world, other_city):
    """盐城市's office and leader, and a department token of its 市市场监管局 the office made."""
    from indicators.models import Department

    office = UserFactory.with_role("office_yc", roles.OFFICE, other_city)
    leader = UserFactory.with_role("leader_yc", roles.LEADER, other_city)
    department = Department.objects.get(pk=world.values["department_yc"])
    key = token_create(by=office, name="盐城市场监管系统", kind="department",
                       department=department)[1]
    clients = {}
    for persona, user in ((OFFICE_YC, office), (LEADER_YC, leader)):
        clients[persona] = Client(raise_request_exception=False)
        clients[persona].force_login(user)
    clients[TOKEN_YC] = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}")
    return clients


def yc(office: str, leader: str = "", token: str = LOGIN) -> Expect:
    return {OFFICE_YC: office, LEADER_YC: leader or office, TOKEN_YC: token}


#: (url name or API path, method, world objects, body, expected per 盐城 persona)
SECOND_REGION = [
    # 赣榆区's pages and objects: hidden (404, audited) or refused (403, audited)
    ("reports:plan-detail", "GET", {"code": "plan"}, {}, yc(DENIED)),
    ("reports:department-detail", "GET", {"pk": "department_a"}, {}, yc(DENIED)),
    ("reports:target-detail", "GET", {"pk": "target_a"}, {}, yc(DENIED)),
    ("reports:report-status", "GET", {"pk": "report"}, {}, yc(DENIED)),
    ("reports:report-download", "GET", {"pk": "report"}, {}, yc(DENIED)),
    ("indicators:observation-detail", "GET", {"pk": "submitted_a"}, {}, yc(DENIED)),
    ("indicators:observation-approve", "POST", {"pk": "submitted_a"}, {}, yc(DENIED)),
    ("indicators:observation-return", "POST", {"pk": "submitted_a"}, {"comment": "退回"},
     yc(DENIED)),
    ("indicators:observation-correct", "POST", {"pk": "approved_a"}, CORRECTION, yc(DENIED)),
    (FIGURE, "GET", {"id": "draft_a"}, {}, yc(DENIED, token=DENIED)),
    (FIGURE, "PATCH", {"id": "draft_a"}, {"value": "95.5"}, yc(DENIED, token=DENIED)),
    (f"{FIGURE}submit/", "POST", {"id": "draft_a"}, {}, yc(DENIED, token=DENIED)),
    (f"{API}/observations/", "POST", {}, NEW_FIGURE, yc(FORBIDDEN, token=FORBIDDEN)),
    # their own region: open to them (a control that the personas are real)
    ("reports:plan-detail", "GET", {"code": "plan_yc"}, {}, yc(OK)),
    ("indicators:observation-approve", "POST", {"pk": "submitted_yc"}, {},
     yc(ALLOWED, leader=FORBIDDEN)),
]


@pytest.mark.parametrize("row", SECOND_REGION, ids=lambda row: f"{row[1]} {row[0]} {row[2]}")
def test_second_region(world, yancheng, row):
    name, method, objects, body, expect = row
    api = name.startswith(API)
    if api:
        url = name.replace("{id}", str(world.values[objects["id"]])) if objects else name
    else:
        url = reverse(name, kwargs={key: world.values[obj] for key, obj in objects.items()})

    found = [problem for persona in YC if (problem := judge(
        persona, send(yancheng[persona], method, url, body, api=api), expect[persona]))]

    assert not found, f"{method} {url}:\n" + "\n".join(found)


def test_the_second_regions_lists_never_show_the_first(world, yancheng):
    ours = {world.values[f"{s}_{d}"] for s in ("draft", "submitted", "approved") for d in "ab"}
    for persona in YC:
        rows = yancheng[persona].get(f"{API}/observations/", {"mine": "1"}).json()["results"]
        assert not {row["id"] for row in rows} & ours, persona
    approvals = _text(yancheng[OFFICE_YC].get(reverse("indicators:approvals")))
    assert NAME_ELSEWHERE in approvals
    assert NAME_A not in approvals


# --- Bodies: ids of another scope in bulk approvals and report requests ----------------------


def test_bulk_approval_with_the_other_regions_ids_in_the_body_is_refused_and_audited(
    world, yancheng
):
    ids = [world.values["submitted_a"], world.values["submitted_b"]]

    answer = yancheng[OFFICE_YC].post(reverse("indicators:approvals"),
                                      {"action": "approve", "ids": ids}, follow=True)

    assert set(Observation.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Observation.Status.SUBMITTED}
    assert "有2条数据不在您的权限范围内，未处理。" in answer.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DENIED, username="office_yc")
    assert "批量操作包含权限范围外的数据" in event.detail


@pytest.mark.parametrize("field", ["region", "plan", "department"])
def test_a_report_request_naming_another_regions_object_is_refused(world, yancheng, field):
    from targets.models import Plan

    other = {"region": world.values["district"],
             "plan": Plan.objects.get(code=world.values["plan"]).pk,
             "department": world.values["department_a"]}[field]
    before = ReportRun.objects.count()

    answer = yancheng[OFFICE_YC].post(reverse("reports:report-create"),
                                      {"quarter": "2025Q2", "scope": field, field: other})

    assert answer.status_code in (400, 403, 404)
    assert ReportRun.objects.count() == before


# --- Token, then approve: four eyes compare people (issue 12 row 2) ---------------------------


def test_token_then_approve_is_refused(world):
    office = world.client(OFFICE)
    created = office.post(reverse("accounts:token-list"), {
        "name": "办公室自建令牌", "kind": "department", "department": world.values["department_a"],
    })
    key = re.search(r"qt_[0-9a-f]{8}_[\w-]+", created.content.decode())[0]
    token = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}")
    figure = token.post(f"{API}/observations/", data=json.dumps(
        {"indicator": RATE_A, "year": 2025, "quarter": 2, "value": "95.2"}),
        content_type="application/json")
    pk = world.values["draft_a"]
    assert figure.status_code == 200, figure.content  # A's 2025Q2 draft, edited by the token
    assert token.post(f"{API}/observations/{pk}/submit/").status_code == 200

    refused = office.post(reverse("indicators:observation-approve", kwargs={"pk": pk}))

    assert refused.status_code == 403
    assert Observation.objects.get(pk=pk).status == Observation.Status.SUBMITTED
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, username="office").exists()


def test_nobody_resets_their_own_second_factor(world):
    me = world.users[SECURITY]
    url = reverse("accounts:account-action", kwargs={"pk": me.pk, "action": "reset-otp"})

    answer = world.client(SECURITY).post(url, {"reason": "换手机"}, follow=True)

    assert "不能重置自己的动态口令" in answer.content.decode()
