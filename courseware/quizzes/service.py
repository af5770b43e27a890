"""Quiz look-ups and what a trainee sees: their attempts as pages read them, and what they may do now.

Nothing here writes. Taking a quiz (start, answers, deadline, submission, scoring) is in
taking.py; class windows and the settings a trainee sits under are in windows.py. The key and
the explanation leave the server only for a submitted attempt whose review is open (outcome.py),
or, in a practice quiz, for an item whose answer is already locked.
"""
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..bank.models import QuestionOption
from ..extensions import db
from ..models_base import utcnow
from . import windows
from .models import Attempt, AttemptItem, Quiz, TestSettings
from .permissions import can_review_attempt
from .windows import open_window_for

WRITTEN_TEST_CODE = "tes-tertulis"
DEFAULT_PASS_MARK = 75


# --- queries that own the 404 -----------------------------------------------------------

def get_quiz(code: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == code))
    if quiz is None:
        abort(404)
    return quiz


def all_quizzes() -> list[Quiz]:
    return list(db.session.scalars(select(Quiz).order_by(Quiz.position, Quiz.id)))


def written_test() -> Quiz | None:
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == WRITTEN_TEST_CODE))
    return quiz or db.session.scalar(select(Quiz).where(Quiz.kind == "written").order_by(Quiz.position))


