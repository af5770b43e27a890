"""The audit log: one function writes to it, nothing updates or deletes it."""
from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent


def record(action: str, actor=None, target: str | None = None, detail: dict | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it describes)."""
    address = request.remote_addr if has_request_context() else None
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        target=target,
        address=address,
        detail=detail,
    )
    db.session.add(event)
    return event
