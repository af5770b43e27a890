from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import utcnow


class Lesson(db.Model):
    """One lesson file, keyed by its stable id, with HTML rendered at sync time (never per request)."""

    __tablename__ = "lessons"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    element: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(12))          # pengantar | materi | penutup
    kuk: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)       # "order" in the front matter
    minutes: Mapped[int] = mapped_column(default=0)
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    self_check: Mapped[list] = mapped_column(JSON, default=list)   # [{question_html, answer_html}]
    body_html: Mapped[str] = mapped_column(Text, default="", deferred=True)   # loaded by the page only
    words: Mapped[int] = mapped_column(default=0)
    source_hash: Mapped[str] = mapped_column(String(64))
    # A file removed from content/ is retired, not deleted, so trainees' progress stays.
    retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Lesson {self.id}>"


class LessonProgress(db.Model):
    """A trainee marked a lesson as read."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentDocument(db.Model):
    """A rendered content file other than a lesson: the glossary, the references, the 5-JP plan."""

    __tablename__ = "content_documents"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
