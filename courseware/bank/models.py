"""The question bank: KUK-tagged multiple-choice items with four options and one key.

An item that trainees have already answered is never edited in place: the editor retires
it and creates a new version, so every old attempt still shows exactly what was asked.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

KUKS = ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6")
CRITICAL_KUKS = ("2.1", "2.5")
# ujian: the written test only (its key never reaches a trainee before that attempt's review);
# latihan: practice quizzes only (keys shown after each answer). No item is in both.
POOLS = ("ujian", "latihan")
LEVELS = ("ingatan", "penerapan", "analisis")        # the cognitive level an item asks for


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("uid", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), index=True)      # stable, e.g. "1.1-01"
    version: Mapped[int] = mapped_column(default=1)
    kuk: Mapped[str] = mapped_column(String(5), index=True)
    pool: Mapped[str] = mapped_column(String(8), default="ujian", server_default="ujian", index=True)
    level: Mapped[str] = mapped_column(String(10), default="penerapan", server_default="penerapan")
    stem: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(12), default="bank")  # bank | editor | gift
    retired: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    options: Mapped[list["QuestionOption"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuestionOption.position",
        lazy="selectin")

    @property
    def key_option(self) -> "QuestionOption":
        return next(o for o in self.options if o.is_key)


class QuestionOption(db.Model):
    __tablename__ = "question_options"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]                     # 0-3 as written in the bank (A-D)
    text: Mapped[str] = mapped_column(Text)
    is_key: Mapped[bool] = mapped_column(default=False)
    feedback: Mapped[str] = mapped_column(Text, default="")  # per-option feedback (from GIFT imports)

    question: Mapped[Question] = relationship(back_populates="options")
