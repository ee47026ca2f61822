"""Identity and security: whom a user acts for, API tokens, and the append-only audit log."""

from .audit import AppendOnlyQuerySet, AuditChainHead, AuditEvent, ChainedAuditRecord
from .profiles import Profile, place_model
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "AppendOnlyQuerySet",
    "AuditChainHead",
    "AuditEvent",
    "ChainedAuditRecord",
    "Profile",
    "place_model",
]
