"""Quizzes (the written test and the practice quizzes), per-class windows, attempts and answers.

An attempt stores the exact question ids (never uids: a bank item may get a new version later)
in the order shown, and every item stores the order its options were shown in, so a review
shows exactly what the trainee saw.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

KINDS = ("written", "practice")
COUNTING = ("highest", "last")
REVIEW_POLICIES = ("langsung", "setelah-ditutup")
SETTING_NAMES = ("items_per_attempt", "time_limit_minutes", "attempts_allowed", "counting", "pass_mark",
                 "review_policy")


@dataclass(frozen=True)
class TestSettings:
    """The rules one class sits a quiz under (or a quiz's defaults when no class window applies)."""
    items_per_attempt: int
    time_limit_minutes: int | None
    attempts_allowed: int | None
    counting: str
    pass_mark: int
    review_policy: str

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in SETTING_NAMES}


class _SettingsColumns:
    """Columns shared by a quiz (its defaults, edited by an admin) and a class window (its own copy)."""
    items_per_attempt: Mapped[int] = mapped_column(default=20)
    time_limit_minutes: Mapped[int | None]                           # None: no time limit
    attempts_allowed: Mapped[int | None]                             # None: unlimited
    counting: Mapped[str] = mapped_column(String(8), default="highest")  # highest | last
    pass_mark: Mapped[int] = mapped_column(default=75)               # the KKTP
    review_policy: Mapped[str] = mapped_column(String(16), default="langsung")

    @property
    def settings(self) -> TestSettings:
        return TestSettings(**{name: getattr(self, name) for name in SETTING_NAMES})


class Quiz(_SettingsColumns, db.Model):
    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)       # stable, from quizzes/quizzes.yml
    kind: Mapped[str] = mapped_column(String(10))                    # written | practice
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    kuks: Mapped[list] = mapped_column(JSON)                         # KUKs the items come from
    kuk_weights: Mapped[dict] = mapped_column(JSON)                  # {"2.1": 3, ...}: the stratification
    # The settings columns hold the defaults a new class window copies; the sync sets them only
    # when it creates the quiz, afterwards an admin edits them.
    feedback_per_item: Mapped[bool] = mapped_column(default=False)   # practice: key after each answer
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_written(self) -> bool:
        return self.kind == "written"

    @property
    def pool(self) -> str:
        """The bank pool this quiz draws from: the written test never shares items with practice."""
        return "ujian" if self.is_written else "latihan"


class QuizWindow(_SettingsColumns, db.Model):
    """When one class may take one quiz, and the rules it sits it under (a copy of the quiz's
    defaults made when the window is created, changed only by that class's teacher)."""

    __tablename__ = "quiz_windows"
    __table_args__ = (UniqueConstraint("quiz_id", "classroom_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    opens_at: Mapped[datetime]                                       # UTC, naive
    closes_at: Mapped[datetime]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    quiz: Mapped[Quiz] = relationship(lazy="joined")

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class Attempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id", ondelete="SET NULL"))
    number: Mapped[int]                                              # 1 for the first attempt
    question_order: Mapped[list] = mapped_column(JSON)               # question ids in the order shown
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]                             # None: no time limit
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    submitted_how: Mapped[str | None] = mapped_column(String(12))    # tombol | waktu-habis
    correct_count: Mapped[int | None]
    item_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None]                                      # percent correct, 0-100

    quiz: Mapped[Quiz] = relationship(lazy="joined")
    user = relationship("User", lazy="joined")
    items: Mapped[list["AttemptItem"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptItem.position")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class AttemptItem(db.Model):
    __tablename__ = "quiz_attempt_items"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position", name="uq_quiz_attempt_items_position"),
        UniqueConstraint("attempt_id", "question_id", name="uq_quiz_attempt_items_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int]                                            # 1-based, as numbered on the page
    option_order: Mapped[list] = mapped_column(JSON)                 # option ids in the order shown
    chosen_option_id: Mapped[int | None] = mapped_column(ForeignKey("question_options.id"))
    answered_at: Mapped[datetime | None]
    # The page's sequence number of the stored answer (quiz.js: milliseconds, strictly rising per
    # browser); a save carrying a lower one arrived late and is ignored. None: no-JS form posts.
    answer_seq: Mapped[int | None] = mapped_column(BigInteger)
    is_correct: Mapped[bool | None]                                  # set when the attempt is scored

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question = relationship("Question", lazy="joined")
