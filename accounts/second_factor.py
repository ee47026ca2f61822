"""The second login factor (MLPS 2.0 level 3 双因素认证): who needs it, enrolment, verification.

Accounts holding a role of ``roles.SECOND_FACTOR_ROLES`` (office, system admin, security admin,
auditor) and superusers must, after their password, give the 6-digit code of a TOTP
authenticator app before they see anything (``SecondFactorRequiredMiddleware``). django-otp
keeps the devices (``TOTPDevice``) and marks the session verified (``django_otp.login``); its
per-device throttling makes each failed code double the wait before the next try (1, 2, 4 …
seconds). A user without a confirmed device enrols on first login; adding a second device, or
a new one after losing the phone, needs the 安全管理员 to reset the old one first, so a stolen
password alone never binds an attacker's authenticator to an account that already has one.

Successes, failures and enrolments go to the audit log (``audit_record``) under the existing
kinds — login, login_failed, user — with the detail naming the second factor.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from typing import Any

import django_otp
import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .audit import audit_record
from .models import AuditEvent

DEVICE_NAME = "身份验证器"
DEMO_DEVICE_NAME = "演示验证器"


def second_factor_required(user: Any) -> bool:
    """True for an authenticated superuser or holder of a role in SECOND_FACTOR_ROLES."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(roles.has_role(user, role) for role in roles.SECOND_FACTOR_ROLES)


def must_change_password(user: Any) -> bool:
    """True while a signed-in user still has the password an administrator chose (issue 12)."""
    if not getattr(user, "is_authenticated", False):
        return False
    profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
    return bool(profile is not None and profile.must_change_password)


def second_factor_pending(user: Any) -> bool:
    """True while a user who needs the second factor has not given it in this session."""
    if not second_factor_required(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def enrolment_device(*, user: Any) -> TOTPDevice:
    """The user's unconfirmed device, created on first call (a reload keeps the same secret)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps want it typed: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (segno: pure Python, nothing fetched)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, light="#fff", title=_("动态口令二维码"),
    )


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""


def _refused(device: TOTPDevice) -> Outcome | None:
    """The throttling answer, if django-otp makes this device wait before the next try."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (data or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    return Outcome(False, _("动态口令：尝试过于频繁，请%(seconds)s秒后再试。")
                   % {"seconds": seconds})


WRONG_CODE = gettext_noop("动态口令：口令不正确或已过期，请输入验证器上当前显示的6位数字。")


def totp_verify(*, request: HttpRequest, device: TOTPDevice, token: str) -> Outcome:
    """Check the code of the user's confirmed device; on success mark the session verified.

    Throttled and wrong codes are refused and audited (login_failed); django-otp's
    ``verify_token`` locks the device row, so two concurrent tries cannot both pass, and a
    code once accepted is not accepted again.
    """
    user = request.user
    refused = _refused(device)
    if refused is not None:
        audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, request=request, user=user,
                     detail=_("动态口令尝试过于频繁，已拒绝"))
        return refused
    verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is None:
        audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, request=request, user=user,
                     detail=_("动态口令错误"))
        return Outcome(False, _(WRONG_CODE))
    django_otp.login(request, verified)
    # A new session key once the second factor passes: a key seen before it (fixation) is
    # worth nothing after (docs/reliability.md, part B, row 13).
    request.session.cycle_key()
    audit_record(kind=AuditEvent.Kind.LOGIN, request=request, user=user,
                 detail=_("动态口令验证通过"))
    return Outcome(True)


def totp_enrolment_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> Outcome:
    """Confirm the unconfirmed device with its first code; the session is then verified.

    Atomic: the device row is locked while the code is checked, and it becomes confirmed only
    with a right code; a wrong code leaves it unconfirmed (and counts for the throttling).
    """
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(
            pk=device.pk, user_id=user.pk, confirmed=False
        )
        refused = _refused(device)
        if refused is None and not device.verify_token(token):
            refused = Outcome(False, _(WRONG_CODE))
        if refused is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    if refused is not None:
        audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, request=request, user=user,
                     detail=_("绑定动态口令验证器：口令错误或尝试过于频繁"))
        return refused
    django_otp.login(request, device)
    request.session.cycle_key()  # as in totp_verify
    audit_record(kind=AuditEvent.Kind.USER, request=request, user=user,
                 detail=_("%(username)s绑定动态口令验证器并验证通过")
                 % {"username": user.get_username()})
    return Outcome(True)


def current_code(device: TOTPDevice, now: float | None = None) -> tuple[str, int, bool]:
    """The device's code at ``now``: (code, seconds it stays current, already used?)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if now is None else now
    remaining = device.step - int(totp.time - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", remaining, totp.t() <= device.last_t


# --- Demo accounts ------------------------------------------------------------------------------


def demo_key(username: str) -> str:
    """A fixed, public demo secret (hex) for ``username``; its base32 form starts with DEMO.

    Derived from the username only, so anyone can compute it: for demo accounts, never for
    real ones.
    """
    digest = hashlib.sha256(f"qualitytrack-demo-totp:{username}".encode()).digest()
    return base64.b32decode("DEMO" + base64.b32encode(digest).decode()[:28]).hex()


@transaction.atomic
def demo_device_reset(*, user: Any) -> TOTPDevice:
    """Give a demo account exactly one confirmed device with its demo secret (idempotent)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user, name=DEMO_DEVICE_NAME, key=demo_key(user.get_username()), confirmed=True
    )
