"""Taking a quiz: starting an attempt, saving answers, the deadline, exactly-once submission, scoring.

Every answer is written the moment it is chosen; the server owns the clock (an answer that
arrives after the deadline is refused and the attempt is scored with what was saved); in a
practice quiz the key and explanation of an item come back once its answer is locked.
Reading attempts and what a trainee may do next is in service.py; nothing there writes.
"""
import functools
import secrets
from contextlib import nullcontext
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ..accounts.models import User
from ..audit.service import record
from ..bank.models import Question, QuestionOption
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from . import selection
from .models import Attempt, AttemptItem, Quiz
from .service import open_attempt
from .windows import open_window_for

_random = secrets.SystemRandom()


# Every quiz write goes through the one read-then-write helper (BEGIN IMMEDIATE, queued writers).
_writing = write_transaction


class AttemptClosed(ServiceError):
    """The attempt no longer takes answers (submitted, or its time ran out just now)."""


def close_expired(user_id: int | None = None, now: datetime | None = None) -> int:
    """Score every attempt whose deadline has passed (of one user, or of everyone)."""
    now = now or utcnow()
    query = select(Attempt.id).where(Attempt.submitted_at.is_(None), Attempt.deadline_at.is_not(None),
                                     Attempt.deadline_at <= now)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    closed = 0
    for attempt_id in db.session.scalars(query).all():
        with _writing():
            closed += claim_and_score(attempt_id, "waktu-habis", now, actor=None)
    return closed


def start_or_resume(user: User, quiz: Quiz, now: datetime | None = None) -> tuple[Attempt, bool]:
    """The trainee's open attempt, or a new one if the rules allow. Returns (attempt, created)."""
    now = now or utcnow()
    close_expired(user.id, now)
    try:
        return _start(user, quiz, now)
    except IntegrityError:
        # A double press raced us on PostgreSQL: (user, quiz, number) is unique, so the other won.
        current = open_attempt(user, quiz)
        if current is None:
            raise
        return current, False


def _start(user: User, quiz: Quiz, now: datetime) -> tuple[Attempt, bool]:
    with _writing():
        current = open_attempt(user, quiz)
        if current is not None:
            return current, False
        window = None
        settings = quiz.settings
        if quiz.is_written:
            window = open_window_for(user, quiz, now)
            if window is None:
                raise ServiceError(_("Tes tertulis belum dibuka (atau sudah ditutup) untuk kelas Anda. "
                                     "Tanyakan jadwalnya kepada guru."), 403)
            settings = window.settings
        used = db.session.scalar(select(func.count()).select_from(Attempt).where(
            Attempt.user_id == user.id, Attempt.quiz_id == quiz.id))
        if settings.attempts_allowed is not None and used >= settings.attempts_allowed:
            raise ServiceError(_("Kesempatan mengerjakan tes ini sudah habis (%(n)d kali).",
                                 n=settings.attempts_allowed), 409)
        seen = {qid for order in db.session.scalars(select(Attempt.question_order).where(
            Attempt.user_id == user.id, Attempt.quiz_id == quiz.id)) for qid in order}
        questions = selection.pick_questions(quiz, settings.items_per_attempt, seen)
        deadline = None
        if settings.time_limit_minutes:
            deadline = now + timedelta(minutes=settings.time_limit_minutes)
        if window is not None:
            deadline = min(deadline, window.closes_at) if deadline else window.closes_at
        attempt = Attempt(quiz_id=quiz.id, user_id=user.id, number=used + 1, started_at=now, deadline_at=deadline,
                          classroom_id=window.classroom_id if window else None,
                          question_order=[q.id for q in questions], item_count=len(questions))
        db.session.add(attempt)
        db.session.flush()
        for position, question in enumerate(questions, start=1):
            order = [o.id for o in question.options]
            _random.shuffle(order)
            db.session.add(AttemptItem(attempt_id=attempt.id, question_id=question.id, position=position,
                                       option_order=order))
        record("quiz.start", actor=user, target=f"attempt:{attempt.id}",
               detail={"quiz": quiz.code, "number": attempt.number})
    return attempt, True


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - (now or utcnow())).total_seconds()))


