"""Practicals LIK_1 and LIK_2: the shipped sheets, their checklist points, and trainees' submissions.

Sheets and points are loaded from checklists/*.yml by an idempotent sync keyed on stable ids
(the code "LIK_1", the point uid "1.1-a"). A point dropped from a sheet is retired, never
deleted, because judgements refer to it. A submission keeps every version; a version is never
overwritten once its video is attached.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

from ..media.models import MediaFile


class Practical(db.Model):
    """One Lembar Instruksi Kerja (LIK_1 for element 1, LIK_2 for element 2)."""

    __tablename__ = "practicals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    unit_code: Mapped[str] = mapped_column(String(20))
    unit_title: Mapped[str] = mapped_column(String(200))
    element: Mapped[int] = mapped_column(Integer, index=True)
    element_title: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(Text)
    trainee_role: Mapped[str] = mapped_column(String(80))
    partner_role: Mapped[str] = mapped_column(String(80))
    instructions: Mapped[list] = mapped_column(JSON, default=list)
    tools: Mapped[list] = mapped_column(JSON, default=list)
    materials: Mapped[list] = mapped_column(JSON, default=list)
    k3: Mapped[list] = mapped_column(JSON, default=list)
    # The attitudes the unit names (komunikatif, responsif): [{id, name, indicator}], each marked K/BK.
    attitudes: Mapped[list] = mapped_column(JSON, default=list)
    performance_standard: Mapped[str] = mapped_column(Text)
    time_minutes: Mapped[int] = mapped_column(Integer)
    time_note: Mapped[str] = mapped_column(Text, default="")
    # For teachers and assessors only; trainees see only what they must do.
    staff_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    source_file: Mapped[str] = mapped_column(String(120), default="")
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    points: Mapped[list["ChecklistPoint"]] = relationship(
        back_populates="practical", order_by="ChecklistPoint.order", lazy="selectin")

    @property
    def active_points(self) -> list["ChecklistPoint"]:
        return [p for p in self.points if not p.retired]

    @property
    def critical_points(self) -> list["ChecklistPoint"]:
        return [p for p in self.active_points if p.critical]


class ChecklistPoint(db.Model):
    """A K/BK point of a checklist; `uid` ("2.1-a") is stable across syncs."""

    __tablename__ = "checklist_points"
    __table_args__ = (UniqueConstraint("practical_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practical_id: Mapped[int] = mapped_column(ForeignKey("practicals.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(20))
    order: Mapped[int] = mapped_column(Integer, default=0)
    kuk: Mapped[str] = mapped_column(String(5), index=True)
    task: Mapped[str] = mapped_column(Text)
    check: Mapped[str] = mapped_column(Text)
    benchmark: Mapped[str] = mapped_column(Text)
    # Oral follow-up questions for the assessor when the video leaves the point unclear.
    follow_up: Mapped[list] = mapped_column(JSON, default=list)
    critical: Mapped[bool] = mapped_column(default=False)
    retired: Mapped[bool] = mapped_column(default=False, index=True)

    practical: Mapped[Practical] = relationship(back_populates="points")


class Submission(db.Model):
    """A trainee's submission for one practical; its versions hold the videos."""

    __tablename__ = "practical_submissions"
    __table_args__ = (UniqueConstraint("practical_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practical_id: Mapped[int] = mapped_column(ForeignKey("practicals.id"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The partner named on the newest version (each version keeps its own partner too).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    practical: Mapped[Practical] = relationship(lazy="joined")
    trainee = relationship("User", foreign_keys=[trainee_id], lazy="joined")
    partner = relationship("User", foreign_keys=[partner_id], lazy="joined")
    versions: Mapped[list["SubmissionVersion"]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number", lazy="selectin")


class SubmissionVersion(db.Model):
    """Version 1..n of a submission: partner, optional transcript, and (once uploaded) the video."""

    __tablename__ = "practical_submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("practical_submissions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    transcript: Mapped[str] = mapped_column(Text, default="")
    media_file_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"), unique=True)
    attached_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="versions")
    partner = relationship("User", foreign_keys=[partner_id], lazy="joined")
    media_file: Mapped[MediaFile | None] = relationship(lazy="joined")

    @property
    def media_status(self) -> str | None:
        """The video's MediaStatus, or None before a video is attached."""
        return self.media_file.status if self.media_file is not None else None


class SubmissionAttachment(db.Model):
    """A written product (photo or PDF) the submitter attaches to a version, beside the video."""

    __tablename__ = "practical_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("practical_submission_versions.id"), index=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))          # image/jpeg | image/png | application/pdf
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    original_filename: Mapped[str] = mapped_column(String(200))    # shown only, never used as a path
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[SubmissionVersion] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
