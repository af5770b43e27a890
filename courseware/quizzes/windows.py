"""Class test windows: when one class may sit the written test, and the settings it sits it under.

Settings (items, time limit, attempts, counting, KKTP, review timing) belong to a class's window.
A new window copies the quiz's defaults (quizzes.yml, then edited by an admin); from then on only
that class's teacher (or an admin) changes them, so no change reaches another class.

A running attempt's deadline is the earlier of its start + time limit and its window's closing
time. Closing or shortening a window therefore moves the deadlines of that class's running
attempts, and "Tutup tes sekarang" scores them at once with what they had saved.
"""
from datetime import datetime, timedelta

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..accounts.models import User
from ..audit.service import record
from ..classes.models import Classroom, Enrollment
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from .models import COUNTING, REVIEW_POLICIES, SETTING_NAMES, Attempt, Quiz, QuizWindow, TestSettings


def validate_settings(values: dict) -> TestSettings:
    """The settings as typed values, or a ServiceError naming the first one out of range."""
    items = values.get("items_per_attempt")
    if not isinstance(items, int) or not 1 <= items <= 100:   # quizzes.selection.MAX_ITEMS
        raise ServiceError(_("Jumlah soal per percobaan 1-100."))
    limit = values.get("time_limit_minutes") or None
    if limit is not None and not 1 <= limit <= 300:
        raise ServiceError(_("Batas waktu 1-300 menit, atau kosongkan/0 untuk tanpa batas."))
    attempts = values.get("attempts_allowed") or None
    if attempts is not None and not 1 <= attempts <= 50:
        raise ServiceError(_("Jumlah percobaan 1-50, atau kosongkan/0 untuk tanpa batas."))
    if values.get("counting") not in COUNTING:
        raise ServiceError(_("Pilih nilai yang dihitung: tertinggi atau terakhir."))
    mark = values.get("pass_mark")
    if not isinstance(mark, int) or not 0 <= mark <= 100:
        raise ServiceError(_("KKTP (nilai lulus) 0-100."))
    if values.get("review_policy") not in REVIEW_POLICIES:
        raise ServiceError(_("Pilih kapan pembahasan ditampilkan."))
    return TestSettings(items, limit, attempts, values["counting"], mark, values["review_policy"])


def _apply(target, settings: TestSettings) -> dict:
    before = target.settings.as_dict() if getattr(target, "id", None) else None
    for name in SETTING_NAMES:
        setattr(target, name, getattr(settings, name))
    return before


def update_defaults(quiz: Quiz, actor: User, values: dict) -> None:
    """An admin changes a quiz's defaults: new class windows copy them; existing ones keep theirs."""
    if not actor.is_admin:
        raise ServiceError(_("Hanya admin yang mengubah pengaturan bawaan tes."), 403)
    settings = validate_settings(values)
    with write_transaction():
        before = _apply(quiz, settings)
        record("quiz.defaults", actor=actor, target=f"quiz:{quiz.code}",
               detail={"before": before, "after": settings.as_dict()})


# --- reading windows -------------------------------------------------------------------

def window_for(quiz_id: int, classroom_id: int | None) -> QuizWindow | None:
    if classroom_id is None:
        return None
    return db.session.scalar(select(QuizWindow).where(
        QuizWindow.quiz_id == quiz_id, QuizWindow.classroom_id == classroom_id))


def open_window_for(user: User, quiz: Quiz, now: datetime | None = None) -> QuizWindow | None:
    """An open window of one of the trainee's classes (the one closing last), or None."""
    now = now or utcnow()
    return db.session.scalar(
        select(QuizWindow).join(Enrollment, Enrollment.classroom_id == QuizWindow.classroom_id)
        .where(Enrollment.user_id == user.id, QuizWindow.quiz_id == quiz.id,
               QuizWindow.opens_at <= now, QuizWindow.closes_at > now)
        .order_by(QuizWindow.closes_at.desc()).limit(1))


