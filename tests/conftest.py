"""Shared fixtures: a small region tree, departments, and the personas of the tests.

Personas: ``office_user`` (领导小组办公室 of 赣榆区's city), ``scjg_user`` (reporter of
区市场监管局), ``gxj_user`` (reporter of 区工信局, must not see 市场监管 data), ``leader_user``
(read-only) and ``auditor_user``.

``client.force_login(user)`` stands for a complete login: for a user who needs the second
factor (office, admin, security admin, auditor, superuser) it also marks the session verified
the way django-otp does, so page tests need not enter TOTP codes. tests/security/
test_second_factor.py logs in through the real forms instead.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db.backends.signals import connection_created

from accounts import roles
from tests.factories import DepartmentFactory, RegionFactory, UserFactory


def _tests_may_flush(sender, connection, **kwargs):
    """Django empties the database between transactional tests with TRUNCATE, which the audit
    tables refuse on PostgreSQL (migration 0005) unless the session allows it: the test
    process's connections do; tests/security/test_audit_chain.py turns it off to see it refuse."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET qualitytrack.allow_truncate = 'on'")


connection_created.connect(_tests_may_flush)


@pytest.fixture(autouse=True)
def _fast_and_local(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = django_settings.BASE_DIR / ".pytest_media"


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    from django.test.client import ClientMixin

    from tests.otp import verify_session

    force_login = ClientMixin.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        # Asked of the database, not roles.has_role: that would cache the groups on ``user``.
        if user.is_superuser or user.groups.filter(name__in=roles.SECOND_FACTOR_ROLES).exists():
            verify_session(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login_verified)


@pytest.fixture
def province(db):
    return RegionFactory(code="320000", name="江苏省", level="province")


@pytest.fixture
def city(province):
    return RegionFactory(code="320700", name="连云港市", level="city", parent=province)


@pytest.fixture
def district(city):
    return RegionFactory(code="320707", name="赣榆区", level="district", parent=city)


@pytest.fixture
def other_city(province):
    return RegionFactory(code="320900", name="盐城市", level="city", parent=province)


@pytest.fixture
def scjg(district):
    return DepartmentFactory(region=district, name="区市场监管局")


@pytest.fixture
def gxj(district):
    return DepartmentFactory(region=district, name="区工信局")


@pytest.fixture
def office_user(district):
    return UserFactory.with_role("office", roles.OFFICE, district)


@pytest.fixture
def leader_user(district):
    return UserFactory.with_role("leader", roles.LEADER, district)


@pytest.fixture
def auditor_user(district):
    return UserFactory.with_role("auditor", roles.AUDITOR, district)


@pytest.fixture
def security_user(district):
    return UserFactory.with_role("security", roles.SECURITY, district)


@pytest.fixture
def sysadmin_user(district):
    return UserFactory.with_role("sysadmin", roles.ADMIN, district)


@pytest.fixture
def scjg_user(district, scjg):
    return UserFactory.with_role("scjg", roles.REPORTER, district, scjg)


@pytest.fixture
def gxj_user(district, gxj):
    return UserFactory.with_role("gxj", roles.REPORTER, district, gxj)


@pytest.fixture(autouse=True)
def _eager_celery_unless_integration(request):
    """Unit tests run tasks in-process; only ``integration`` tests use the real worker.

    Test transactions never commit, so a real worker could not see their data anyway.
    """
    from qualitytrack.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
