"""Per-trainee limits: how many versions a trainee may make per practical, and how many bytes
of video they may keep (originals, playback copies, and uploads in progress).

Settings: MEDIA_MAX_VERSIONS (per practical) and MEDIA_MAX_BYTES_PER_USER. Zero turns a limit off.
Staff (teacher, assessor, admin) are not limited.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from .models import MediaFile, Upload


def size_label(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size < 1024**3 else f"{size / 1024**3:.1f} GB"


def stored_bytes(user_id: int) -> int:
    """Bytes the user keeps now: finished files (original + playback) and open uploads (declared)."""
    files = db.session.scalar(select(func.coalesce(
        func.sum(MediaFile.original_size + func.coalesce(MediaFile.playback_size, 0)), 0))
        .where(MediaFile.owner_id == user_id)) or 0
    pending = db.session.scalar(select(func.coalesce(func.sum(Upload.length), 0)).where(
        Upload.owner_id == user_id, Upload.completed_at.is_(None), Upload.expires_at > utcnow())) or 0
    return int(files) + int(pending)


def check_upload_bytes(user, length: int) -> None:
    """Refuse (413) an upload that would take the trainee past their storage limit."""
    limit = int(current_app.config.get("MEDIA_MAX_BYTES_PER_USER") or 0)
    if not limit or user.has_role("teacher", "assessor", "admin"):
        return
    used = stored_bytes(user.id)
    if used + length > limit:
        raise ServiceError(_("Ruang video Anda tidak cukup: terpakai %(used)s dari %(limit)s, berkas ini "
                             "%(size)s. Minta guru menghapus video lama yang tidak dipakai.",
                             used=size_label(used), limit=size_label(limit), size=size_label(length)), 413)


def check_new_version(user, versions_so_far: int) -> None:
    """Refuse (409) one more version when the trainee already has the maximum for this practical."""
    limit = int(current_app.config.get("MEDIA_MAX_VERSIONS") or 0)
    if limit and versions_so_far >= limit:
        raise ServiceError(_("Batas %(n)d versi untuk praktik ini sudah tercapai. Hubungi guru Anda.", n=limit),
                           409)
