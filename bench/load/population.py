"""The rush's population and its after-the-fact checks (Django ORM; import after setup).

The seed's departments lead too few open figures for 200 reporters (about 130 periods are
still open across its 21 leading departments), so the rush adds a synthetic province 压测省
with cities of ten departments each. Every department leads ``per_reporter`` annual targets
of seed indicators (numbers and rates; no milestones) in its city's 2021-2025 plan and has
one reporter, so each reporter's figures — its indicators × the years 2024 and 2025 — are
disjoint from everybody else's and "exactly once" can be checked per figure.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

PROVINCE_CODE = "990000"
PASSWORD = "Rush-Load-2026!"
YEARS = (2024, 2025)
DEPARTMENTS_PER_CITY = 10


@dataclass(frozen=True)
class Figure:
    indicator_id: int
    code: str
    region_id: int
    year: int
    quarter: int | None
    value: str  # as entered, with 4 decimals (the stored precision)
    via: str  # "form" or "api"

    def key(self) -> tuple[int, int, int, int | None]:
        return (self.indicator_id, self.region_id, self.year, self.quarter)


def _value(indicator: Any, seed: int) -> Decimal:
    """A plausible in-bounds figure: 80-99 for rates and 0-100 scores, 1-40 for counts."""
    upper = indicator.upper_bound
    if indicator.is_rate or (upper is not None and upper <= 100):
        return Decimal(80 + seed % 19) + Decimal("0.25")
    return Decimal(1 + seed % 40)


def populate(*, reporters: int, approvers: int, per_reporter: int) -> dict[str, Any]:
    """Create the province, cities, plans, targets and accounts; return the manifest."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import roles
    from accounts.models import Profile
    from indicators.models import Department, Indicator, Region
    from targets.models import Plan, Target

    user_model = get_user_model()
    pool = list(
        Indicator.objects.filter(frequency="annual").exclude(measure="milestone").order_by("pk")
    )
    per_city = DEPARTMENTS_PER_CITY * per_reporter
    if len(pool) < per_city:
        raise SystemExit(f"need {per_city} annual numeric indicators in the seed, have {len(pool)}")
    cities = math.ceil(reporters / DEPARTMENTS_PER_CITY)
    password = make_password(PASSWORD)  # hashed once: 200 hashes would take a minute
    manifest: dict[str, Any] = {"password": PASSWORD, "reporters": [], "approvers": []}
    with transaction.atomic():
        roles.ensure_groups()
        reporter_group = Group.objects.get(name=roles.REPORTER)
        office_group = Group.objects.get(name=roles.OFFICE)
        nation = Region.objects.get(code="100000")
        province = Region.objects.create(
            code=PROVINCE_CODE, name="压测省", level=Region.Level.PROVINCE, parent=nation
        )
        index = 0
        for c in range(1, cities + 1):
            city = Region.objects.create(
                code=f"99{c:04d}", name=f"压测市{c:03d}", level=Region.Level.CITY, parent=province
            )
            plan = Plan.objects.create(
                code=f"rush-{c:03d}",
                region=city,
                title=f"压测市{c:03d}质量强市实施方案",
                start_year=2021,
                end_year=2025,
                base_year=2020,
                status="in_force",
            )
            for d in range(DEPARTMENTS_PER_CITY):
                if index >= reporters:
                    break
                department = Department.objects.create(region=city, name=f"压测部门{d + 1:02d}")
                mine = pool[d * per_reporter : (d + 1) * per_reporter]
                for j, indicator in enumerate(mine):
                    flow = indicator.measure == "flow"
                    target = Target.objects.create(
                        plan=plan,
                        code=f"R{d + 1:02d}-{j + 1:02d}",
                        indicator=indicator,
                        kind="cumulative_new" if flow else "level",
                        comparator="le" if indicator.direction == "lower" else "ge",
                        value=_value(indicator, 7) + (40 if flow else 0),
                        deadline_year=2025,
                        source_quote="压测数据（合成）",
                    )
                    target.lead_departments.set([department])
                username = f"rush_r{index + 1:03d}"
                user = user_model.objects.create(username=username, password=password)
                user.groups.set([reporter_group])
                Profile.objects.create(user=user, region=city, department=department)
                figures = [
                    Figure(
                        indicator.pk,
                        indicator.code,
                        city.pk,
                        year,
                        None,
                        f"{_value(indicator, index * 31 + j * 7 + year):.4f}",
                        "form" if (j + k) % 2 == 0 else "api",
                    ).__dict__
                    for k, year in enumerate(YEARS)
                    for j, indicator in enumerate(mine)
                ]
                manifest["reporters"].append({"username": username, "figures": figures})
                index += 1
        for a in range(approvers):
            username = f"rush_a{a + 1:02d}"
            user = user_model.objects.create(username=username, password=password)
            user.groups.set([office_group])
            Profile.objects.create(user=user, region=province)
            # The office gives a second factor after its password: the approver's
            # authenticator is the key in the manifest (locustfile computes the codes).
            device = TOTPDevice.objects.create(user=user, name="压测验证器", confirmed=True)
            manifest["approvers"].append(
                {"username": username, "slot": a, "of": approvers, "totp_key": device.key}
            )
    return manifest


