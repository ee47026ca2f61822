"""Creating accounts (the 安全管理员's page, ``create_user`` and ``import_users``), and the
安全管理员's account actions.

A user gets exactly one role group and a Profile with a region (and, for a reporter, the
department it reports for, which must lie in that region). Passwords go through the
configured validators (length ≥ 8, three character classes …). Each creation is audited,
naming privileged roles (those that need the second factor) as such.

Issue 12 row 9 (docs/reliability.md): a password chosen by an administrator is known to two
people, so the account must replace it at its first login (``Profile.must_change_password``,
enforced by ``SecondFactorRequiredMiddleware`` before the second factor), and it gets no
authenticator: its owner enrols one after changing the password. Nobody resets their own
second factor.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from .. import roles
from ..audit import audit_record
from ..models import AuditEvent, Profile

#: Role names accepted on the command line besides the Chinese group names.
ROLE_ALIASES = {
    "office": roles.OFFICE,
    "reporter": roles.REPORTER,
    "leader": roles.LEADER,
    "auditor": roles.AUDITOR,
    "admin": roles.ADMIN,
    "security": roles.SECURITY,
}


def resolve_role(text: str) -> str:
    role = ROLE_ALIASES.get(text.strip().lower(), text.strip())
    if role not in roles.ROLES:
        raise ValidationError(
            _("角色“%(role)s”不存在，可选：%(choices)s。")
            % {"role": text, "choices": "、".join([*roles.ROLES, *ROLE_ALIASES])},
            code="role",
        )
    return role


@transaction.atomic
def user_create(  # type: ignore[no-untyped-def]
    *,
    username: str,
    role: str,
    region: Model,
    password: str,
    department: Model | None = None,
    email: str = "",
    full_name: str = "",
    by=None,
    must_change_password: bool | None = None,
    request=None,
):
    """Create one account with its role and profile. Raises ValidationError, writes nothing then.

    ``region`` and ``department`` are ``indicators``' Region and Department (``Profile``'s
    foreign keys). A password chosen by an administrator (``by`` given) must be changed at the
    first login unless ``must_change_password`` says otherwise.
    """
    username = _checked_username(username)
    role = resolve_role(role)
    _check_place(role=role, region=region, department=department)
    user = get_user_model()(username=username, email=email.strip(), first_name=full_name.strip())
    _check_password(password, user)
    user.set_password(password)
    user.save()
    roles.ensure_groups()
    user.groups.set([Group.objects.get(name=role)])
    if must_change_password is None:  # chosen by an administrator on the page: theirs too
        must_change_password = by is not None
    Profile.objects.create(  # type: ignore[misc]
        user=user, region=region, department=department,
        must_change_password=must_change_password,
    )
    _audit_creation(username=username, role=role, where=department or region, by=by,
                    request=request)
    return user


def _checked_username(username: str) -> str:
    """The stripped username: not empty, Django's characters, not taken."""
    username = username.strip()
    if not username:
        raise ValidationError(_("用户名不能为空。"), code="username")
    # Django's own rule for usernames (letters, digits and @ . + - _): no "<script>" and no
    # "=cmd|x" in an account name (docs/reliability.md, part B, row 13).
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError(
            _("用户名“%(username)s”无效：只能包含字母、数字和 @ . + - _ 字符。")
            % {"username": username},
            code="username",
        ) from None
    if get_user_model().objects.filter(username=username).exists():
        raise ValidationError(
            _("用户名“%(username)s”已存在。") % {"username": username}, code="duplicate"
        )
    return username


def _check_place(*, role: str, region: Model, department: Model | None) -> None:
    """A reporter names its department, and a department lies in the account's region."""
    if role == roles.REPORTER and department is None:
        raise ValidationError(_("部门填报员必须指定所属部门。"), code="department")
    if department is not None and department.region_id != region.pk:  # type: ignore[attr-defined]
        raise ValidationError(
            _("部门“%(department)s”不属于地区%(region)s。")
            % {"department": department.name, "region": region.name},  # type: ignore[attr-defined]
            code="department",
        )


def _check_password(password: str, user) -> None:  # type: ignore[no-untyped-def]
    """The configured validators (length, three character classes …), as one message."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError(
            _("密码不符合要求：%(reasons)s") % {"reasons": " ".join(error.messages)},
            code="password",
        ) from None


def _audit_creation(*, username: str, role: str, where: Model, by, request) -> None:  # type: ignore[no-untyped-def]
    """One ``user`` event; privileged roles (those needing the second factor) say so."""
    privileged = role in roles.SECOND_FACTOR_ROLES
    audit_record(
        kind=AuditEvent.Kind.USER,
        request=request,
        user=by,
        username=getattr(by, "username", "") or "manage.py",
        detail=(
            _("创建用户%(username)s（特权角色：%(role)s，%(where)s；须首次登录修改密码并自行绑定验证器）")
            if privileged else _("创建用户%(username)s（%(role)s，%(where)s）")
        ) % {"username": username, "role": role, "where": where},
    )


# --- The 安全管理员's account actions (each audited, with the reason given) -------------------


@transaction.atomic
def account_set_active(*, user, active: bool, reason: str, by, request=None) -> None:  # type: ignore[no-untyped-def]
    """Deactivate (the account can no longer sign in; its history stays) or reactivate."""
    if not reason.strip():
        raise ValidationError(_("原因：请填写原因。"), code="reason")
    if not active and by is not None and user.pk == by.pk:
        raise ValidationError(_("不能停用自己的账号。"), code="self")
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(kind=AuditEvent.Kind.USER, request=request, user=by, detail=(
        _("启用账号%(username)s：%(reason)s") if active else _("停用账号%(username)s：%(reason)s")
    ) % {"username": user.username, "reason": reason.strip()})


@transaction.atomic
def account_unlock(*, user, reason: str, by, request=None) -> int:  # type: ignore[no-untyped-def]
    """Lift a login lockout (django-axes) before its cool-off ends; failed attempts removed."""
    from axes.utils import reset

    if not reason.strip():
        raise ValidationError(_("原因：请填写原因。"), code="reason")
    removed = reset(username=user.username)
    audit_record(kind=AuditEvent.Kind.USER, request=request, user=by, detail=_(
        "解锁账号%(username)s（清除%(count)d条失败记录）：%(reason)s"
    ) % {"username": user.username, "count": removed, "reason": reason.strip()})
    return removed  # type: ignore[no-any-return]


def account_reset_second_factor(*, user, reason: str, by, request=None) -> int:  # type: ignore[no-untyped-def]
    """Remove the account's TOTP authenticators (a lost phone): it enrols anew at next login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not reason.strip():
        raise ValidationError(_("原因：请填写原因。"), code="reason")
    if by is not None and user.pk == by.pk:
        # Resetting one's own factor would let a stolen password enrol a new authenticator.
        audit_record(kind=AuditEvent.Kind.DENIED, request=request, user=by, detail=_(
            "拒绝：%(username)s试图重置自己的动态口令") % {"username": user.username})
        raise ValidationError(
            _("不能重置自己的动态口令，请由另一位安全管理员操作。"), code="self")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        audit_record(kind=AuditEvent.Kind.USER, request=request, user=by, detail=_(
            "重置账号%(username)s的动态口令（移除%(count)d个验证器）：%(reason)s"
        ) % {"username": user.username, "count": removed, "reason": reason.strip()})
    return removed  # type: ignore[no-any-return]