def get_attempt_for_trainee(attempt_id: int, user: User) -> Attempt:
    """The attempt if it is `user`'s own; 404 otherwise (another trainee's attempt does not exist)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        abort(404)
    return attempt


def get_attempt_for_teacher(attempt_id: int, user: User) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not can_review_attempt(user, attempt):
        abort(404)
    return attempt


def question_in_use(question_id: int) -> bool:
    """For the bank: a question any attempt has shown must not be edited in place."""
    return db.session.scalar(select(AttemptItem.id).where(AttemptItem.question_id == question_id).limit(1)) \
        is not None


# --- the trainee's attempts and state (choosing items: selection.py; results and review: outcome.py) ---

def open_attempt(user: User, quiz: Quiz, now: datetime | None = None) -> Attempt | None:
    """The attempt the trainee may still answer: not submitted and its time not run out."""
    now = now or utcnow()
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_(None),
        (Attempt.deadline_at.is_(None)) | (Attempt.deadline_at > now)))


# --- reading an attempt: pages never write ----------------------------------------------
#
# An attempt whose time ran out is closed whether or not anything has scored it yet: the
# trainee's next write (answer, submit, start) or the periodic task (tasks.py) scores it. Until
# then every page reads it through ClosedByTime, as results/status.py does: submitted at its
# deadline, "waktu-habis", scored in memory from the answers it saved. Nothing here writes.

def reads_closed(attempt: Attempt, now: datetime | None = None) -> bool:
    return attempt.submitted_at is not None or (
        attempt.deadline_at is not None and attempt.deadline_at <= (now or utcnow()))


class _ScoredItem:
    """An item of a ClosedByTime attempt with its correctness worked out (read-only)."""

    def __init__(self, item: AttemptItem, is_correct: bool):
        self._item = item
        self.is_correct = is_correct

    def __getattr__(self, name):
        return getattr(self._item, name)


class ClosedByTime:
    """An unscored attempt whose deadline has passed, read as the scoring will write it."""

    is_submitted = True
    submitted_how = "waktu-habis"

    def __init__(self, attempt: Attempt, keys: set[int]):
        self._attempt = attempt
        self.items = [_ScoredItem(i, i.chosen_option_id in keys) for i in attempt.items]
        self.correct_count = sum(i.is_correct for i in self.items)
        self.item_count = len(self.items)
        self.score = round(100 * self.correct_count / self.item_count, 2) if self.items else 0.0
        self.submitted_at = attempt.deadline_at

    def __getattr__(self, name):
        return getattr(self._attempt, name)


def read_attempts(attempts: list[Attempt], now: datetime | None = None) -> list:
    """The attempts as pages show them (see ClosedByTime); one query for keys, only if one is due."""
    now = now or utcnow()
    due = [a for a in attempts if a.submitted_at is None and reads_closed(a, now)]
    if not due:
        return list(attempts)
    question_ids = {i.question_id for a in due for i in a.items}
    keys = set(db.session.scalars(select(QuestionOption.id).where(
        QuestionOption.question_id.in_(question_ids), QuestionOption.is_key.is_(True)))) if question_ids else set()
    return [ClosedByTime(a, keys) if a in due else a for a in attempts]


def read_attempt(attempt: Attempt, now: datetime | None = None):
    return read_attempts([attempt], now)[0]


def attempts_of(user: User, quiz: Quiz) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id).order_by(Attempt.number)))


def settings_for(user: User, quiz: Quiz) -> TestSettings:
    """The rules this trainee sits `quiz` under now (their class window's, else the defaults)."""
    if quiz.is_written:
        window = open_window_for(user, quiz)
        if window is not None:
            return window.settings
    attempts = attempts_of(user, quiz)
    return windows.settings_for_trainee(user.id, quiz, attempts[-1] if attempts else None)


def attempts_left(user: User, quiz: Quiz, settings: TestSettings | None = None) -> int | None:
    settings = settings or settings_for(user, quiz)
    if settings.attempts_allowed is None:
        return None
    return max(0, settings.attempts_allowed - len(attempts_of(user, quiz)))


class TakingState(StrEnum):
    """What a trainee can do with one quiz now (templates compare with these values)."""

    NOT_OPEN = "belum-dibuka"      # a written test without an open window for the trainee's class
    OPEN = "terbuka"
    IN_PROGRESS = "sedang"
    USED_UP = "habis"


@dataclass
class QuizState:
    """What a trainee can do with one quiz now, said the same way on the dashboard, the test list
    and the start page."""
    state: TakingState
    message: str
    settings: TestSettings
    attempts: list
    left: int | None
    open_attempt: Attempt | None = None
    window: object = None

    @property
    def is_last(self) -> bool:
        return self.left == 1


def trainee_quiz_state(user: User, quiz: Quiz, now: datetime | None = None) -> QuizState:
    now = now or utcnow()
    attempts = attempts_of(user, quiz)
    window = open_window_for(user, quiz, now) if quiz.is_written else None
    settings = window.settings if window is not None else windows.settings_for_trainee(
        user.id, quiz, attempts[-1] if attempts else None)
    return quiz_state(quiz, attempts, window, settings, now)


def quiz_state_among(quiz: Quiz, attempts: list, by_class: dict, class_ids: list[int], now: datetime) -> QuizState:
    """trainee_quiz_state on the trainee's attempts, the quiz's windows by class and the trainee's
    classes already read (the dashboard reads them once for its panels)."""
    window = windows.open_window_among(by_class, class_ids, now) if quiz.is_written else None
    settings = window.settings if window is not None else windows.settings_among(
        quiz, by_class, class_ids, attempts[-1].classroom_id if attempts else None, now)
    return quiz_state(quiz, attempts, window, settings, now)


def quiz_state(quiz: Quiz, attempts: list, window, settings: TestSettings, now: datetime) -> QuizState:
    """The rule on values already read. `attempts`: oldest first, Attempt rows or anything with their
    id, number, submitted_at and deadline_at (results.status.Sitting)."""
    left = None if settings.attempts_allowed is None else max(0, settings.attempts_allowed - len(attempts))
    running = next((a for a in attempts if a.submitted_at is None and
                    (a.deadline_at is None or a.deadline_at > now)), None)
    if running is not None:
        return QuizState(TakingState.IN_PROGRESS, _("Anda sedang mengerjakan percobaan %(n)d; lanjutkan sebelum waktunya habis.",
                                     n=running.number), settings, attempts, left, running, window)
    if left == 0:
        return QuizState(TakingState.USED_UP, _("Kesempatan mengerjakan sudah habis (%(n)d kali). Hasilnya ada di daftar "
                                    "percobaan; bila belum lulus, bicarakan tindak lanjutnya dengan guru.",
                                    n=settings.attempts_allowed), settings, attempts, left, None, window)
    if quiz.is_written and window is None:
        return QuizState(TakingState.NOT_OPEN, _("Tes belum dibuka untuk kelas Anda. Tunggu jadwal dari guru."),
                         settings, attempts, left, None, None)
    if left is None:
        message = _("Latihan terbuka dan boleh diulang.")
    else:
        message = _("Tes terbuka. Sisa kesempatan: %(n)d.", n=left)
    return QuizState(TakingState.OPEN, message, settings, attempts, left, None, window)