def windows_of_trainee(user: User, quiz: Quiz) -> list[QuizWindow]:
    return list(db.session.scalars(
        select(QuizWindow).join(Enrollment, Enrollment.classroom_id == QuizWindow.classroom_id)
        .where(Enrollment.user_id == user.id, QuizWindow.quiz_id == quiz.id).order_by(QuizWindow.opens_at)))


def settings_for_attempt(attempt: Attempt) -> TestSettings:
    """The rules an attempt is scored under: its class window's, else the quiz's defaults."""
    window = window_for(attempt.quiz_id, attempt.classroom_id) if attempt.quiz.is_written else None
    return window.settings if window is not None else attempt.quiz.settings


def settings_for_trainee(user_id: int, quiz: Quiz, latest_attempt: Attempt | None = None) -> TestSettings:
    last = {user_id: latest_attempt.classroom_id} if latest_attempt is not None else {}
    return settings_for_trainees([user_id], quiz, last)[user_id]


def settings_for_trainees(user_ids: list[int], quiz: Quiz, last_classroom: dict) -> dict[int, TestSettings]:
    """The rules each trainee stands under for `quiz` (settings_among). Two queries whatever the
    number of trainees."""
    if not quiz.is_written:
        return {uid: quiz.settings for uid in user_ids}
    by_class = windows_by_class(quiz)
    classes: dict[int, list[int]] = {}
    for uid, cid in db.session.execute(select(Enrollment.user_id, Enrollment.classroom_id)
                                       .where(Enrollment.user_id.in_(user_ids))):
        classes.setdefault(uid, []).append(cid)
    now = utcnow()
    return {uid: settings_among(quiz, by_class, classes.get(uid, []), last_classroom.get(uid), now)
            for uid in user_ids}


def settings_among(quiz: Quiz, by_class: dict, class_ids: list[int], last_classroom_id: int | None,
                   now: datetime) -> TestSettings:
    """The rules one trainee stands under for `quiz`, on windows (`by_class`) and their classes
    already read: the window of the class they last sat it in, else their class's open (or latest)
    window, else the quiz's defaults."""
    if not quiz.is_written:
        return quiz.settings
    window = by_class.get(last_classroom_id)
    if window is None:
        mine = [by_class[cid] for cid in class_ids if cid in by_class]
        open_now = [w for w in mine if w.is_open(now)]
        window = max(open_now or mine, key=lambda w: w.closes_at) if mine else None
    return window.settings if window is not None else quiz.settings


def open_window_among(by_class: dict, class_ids: list[int], now: datetime) -> QuizWindow | None:
    """open_window_for on windows (`by_class`) and the trainee's classes already read."""
    open_now = [by_class[cid] for cid in class_ids if cid in by_class and by_class[cid].is_open(now)]
    return max(open_now, key=lambda w: w.closes_at) if open_now else None


def windows_by_class(quiz: Quiz) -> dict[int, QuizWindow]:
    return {w.classroom_id: w for w in db.session.scalars(select(QuizWindow).where(QuizWindow.quiz_id == quiz.id))}


def quiz_with_windows(code: str) -> tuple[Quiz | None, dict[int, QuizWindow]]:
    """The quiz of `code` and its windows by class, in one statement (a page that needs both)."""
    rows = db.session.execute(select(Quiz, QuizWindow).outerjoin(QuizWindow, QuizWindow.quiz_id == Quiz.id)
                              .where(Quiz.code == code)).all()
    if not rows:
        return None, {}
    return rows[0][0], {window.classroom_id: window for _quiz, window in rows if window is not None}


# --- changing windows ------------------------------------------------------------------

