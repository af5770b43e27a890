"""FR.IA.05 (Pertanyaan Tertulis Pilihan Ganda): the answer sheet of a trainee's COUNTED written-test
attempt, exactly as it was shown (stems, options in the shown order), with the trainee's answer,
the key and "tercapai ya/tidak", the score against the class window's KKTP, and the assessor's
feedback (an AssessmentForm of kind "FR.IA.05", subject_key "attempt:<id>").

Who sees it: the teacher of the trainee's class, assessors and admins at once; the trainee their own
sheet, but keys and "tercapai" only where the quizzes' one gate (`may_reveal_key`, with the window's
review setting through `review_open`) allows. Practice attempts and attempts that do not count never
have a sheet (404).
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import abort
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..quizzes import outcome
from ..quizzes.models import Attempt
from ..quizzes.windows import settings_for_attempt
from ..results import status as results

KIND = "FR.IA.05"
LETTERS = "ABCDEFGH"


def subject_key(attempt: Attempt) -> str:
    return f"attempt:{attempt.id}"


@dataclass
class SheetItem:
    number: int
    kuk: str
    stem: str
    options: list                       # (letter, text, is_chosen, is_key or None when hidden)
    chosen: str | None                  # letter of the trainee's answer, None when not answered
    key: str | None                     # letter of the key, None when the gate hides it
    achieved: bool | None               # None when hidden


@dataclass
class AnswerSheet:
    attempt: Attempt
    trainee: User
    items: list = field(default_factory=list)
    score: float | None = None
    pass_mark: int | None = None
    passed: bool | None = None
    keys_shown: bool = False
    review_opens_at: datetime | None = None

    @property
    def correct_count(self) -> int:
        return sum(1 for item in self.items if item.achieved)


def counted_attempt_id(trainee_id: int) -> int | None:
    """The written-test attempt the class's counting rule takes for this trainee (results module)."""
    return results.test_result(trainee_id).attempt_id


def counted_attempt(trainee_id: int) -> Attempt | None:
    attempt_id = counted_attempt_id(trainee_id)
    return db.session.get(Attempt, attempt_id) if attempt_id else None


def attempt_or_404(attempt_id: int) -> Attempt:
    """A submitted written-test attempt that is its trainee's counted one; 404 for anything else
    (practice attempts, attempts that do not count, attempts still running)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not attempt.quiz.is_written or not attempt.is_submitted:
        abort(404)
    if counted_attempt_id(attempt.user_id) != attempt.id:
        abort(404)
    return attempt


def answer_sheet(attempt: Attempt, staff_view: bool) -> AnswerSheet:
    """The sheet for staff (every key) or for the trainee (keys only through the quizzes' gate)."""
    review = True if staff_view else outcome.review_open(attempt)
    settings = settings_for_attempt(attempt)
    sheet = AnswerSheet(attempt, attempt.user, score=attempt.score, pass_mark=settings.pass_mark,
                        review_opens_at=None if staff_view else outcome.review_opens_at(attempt))
    sheet.passed = attempt.score is not None and attempt.score >= settings.pass_mark
    shown_any = False
    for item in attempt.items:
        reveal = staff_view or outcome.may_reveal_key(item.question, attempt, review)
        shown_any = shown_any or reveal
        options, chosen, key = [], None, None
        for index, option in enumerate(outcome.shown_options(item)):
            letter = LETTERS[index]
            is_chosen = option.id == item.chosen_option_id
            if is_chosen:
                chosen = letter
            if reveal and option.is_key:
                key = letter
            options.append((letter, option.text, is_chosen, option.is_key if reveal else None))
        sheet.items.append(SheetItem(item.position, item.question.kuk, item.question.stem, options, chosen, key,
                                     bool(item.is_correct) if reveal else None))
    sheet.keys_shown = shown_any
    return sheet


def sheets_for(trainee_ids: list[int]) -> dict[int, Attempt]:
    """trainee -> counted attempt, for the class pages (one results read)."""
    tests = results.test_results(trainee_ids)
    ids = {uid: t.attempt_id for uid, t in tests.items() if t.attempt_id}
    if not ids:
        return {}
    attempts = {a.id: a for a in db.session.scalars(select(Attempt).where(Attempt.id.in_(list(ids.values()))))}
    return {uid: attempts[aid] for uid, aid in ids.items() if aid in attempts}
