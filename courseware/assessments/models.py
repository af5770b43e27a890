"""Judgements of practical evidence: one per (submission version, judged trainee), with a mark per point.

A judgement starts as a draft the assessor may save many times. Finalising freezes it: a final
row is never updated again (the service refuses). A correction is a new final judgement that
names the one it supersedes and why; both stay and both are shown.
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow


class JudgementState(StrEnum):
    DRAFT = "draft"      # the assessor may still save it
    FINAL = "final"      # frozen; a correction is a new final row


class Recommendation(StrEnum):
    """A judgement's recommendation, and also the result of one checklist point or attitude."""

    K = "K"              # kompeten
    BK = "BK"            # belum kompeten


STATES = tuple(JudgementState)
RESULTS = tuple(Recommendation)


class Judgement(db.Model):
    __tablename__ = "judgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("practical_submission_versions.id"), index=True)
    # The trainee judged: the submitter or the partner named on that version.
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(8), default=JudgementState.DRAFT, index=True)
    recommendation: Mapped[str | None] = mapped_column(String(2))      # K | BK | None while a draft
    feedback: Mapped[str] = mapped_column(Text, default="")
    tuk: Mapped[str] = mapped_column(String(160), default="")            # tempat uji kompetensi
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finalised_at: Mapped[datetime | None]
    # A correction points at the final judgement it replaces; unique keeps the chain linear.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("judgements.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    # Set only by a data migration for judgements that broke a later rule (a partner judged from
    # someone else's video, an assessor judging a video they appear in). They stay, never count.
    void_reason: Mapped[str | None] = mapped_column(String(40))
    # The sheet's attitudes as observed: {attitude id: {"result": "K" | "BK" | None, "comment": str}}.
    attitude_marks: Mapped[dict] = mapped_column(JSON, default=dict)

    version = relationship("SubmissionVersion", lazy="joined")
    trainee = relationship("User", foreign_keys=[trainee_id], lazy="joined")
    assessor = relationship("User", foreign_keys=[assessor_id], lazy="joined")
    supersedes: Mapped["Judgement | None"] = relationship(
        remote_side="Judgement.id", foreign_keys=[supersedes_id], lazy="select")
    marks: Mapped[list["JudgementMark"]] = relationship(
        back_populates="judgement", cascade="all, delete-orphan", lazy="selectin")
    # Time-stamped comments, in time order; loaded only where a page shows them.
    comments: Mapped[list["JudgementComment"]] = relationship(
        back_populates="judgement", cascade="all, delete-orphan", lazy="select",
        order_by="(JudgementComment.seconds, JudgementComment.id)")

    @property
    def is_final(self) -> bool:
        return self.state == JudgementState.FINAL

    @property
    def is_void(self) -> bool:
        return self.void_reason is not None

    def mark_for(self, point_id: int) -> "JudgementMark | None":
        for mark in self.marks:
            if mark.point_id == point_id:
                return mark
        return None


class JudgementMark(db.Model):
    __tablename__ = "judgement_marks"
    __table_args__ = (UniqueConstraint("judgement_id", "point_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judgement_id: Mapped[int] = mapped_column(ForeignKey("judgements.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("checklist_points.id"), index=True)
    result: Mapped[str | None] = mapped_column(String(2))               # K | BK | None (not yet marked)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Legacy (before migration 0014): one time per point. 0014 copied every value into
    # judgement_comments; nothing writes or reads it since. Kept because final rows never change.
    video_seconds: Mapped[int | None] = mapped_column(Integer)

    judgement: Mapped[Judgement] = relationship(back_populates="marks")
    point = relationship("ChecklistPoint", lazy="joined")


class JudgementComment(db.Model):
    """A comment at a time in the video, optionally tied to one checklist point. Frozen with its
    judgement once that is final (guards.py); a correction carries copies of them."""
    __tablename__ = "judgement_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    judgement_id: Mapped[int] = mapped_column(ForeignKey("judgements.id", ondelete="CASCADE"), index=True)
    seconds: Mapped[int] = mapped_column(Integer)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_points.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    judgement: Mapped[Judgement] = relationship(back_populates="comments")
    point = relationship("ChecklistPoint", lazy="joined")
    author = relationship("User", lazy="joined")