def set_window(classroom: Classroom, quiz: Quiz, opens_at: datetime, closes_at: datetime, review_policy: str,
               actor: User, **changes) -> QuizWindow:
    """Open the written test to one class between two moments (naive UTC), under its settings.

    `changes` (items_per_attempt, time_limit_minutes, attempts_allowed, counting, pass_mark)
    override the window's current settings, or the quiz's defaults for a new window. Every unit
    status the change flips is audited in the same transaction (this class's trainees only)."""
    if not quiz.is_written:
        raise ServiceError(_("Latihan selalu terbuka; jadwal hanya untuk tes tertulis."))
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise ServiceError(_("Waktu tutup harus sesudah waktu buka."))
    unknown = set(changes) - set(SETTING_NAMES)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    current = window_for(quiz.id, classroom.id)
    values = {**(current or quiz).settings.as_dict(), **changes, "review_policy": review_policy}
    settings = validate_settings(values)
    trainee_ids = _trainee_ids(classroom)
    with write_transaction():
        with _tracking(trainee_ids, actor, "pengaturan-tes"):
            window = window_for(quiz.id, classroom.id)
            if window is None:
                window = QuizWindow(quiz_id=quiz.id, classroom_id=classroom.id, opens_at=opens_at,
                                    closes_at=closes_at)
                db.session.add(window)
            before = _apply(window, settings)
            window.opens_at, window.closes_at, window.set_by_id = opens_at, closes_at, actor.id
            db.session.flush()
            moved, scored = _enforce_closing(window, actor)
            record("quiz.window", actor=actor, target=f"class:{classroom.id}",
                   detail={"quiz": quiz.code, "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat(),
                           "settings_before": before, "settings": settings.as_dict(),
                           "deadlines_moved": moved, "attempts_closed": scored})
    return window


def close_window_now(classroom: Classroom, quiz: Quiz, actor: User, now: datetime | None = None) -> int:
    """End the class's window at once; its running attempts are scored now with what they saved.
    Returns how many running attempts were closed."""
    now = now or utcnow()
    trainee_ids = _trainee_ids(classroom)
    with write_transaction():
        with _tracking(trainee_ids, actor, "tes-ditutup"):
            window = window_for(quiz.id, classroom.id)
            if window is None:
                abort(404)
            if window.opens_at >= now:
                window.opens_at = now - timedelta(seconds=1)
            window.closes_at = now
            db.session.flush()
            moved, scored = _enforce_closing(window, actor, now)
            record("quiz.window_close", actor=actor, target=f"class:{classroom.id}",
                   detail={"quiz": quiz.code, "deadlines_moved": moved, "attempts_closed": scored})
    return scored


def _enforce_closing(window: QuizWindow, actor: User, now: datetime | None = None) -> tuple[int, int]:
    """Pull every running attempt of the window's class back to the closing time; score those
    whose deadline is now past. Returns (deadlines moved, attempts scored)."""
    from .taking import claim_and_score   # scoring lives with the attempts

    now = now or utcnow()
    running = (Attempt.quiz_id == window.quiz_id, Attempt.classroom_id == window.classroom_id,
               Attempt.submitted_at.is_(None))
    moved = db.session.execute(
        update(Attempt).where(*running, (Attempt.deadline_at.is_(None)) | (Attempt.deadline_at > window.closes_at))
        .values(deadline_at=window.closes_at).execution_options(synchronize_session=False)).rowcount
    due = list(db.session.scalars(select(Attempt.id).where(*running, Attempt.deadline_at <= now)))
    # The caller tracks unit-status changes for the whole class, so each scoring does not again.
    scored = sum(claim_and_score(attempt_id, "ditutup-guru", now, actor=actor, track=False) for attempt_id in due)
    return moved, scored


def _trainee_ids(classroom: Classroom) -> list[int]:
    return list(db.session.scalars(select(Enrollment.user_id).where(Enrollment.classroom_id == classroom.id)))


def _tracking(trainee_ids, actor, cause):
    from ..results.changes import unit_status_changes   # results reads quizzes: import at call time

    return unit_status_changes(trainee_ids, actor, cause, test_only=True)   # test settings never move a LIK