def _locked_attempt(attempt_id: int) -> Attempt:
    query = select(Attempt).where(Attempt.id == attempt_id).options(lazyload("*")) \
        .execution_options(populate_existing=True)
    if db.engine.dialect.name != "sqlite":
        query = query.with_for_update(of=Attempt)
    return db.session.scalar(query)


@functools.cache
def _save_statements(dialect: str) -> SimpleNamespace:
    """The statements of save_answers, built once per database kind with bound parameters: it runs
    for every click of every trainee, and building them anew cost about a tenth of a save's CPU
    (bench/quiz_load.py). Plain columns, no ORM objects, for the same reason."""
    head = select(Attempt.user_id, Attempt.submitted_at, Attempt.submitted_how, Attempt.deadline_at, Quiz.kind,
                  Quiz.feedback_per_item) \
        .join(Quiz, Quiz.id == Attempt.quiz_id).where(Attempt.id == bindparam("attempt_id"))
    if dialect != "sqlite":
        head = head.with_for_update(of=Attempt)
    write = update(AttemptItem).where(AttemptItem.id == bindparam("item_id")) \
        .values(chosen_option_id=bindparam("new_option"), answered_at=bindparam("new_time")) \
        .execution_options(synchronize_session=False)
    return SimpleNamespace(
        head=head,
        items=select(AttemptItem.id, AttemptItem.position, AttemptItem.option_order, AttemptItem.question_id,
                     AttemptItem.chosen_option_id, AttemptItem.answer_seq, Question.pool)
        .join(Question, Question.id == AttemptItem.question_id)
        .where(AttemptItem.attempt_id == bindparam("attempt_id"),
               AttemptItem.position.in_(bindparam("positions", expanding=True))),
        write=write,
        write_with_seq=write.values(answer_seq=bindparam("new_seq")),
        answered=select(func.count()).select_from(AttemptItem).where(
            AttemptItem.attempt_id == bindparam("attempt_id"), AttemptItem.chosen_option_id.is_not(None)),
    )


def save_answers(attempt_id: int, user: User, answers: dict[int, int], now: datetime | None = None,
                 single: bool = False, seq: int | None = None) -> dict:
    """Write the chosen option for each item position. All or nothing.

    `seq` is the page's sequence number of this choice (quiz.js sends one per answer, rising).
    A save whose seq is not above the stored one is an older choice that arrived late (a retry
    held up in a queue): it changes nothing and comes back with "stale". Saves without seq (the
    no-JS form) always write, and leave the stored seq as it is.

    Raises AttemptClosed (409) when the attempt is already submitted, or when its time has run
    out, in which case this call closes and scores it with the answers saved before.
    In a practice quiz an answered item is locked; its key and explanation come back with it.
    """
    now = now or utcnow()
    expired = False
    feedback = {}
    stale: set[int] = set()
    sql = _save_statements(db.engine.dialect.name)
    user_id = user.id   # read before _writing(): its commit of the read transaction expires `user`
    with _writing():
        row = db.session.execute(sql.head, {"attempt_id": attempt_id}).one_or_none()
        if row is None or row.user_id != user_id:
            abort(404)
        if row.submitted_at is not None and row.submitted_how == "ditutup-guru":
            raise AttemptClosed(_("Guru sudah menutup tes ini. Jawaban ini tidak diterima; nilai dihitung dari "
                                  "jawaban yang tersimpan sebelumnya."), 409)
        if row.submitted_at is not None:
            raise AttemptClosed(_("Tes ini sudah dikumpulkan; jawaban tidak dapat diubah lagi."), 409)
        if row.deadline_at is not None and now >= row.deadline_at:
            claim_and_score(attempt_id, "waktu-habis", now, actor=None)
            expired = True
        else:
            items = {r.position: r for r in db.session.execute(
                sql.items, {"attempt_id": attempt_id, "positions": list(answers)})}
            practice = row.kind != "written" and row.feedback_per_item
            for position, option_id in answers.items():
                item = items.get(position)
                if item is None or option_id not in item.option_order:
                    raise ServiceError(_("Pilihan jawaban tidak dikenal. Muat ulang halaman tes."), 400)
                chosen = item.chosen_option_id
                if seq is not None and item.answer_seq is not None and seq <= item.answer_seq:
                    stale.add(position)   # a newer choice is stored already (row locked above)
                elif practice and chosen is not None:
                    if chosen != option_id and single:
                        raise ServiceError(_("Jawaban latihan ini sudah terkunci."), 409)
                elif chosen != option_id or seq is not None:
                    db.session.execute(sql.write if seq is None else sql.write_with_seq,
                                       {"item_id": item.id, "new_option": option_id, "new_time": now, "new_seq": seq})
                    chosen = option_id
                if practice and item.pool == "latihan":   # see may_reveal_key
                    feedback[position] = _feedback(item.question_id, chosen)
            answered = db.session.scalar(sql.answered, {"attempt_id": attempt_id})
            left = None if row.deadline_at is None else max(0, int((row.deadline_at - now).total_seconds()))
    if expired:
        raise AttemptClosed(_("Waktu habis. Jawaban ini tidak diterima; tes sudah ditutup dengan jawaban "
                              "yang tersimpan sebelumnya."), 409)
    return {"saved": True, "answered": answered, "seconds_left": left, "feedback": feedback, "stale": stale}