def outbox_pending() -> int:
    from targets.models import RecomputeRequest

    return RecomputeRequest.objects.filter(done_at__isnull=True).count()


def check(
    *, manifest: dict[str, Any], acks: list[dict[str, Any]], approvals: list[int]
) -> dict[str, Any]:
    """Compare the database with what the clients were told; return figures and problems."""
    from indicators.models import Observation, ObservationChange, Region
    from targets.models import Progress

    problems: list[str] = []
    planned = {Figure(**f).key(): f["value"] for r in manifest["reporters"] for f in r["figures"]}
    acked: dict[tuple, str] = {}
    for ack in acks:
        key = (ack["indicator_id"], ack["region_id"], ack["year"], ack["quarter"])
        if key in acked:
            problems.append(f"figure {key} acknowledged twice")
        acked[key] = ack["value"]
    regions = Region.objects.get(code=PROVINCE_CODE).descendant_ids()
    rows = list(
        Observation.objects.filter(region_id__in=regions).values_list(
            "pk", "indicator_id", "region_id", "year", "quarter", "value", "status"
        )
    )
    counts = Counter((r[1], r[2], r[3], r[4]) for r in rows)
    duplicates = [k for k, n in counts.items() if n > 1]
    if duplicates:
        problems.append(f"{len(duplicates)} figures stored more than once: {duplicates[:5]}")
    reported = {"submitted", "approved"}
    stored = {(r[1], r[2], r[3], r[4]): f"{r[5]:.4f}" for r in rows if r[6] in reported}
    drafts = [r for r in rows if r[6] not in reported]
    if drafts:
        problems.append(f"{len(drafts)} figures left unsubmitted (draft/returned)")
    missing = set(acked) - set(stored)
    extra = set(stored) - set(acked)
    wrong = [k for k in set(acked) & set(stored) if acked[k] != stored[k]]
    if missing:
        problems.append(
            f"{len(missing)} acknowledged figures not in the database: {sorted(missing)[:5]}"
        )
    if extra:
        problems.append(
            f"{len(extra)} figures in the database never acknowledged: {sorted(extra)[:5]}"
        )
    if wrong:
        problems.append(f"{len(wrong)} figures stored with another value: {wrong[:5]}")
    not_done = set(planned) - set(acked)
    if not_done:
        problems.append(f"{len(not_done)} of {len(planned)} planned figures never submitted")
    ids = [r[0] for r in rows]
    with_submit = set(
        ObservationChange.objects.filter(observation_id__in=ids, action="submit").values_list(
            "observation_id", flat=True
        )
    )
    change_rows = ObservationChange.objects.filter(observation_id__in=ids).count()
    no_audit = [pk for pk in ids if pk not in with_submit]
    if no_audit:
        problems.append(f"{len(no_audit)} figures without a submit history row")
    approved_ids = {r[0] for r in rows if r[6] == "approved"}
    if set(approvals) != approved_ids:
        problems.append(
            f"approvals acknowledged {len(set(approvals))} vs approved in the database "
            f"{len(approved_ids)}"
        )
    approve_rows = ObservationChange.objects.filter(
        observation_id__in=ids, action="approve"
    ).count()
    if approve_rows != len(approved_ids):
        problems.append(f"{approve_rows} approval history rows for {len(approved_ids)} approvals")
    pending = outbox_pending()
    if pending:
        problems.append(f"{pending} recompute requests still pending in the outbox")
    progress_rows = Progress.objects.filter(target__plan__region_id__in=regions).count()
    if approved_ids and not progress_rows:
        problems.append("approved figures but no Progress rows: the worker did not recompute")
    return {
        "figures_planned": len(planned),
        "figures_acknowledged": len(acked),
        "figures_in_db": len(stored),
        "duplicates": len(duplicates),
        "history_rows": change_rows,
        "approvals_acknowledged": len(set(approvals)),
        "approved_in_db": len(approved_ids),
        "progress_rows": progress_rows,
        "outbox_pending": pending,
        "problems": problems,
    }
