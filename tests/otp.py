"""Test helpers for the second login factor (django-otp TOTP).

``verify_session`` does for a test client what entering the code does: it gives the user a
confirmed device (created once) and stores the device in the session the way
``django_otp.login`` does. ``code`` computes a device's 6-digit code at a given time.
"""

from __future__ import annotations

import time
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def device_for(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def verify_session(client: Any, user: Any) -> TOTPDevice:
    device = device_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the user's authenticator shows at ``at`` (now, by default; time-machine aware)."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{device.digits}d}"
