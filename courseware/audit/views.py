from flask import Blueprint, render_template, request
from sqlalchemy import select

from ..auth import admin_required
from ..extensions import db
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PAGE_SIZE = 100


@admin_required
def index():
    page = max(request.args.get("hal", 1, type=int), 1)
    action = (request.args.get("aksi") or "").strip()
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    events = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render_template("audit/index.html", events=events[:PAGE_SIZE], page=page,
                           has_next=len(events) > PAGE_SIZE, action=action)


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/", view_func=index)