def _feedback(question_id: int, chosen_option_id: int | None) -> dict:
    question = db.session.get(Question, question_id)
    key = question.key_option
    return {"correct": chosen_option_id == key.id, "key_option_id": key.id,
            "chosen_option_id": chosen_option_id, "explanation": question.explanation}


def item_feedback(item: AttemptItem) -> dict:
    """Key and explanation of one answered item (only for a locked practice item or a review)."""
    return _feedback(item.question_id, item.chosen_option_id)


def submit(attempt_id: int, user: User, now: datetime | None = None) -> bool:
    """Submit once. True when this call recorded the submission; False when it was already done."""
    now = now or utcnow()
    with _writing():
        attempt = _locked_attempt(attempt_id)
        if attempt is None or attempt.user_id != user.id:
            abort(404)
        late = attempt.deadline_at is not None and now >= attempt.deadline_at
        return claim_and_score(attempt_id, "waktu-habis" if late else "tombol", now, actor=user)


def claim_and_score(attempt_id: int, how: str, now: datetime, actor, track: bool = True) -> bool:
    """Inside a write transaction: mark the attempt submitted iff nobody did yet, then score it.

    A written-test result can change the trainee's unit status; with track=True that change is
    audited here (a caller that scores a whole class tracks the class itself)."""
    from ..results.changes import unit_status_changes   # results reads quizzes: import at call time

    head = db.session.execute(select(Attempt.user_id, Quiz.kind).join(Quiz, Quiz.id == Attempt.quiz_id)
                              .where(Attempt.id == attempt_id)).one()
    tracking = unit_status_changes([head.user_id], actor, "tes-tertulis", {"attempt": attempt_id}, test_only=True) \
        if track and head.kind == "written" else nullcontext()
    with tracking:
        claimed = db.session.execute(
            update(Attempt).where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
            .values(submitted_at=now, submitted_how=how).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            return False
        items = list(db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                                        .options(lazyload(AttemptItem.question))
                                        .execution_options(populate_existing=True)))
        keys = set(db.session.scalars(select(QuestionOption.id).where(
            QuestionOption.question_id.in_([i.question_id for i in items]), QuestionOption.is_key.is_(True))))
        correct = 0
        for item in items:
            item.is_correct = item.chosen_option_id in keys
            correct += item.is_correct
        score = round(100 * correct / len(items), 2) if items else 0.0
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(
            correct_count=correct, item_count=len(items), score=score).execution_options(synchronize_session=False))
        record("quiz.submit", actor=actor, target=f"attempt:{attempt_id}",
               detail={"how": how, "score": score, "correct": correct, "items": len(items)})
    return True
