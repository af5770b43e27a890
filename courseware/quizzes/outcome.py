"""Reading results: passed or not, when the review (keys, explanations) opens, which keys a trainee
may see, the per-KUK breakdown, the counted attempt, and a class's results table."""
from datetime import datetime

from sqlalchemy import select

from ..bank.models import Question, QuestionOption
from ..classes.models import Classroom
from ..classes.service import trainees_of
from ..extensions import db
from ..models_base import utcnow
from ..results import status
from . import windows
from .models import Attempt, AttemptItem, Quiz


def is_passed(attempt: Attempt) -> bool:
    return attempt.score is not None and attempt.score >= windows.settings_for_attempt(attempt).pass_mark


def pass_status(attempt: Attempt) -> status.TestStatus:
    """Passed or not yet, for one scored attempt (the unit's view of the test: results.status)."""
    return status.TestStatus.LULUS if is_passed(attempt) else status.TestStatus.BELUM_LULUS


def review_open(attempt: Attempt, now: datetime | None = None) -> bool:
    """May the trainee see keys and explanations of this attempt now?"""
    if not attempt.is_submitted:
        return False
    if not attempt.quiz.is_written:
        return True
    window = windows.window_for(attempt.quiz_id, attempt.classroom_id)
    if window is None or window.review_policy == "langsung":
        return True
    return (now or utcnow()) >= window.closes_at


def review_opens_at(attempt: Attempt) -> datetime | None:
    window = windows.window_for(attempt.quiz_id, attempt.classroom_id)
    return window.closes_at if window is not None and window.review_policy == "setelah-ditutup" else None


def may_reveal_key(question: Question, attempt: Attempt, review: bool) -> bool:
    """The one gate for showing a trainee a key or an explanation.

    A `latihan` item's key may show in a practice attempt once answered; an `ujian` item's key
    only in the review of the trainee's own submitted written-test attempt, when open. Old
    practice attempts that drew an item since moved to `ujian` never show its key."""
    if question.pool == "ujian":
        return attempt.quiz.is_written and review
    return review or not attempt.quiz.is_written


def kuk_breakdown(attempt: Attempt) -> list[dict]:
    rows: dict[str, dict] = {}
    for item in attempt.items:
        row = rows.setdefault(item.question.kuk, {"kuk": item.question.kuk, "correct": 0, "total": 0})
        row["total"] += 1
        row["correct"] += bool(item.is_correct)
    for row in rows.values():
        row["percent"] = round(100 * row["correct"] / row["total"], 1)
    return [rows[k] for k in sorted(rows)]


def shown_options(item: AttemptItem) -> list[QuestionOption]:
    """The item's options in the order this attempt showed them."""
    by_id = {o.id: o for o in item.question.options}
    return [by_id[i] for i in item.option_order if i in by_id]


def counted_attempt(user_id: int, quiz: Quiz, attempts: list | None = None):
    from .service import read_attempts   # expired attempts read as closed (pages never write)

    if attempts is None:
        attempts = read_attempts(list(db.session.scalars(select(Attempt).where(
            Attempt.user_id == user_id, Attempt.quiz_id == quiz.id).order_by(Attempt.number))))
    settings = windows.settings_for_trainee(user_id, quiz, attempts[-1] if attempts else None)
    return status.counted(attempts, settings.counting)


def class_results(classroom: Classroom, quiz: Quiz) -> list[dict]:
    """One row per trainee of the class: attempts, best, last, the counted score and the status."""
    from .service import read_attempts   # expired attempts read as closed (pages never write)

    trainees = trainees_of(classroom)
    window = windows.window_for(quiz.id, classroom.id) if quiz.is_written else None
    settings = window.settings if window is not None else quiz.settings
    by_user: dict[int, list[Attempt]] = {}
    if trainees:
        for attempt in db.session.scalars(select(Attempt).where(
                Attempt.quiz_id == quiz.id, Attempt.user_id.in_([t.id for t in trainees])).order_by(Attempt.number)):
            by_user.setdefault(attempt.user_id, []).append(attempt)
    results = status.test_results([t.id for t in trainees], quiz) if quiz.is_written and trainees else {}
    rows = []
    for trainee in trainees:
        attempts = read_attempts(by_user.get(trainee.id, []))
        done = [a for a in attempts if a.is_submitted]
        result = results.get(trainee.id)
        counted = status.counted(attempts, settings.counting)
        if result is not None:
            state = result.status
        elif counted is None:
            state = status.TestStatus.SEDANG_MENGERJAKAN if attempts else status.TestStatus.BELUM_IKUT
        else:
            state = status.TestStatus.LULUS if counted.score >= settings.pass_mark else status.TestStatus.BELUM_LULUS
        rows.append({
            "user": trainee, "attempts": len(attempts), "in_progress": len(attempts) > len(done),
            "best": max(done, key=lambda a: (a.score, -a.number)) if done else None,
            "last": done[-1] if done else None, "counted": counted, "status": state,
        })
    return rows
