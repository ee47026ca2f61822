"""A region or department from what a command line or CSV names (``create_user``,
``import_users``): a code or a name, with a Chinese error naming what was not found."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Department, Region


def resolve_region(text: str) -> Region:
    region = (
        Region.objects.filter(code=text.strip()).first()
        or Region.objects.filter(name=text.strip()).first()
    )
    if region is None:
        raise ValidationError(
            _("地区“%(region)s”不存在（可填区划代码或名称）。") % {"region": text}, code="region"
        )
    return region


def resolve_department(text: str, region: Region) -> Department | None:
    if not text.strip():
        return None
    department = Department.objects.filter(region=region, name=text.strip()).first()
    if department is None:
        raise ValidationError(
            _("%(region)s没有名为“%(name)s”的部门。") % {"region": region.name, "name": text},
            code="department",
        )
    return department
