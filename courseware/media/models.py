"""Uploads in progress (tus) and finished, validated media files."""
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import JSON, BigInteger, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow


class MediaStatus(StrEnum):
    """A video's processing state, stored as is (Indonesian, also the CSS class media-status-<value>)."""

    WAITING = "menunggu"
    PROCESSING = "diproses"
    READY = "siap"
    FAILED = "gagal"


WAITING, PROCESSING, READY, FAILED = MediaStatus.WAITING, MediaStatus.PROCESSING, MediaStatus.READY, MediaStatus.FAILED
STATUSES = tuple(MediaStatus)


def status_label(status: str | None) -> str:
    """The one wording of a video's state on every page and in the status JSON; None: no video yet.
    Templates call it as `video_status_label(...)`."""
    labels = {MediaStatus.WAITING: _("Menunggu diproses"), MediaStatus.PROCESSING: _("Sedang diproses"),
              MediaStatus.READY: _("Siap diputar"), MediaStatus.FAILED: _("Gagal diproses"), None: _("Belum ada video")}
    return labels.get(status, status)


class MediaFile(db.Model):
    """A complete upload that passed validation by content. Never exists half-written."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(40), index=True)
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    original_filename: Mapped[str] = mapped_column(String(200))
    original_key: Mapped[str] = mapped_column(String(255), unique=True)
    original_size: Mapped[int] = mapped_column(BigInteger)
    container: Mapped[str] = mapped_column(String(60))
    video_codec: Mapped[str] = mapped_column(String(30))
    audio_codec: Mapped[str | None] = mapped_column(String(30))
    duration: Mapped[float] = mapped_column(Float)
    width: Mapped[int]
    height: Mapped[int]
    rotation: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=WAITING, index=True)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=0)
    playback_key: Mapped[str | None] = mapped_column(String(255))
    playback_size: Mapped[int | None] = mapped_column(BigInteger)
    playback_width: Mapped[int | None]
    playback_height: Mapped[int | None]
    poster_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processing_started_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]

    owner = relationship("User", lazy="joined")

    @property
    def is_ready(self) -> bool:
        return self.status == READY and bool(self.playback_key)

    @property
    def duration_label(self) -> str:
        seconds = int(round(self.duration or 0))
        return f"{seconds // 60}:{seconds % 60:02d}"


class Upload(db.Model):
    """One tus upload: the bytes so far live in MEDIA_ROOT/uploads/<id>.part (or UPLOAD_WORK_DIR),
    or with S3 storage in a multipart upload (s3parts.py)."""

    __tablename__ = "media_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    metadata_raw: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # A PATCH in progress claims the upload until this time (a crashed request frees it later).
    locked_until: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    media_file_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id", ondelete="SET NULL"))
    # S3 storage only (s3parts.py): the multipart upload and its parts [[number, etag], ...].
    s3_upload_id: Mapped[str | None] = mapped_column(String(1024))
    s3_parts: Mapped[list | None] = mapped_column(JSON)

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
