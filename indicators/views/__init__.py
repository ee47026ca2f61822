"""Data-entry pages (thin): authenticate, authorise, parse, call a service or selector, render.

Access rules live in ``permissions`` and the services; a PermissionDenied becomes a 403 page
(and an audit event, see ``audit.AuditDeniedMiddleware``). Split by audience: ``entry``
(reporters), ``review`` (a figure's page, the office's approvals and completeness) and
``audit`` (the 审计员) and ``accounts`` (the 安全管理员).
"""

from .audit import audit_export, audit_log
from .entry import (
    due,
    entry,
    excel_template,
    excel_upload,
    import_detail,
    import_status,
    overdue,
)
from .review import (
    approvals,
    completeness,
    observation_approve_view,
    observation_correct_view,
    observation_detail,
    observation_export,
    observation_return_view,
    observation_submit_view,
)

__all__ = [
    "approvals",
    "audit_export",
    "audit_log",
    "completeness",
    "due",
    "entry",
    "excel_template",
    "excel_upload",
    "import_detail",
    "import_status",
    "observation_approve_view",
    "observation_correct_view",
    "observation_detail",
    "observation_export",
    "observation_return_view",
    "observation_submit_view",
    "overdue",
]
