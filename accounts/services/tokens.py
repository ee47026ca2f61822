"""API token writes: create (the key is returned once), revoke, authenticate, touch.

The office (领导小组办公室) manages tokens (docs/roles.md), through the page or the
``api_token`` management command; the command passes ``by=None`` (the server's operator).
A department token gets its own service account in 部门填报员 of that department, so the
indicators services see an ordinary reporter and apply the same rules as the forms.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import roles
from ..audit import audit_record
from ..models import ApiToken, AuditEvent, Profile
from ..permissions import has_any_role, visible_region_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

KEY_PREFIX = "qt"
#: last_used_at is written at most this often per token (one UPDATE, not one per request).
TOUCH_EVERY = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_can_manage(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (
        user.is_superuser or has_any_role(user, [roles.OFFICE])  # type: ignore[attr-defined]
    ))


def tokens_visible_to(user: AbstractBaseUser | AnonymousUser):  # type: ignore[no-untyped-def]
    """Portal tokens and the department tokens of the user's regions, newest first."""
    tokens = ApiToken.objects.select_related(
        "department", "department__region", "created_by", "accountable"
    )
    if not token_can_manage(user):
        return tokens.none()
    region_ids = visible_region_ids(user)
    if region_ids is None:
        return tokens
    return tokens.filter(
        kind=ApiToken.Kind.PORTAL
    ) | tokens.filter(department__region_id__in=region_ids)


@transaction.atomic
def token_create(
    *,
    by: AbstractBaseUser | None,
    name: str,
    kind: str,
    department: Model | None = None,
    throttle_rate: str = "",
    accountable: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is stored only as a digest.

    Atomic: the token, and for a department token its service account, exist together. A
    department token acts for its department *and* an accountable person: ``accountable``, or
    else its creator. Four eyes treat what the token writes as that person's own, so whoever
    creates a token cannot approve the figures it submits (docs/reliability.md, issue 12).
    The creation is audited (kind ``token``); the key never is. ``department`` is an
    ``indicators.Department`` (``ApiToken``'s foreign key).
    """
    _check_may_create(by, department)
    name = name.strip()
    department = _checked_kind(kind, name, department)
    if throttle_rate:
        _check_rate(throttle_rate)
    accountable = _accountable_person(accountable, department=department, by=by)
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(  # type: ignore[misc]
        name=name, kind=kind, department=department, prefix=prefix, key_hash=_digest(key),
        throttle_rate=throttle_rate, created_by=by, accountable=accountable,
    )
    if department is not None:
        token.user = _service_account(token, department)
        token.save(update_fields=["user"])
    _audit_creation(token, by=by, accountable=accountable, request=request)
    return token, key


def _check_may_create(by: AbstractBaseUser | None, department: Model | None) -> None:
    """The office only (``by=None`` is the server's operator), and in its own regions."""
    if by is None:
        return
    if not token_can_manage(by):
        raise PermissionDenied(_("无权管理 API 令牌：仅领导小组办公室可以创建或吊销令牌。"))
    region_ids = visible_region_ids(by)
    if department is not None and region_ids is not None and (
        department.region_id not in region_ids  # type: ignore[attr-defined]
    ):
        raise PermissionDenied(_("无权为本地区以外的部门创建令牌。"))


def _checked_kind(kind: str, name: str, department: Model | None) -> Model | None:
    """A name, a known kind, and a department exactly for a department token (returned)."""
    if not name:
        raise ValidationError({"name": ValidationError(_("请填写令牌名称。"), code="required")})
    if kind == ApiToken.Kind.DEPARTMENT and department is None:
        raise ValidationError(
            {"department": ValidationError(_("部门令牌须指定部门。"), code="required")}
        )
    if kind == ApiToken.Kind.PORTAL:
        return None
    if kind != ApiToken.Kind.DEPARTMENT:
        raise ValidationError({"kind": ValidationError(_("令牌类型不正确。"), code="invalid")})
    return department


def _accountable_person(
    accountable: AbstractBaseUser | None, *, department: Model | None,
    by: AbstractBaseUser | None,
) -> AbstractBaseUser | None:
    """Who answers for a department token's writes: a named active person, else its creator;
    a portal token writes nothing, so nobody."""
    if accountable is not None and (
        not accountable.is_active or hasattr(accountable, "api_token")
    ):
        raise ValidationError({"accountable": ValidationError(
            _("责任人须为在用的个人账号。"), code="invalid")})
    if department is None:
        return None
    return accountable if accountable is not None else by


def _audit_creation(
    token: ApiToken, *, by: AbstractBaseUser | None, accountable: AbstractBaseUser | None,
    request: HttpRequest | None,
) -> None:
    department = token.department
    audit_record(
        kind=AuditEvent.Kind.TOKEN, request=request, user=by,
        username=getattr(by, "username", "") or "manage.py",
        detail=_("创建API令牌%(name)s（%(prefix)s，%(kind)s%(where)s，责任人：%(person)s）") % {
            "name": token.name, "prefix": token.prefix, "kind": token.get_kind_display(),
            "where": f"，{department}" if department else "",
            "person": getattr(accountable, "username", "") or "—",
        },
    )


def _check_rate(rate: str) -> None:
    try:
        number, period = rate.split("/")
        if int(number) < 1 or period[0] not in "smhd":
            raise ValueError
    except (ValueError, IndexError):
        raise ValidationError(
            {"throttle_rate": ValidationError(
                _("限流格式不正确，应为如 600/min 的形式。"), code="invalid")}
        ) from None


def _service_account(token: ApiToken, department: Model):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create(
        username=f"api-token-{token.prefix}",
        first_name=str(_("API令牌：%(name)s") % {"name": token.name})[:150],
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=roles.REPORTER)[0])
    Profile.objects.create(user=user, region=department.region, department=department)  # type: ignore[attr-defined,misc]
    return user


@transaction.atomic
def token_revoke(
    *, token: ApiToken, by: AbstractBaseUser | None, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke a token at once (idempotent); its service account can no longer act. Audited."""
    if by is not None and not tokens_visible_to(by).filter(pk=token.pk).exists():
        raise PermissionDenied(_("无权吊销该令牌。"))
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    )
    if revoked:
        audit_record(
            kind=AuditEvent.Kind.TOKEN, request=request, user=by,
            username=getattr(by, "username", "") or "manage.py",
            detail=_("吊销API令牌%(name)s（%(prefix)s）") % {
                "name": token.name, "prefix": token.prefix},
        )
    if token.user_id:
        get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
    token.refresh_from_db()
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """The active token whose key this is, or None. Constant-time comparison of digests."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related(
            "user__profile__region", "user__profile__department", "department"
        )
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _digest(key)):
        return None
    if token.user is not None and not token.user.is_active:
        return None
    return token


def token_touch(token: ApiToken) -> None:
    """Record the last use, writing at most once a minute per token."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
