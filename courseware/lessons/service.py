"""Lesson rules: what a user may read, a trainee's progress, the teacher's grid and 5-JP plan.

Requests never run Markdown: they read HTML rendered at sync time (see sync.py).
"""
import functools

from flask import abort
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import undefer

from ..accounts.models import User
from ..classes.models import Classroom, Enrollment
from ..classes.service import classes_taught_by, get_class_for_teacher, trainees_of  # noqa: F401
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from .content import ELEMENTS, JP_MINUTES, PLAN_MINUTES
from .models import ContentDocument, Lesson, LessonProgress

ACTIVITY_LABELS = {
    "penjelasan": "Penjelasan",
    "diskusi": "Diskusi",
    "latihan-peran": "Latihan bermain peran",
    "tes-tertulis": "Tes tertulis",
    "perekaman-lik": "Perekaman praktik LIK",
    "refleksi": "Refleksi",
}


# --- reading ----------------------------------------------------------------------------

INDEX_COLUMNS = (Lesson.id, Lesson.title, Lesson.element, Lesson.kind, Lesson.kuk, Lesson.position, Lesson.minutes)


def active_lessons() -> list:
    """Every lesson in reading order (element, position): light rows (id, title, element, kind, kuk,
    position, minutes) without the HTML bodies; a column query, cheaper than ORM entities."""
    return list(db.session.execute(
        select(*INDEX_COLUMNS).where(Lesson.retired.is_(False))
        .order_by(Lesson.element, Lesson.position, Lesson.id)).all())


@functools.cache
def _lesson_query():
    return select(Lesson).options(undefer(Lesson.body_html)).where(Lesson.id == bindparam("lesson_id"),
                                                                    Lesson.retired.is_(False))


def get_lesson(lesson_id: str) -> Lesson:
    """The lesson with its HTML; 404 for an unknown or retired id."""
    lesson = db.session.scalar(_lesson_query(), {"lesson_id": lesson_id})
    if lesson is None:
        abort(404)
    return lesson


@functools.cache
def _index_with_progress_query():
    return (select(*INDEX_COLUMNS, LessonProgress.id.label("progress_id"))
            .outerjoin(LessonProgress, (LessonProgress.lesson_id == Lesson.id)
                       & (LessonProgress.user_id == bindparam("user_id")))
            .where(Lesson.retired.is_(False)).order_by(Lesson.element, Lesson.position, Lesson.id))


def lessons_with_progress(user: User) -> tuple[list, set[str]]:
    """The index (as active_lessons) and the ids of the active lessons `user` marked done, in one query."""
    rows = db.session.execute(_index_with_progress_query(), {"user_id": user.id}).all()
    return rows, {r.id for r in rows if r.progress_id is not None}


@functools.lru_cache(maxsize=64)
def _shown_body(lesson_id: str, body_html: str) -> Markup:
    from ..tables import label_tables
    from .glossary import link_back

    return Markup(label_tables(link_back(body_html, lesson_id)))  # nosec B704 - sanitised at sync time


def shown_body(lesson: Lesson) -> Markup:
    """The lesson's HTML as the page shows it: glossary links that lead back, tables labelled for
    phones. Pure in (id, HTML), so it is worked out once per version of the lesson, not per request
    (the page-wide labelling then skips tables already labelled)."""
    return _shown_body(lesson.id, lesson.body_html)


def neighbours(lesson: Lesson, lessons: list) -> tuple:
    ids = [l.id for l in lessons]
    i = ids.index(lesson.id)
    return (lessons[i - 1] if i > 0 else None), (lessons[i + 1] if i + 1 < len(lessons) else None)


def done_ids(user: User) -> set[str]:
    return set(db.session.scalars(select(LessonProgress.lesson_id).where(LessonProgress.user_id == user.id)))


def elements_overview(lessons: list, done: set[str]) -> list[dict]:
    """Both elements with their KUK, lessons, minutes and how many of them `done` holds."""
    out = []
    for number, spec in ELEMENTS.items():
        mine = [l for l in lessons if l.element == number]
        out.append({
            "number": number, "title": spec["title"], "kuk": spec["kuk"], "practical": spec["practical"],
            "lessons": mine, "minutes": sum(l.minutes for l in mine),
            "done": sum(1 for l in mine if l.id in done), "total": len(mine),
        })
    return out


def progress_summary(user: User) -> dict:
    """Lessons done / total, per element, and the next lesson to read (for the dashboard and later issues)."""
    lessons, done = lessons_with_progress(user)
    next_lesson = next((l for l in lessons if l.id not in done), None)
    per_element = {e["number"]: {"done": e["done"], "total": e["total"]}
                   for e in elements_overview(lessons, done)}
    total = len(lessons)
    return {
        "done": len(done), "total": total,
        "percent": round(100 * len(done) / total) if total else 0,
        "elements": per_element,
        "next_lesson": next_lesson,
        "started": bool(done),
        "complete": bool(total) and len(done) == total,
    }


def _document(key: str) -> dict:
    doc = db.session.get(ContentDocument, key)
    return doc.data if doc is not None else {}


def glossary_entries() -> list[dict]:
    return _document("glossary").get("entries", [])


def reference_entries() -> list[dict]:
    return _document("references").get("entries", [])


# --- progress ---------------------------------------------------------------------------

def set_done(user: User, lesson_id: str, done: bool) -> bool:
    """Mark (or unmark) a lesson as read by a trainee; repeating it changes nothing. Returns `done`."""
    if not user.has_role("trainee"):
        raise ServiceError(_("Hanya peserta yang menandai kemajuan baca."), status=403)
    with write_transaction() as session:
        lesson = session.scalar(select(Lesson).where(Lesson.id == lesson_id, Lesson.retired.is_(False)))
        if lesson is None:
            abort(404)
        row = session.scalar(select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson_id))
        if done and row is None:
            session.add(LessonProgress(user_id=user.id, lesson_id=lesson_id))
        elif not done and row is not None:
            session.execute(delete(LessonProgress).where(LessonProgress.id == row.id))
    return done


# --- teachers ---------------------------------------------------------------------------

def progress_grid(classroom: Classroom) -> dict:
    """Trainee x lesson for one class (the caller got it through get_class_for_teacher)."""
    lessons = active_lessons()
    trainees = trainees_of(classroom)
    rows = db.session.execute(
        select(LessonProgress.user_id, LessonProgress.lesson_id)
        .join(Enrollment, Enrollment.user_id == LessonProgress.user_id)
        .where(Enrollment.classroom_id == classroom.id)
    ).all()
    done = {(u, l) for u, l in rows}
    active = {l.id for l in lessons}
    per_trainee = {t.id: sum(1 for (u, l) in done if u == t.id and l in active) for t in trainees}
    per_lesson = {l.id: sum(1 for t in trainees if (t.id, l.id) in done) for l in lessons}
    return {"lessons": lessons, "trainees": trainees, "done": done,
            "per_trainee": per_trainee, "per_lesson": per_lesson}


def teaching_plan() -> dict:
    """The 5-JP plan with each activity's minutes; lesson activities take them from the lessons."""
    lessons = {l.id: l for l in active_lessons()}
    meetings = []
    for number, meeting in enumerate(_document("plan").get("meetings", []), start=1):
        activities, start = [], 0
        for act in meeting["activities"]:
            act_lessons = [lessons[i] for i in act["lessons"] if i in lessons]
            minutes = sum(l.minutes for l in act_lessons) if act["lessons"] else (act["minutes"] or 0)
            activities.append({**act, "label": ACTIVITY_LABELS.get(act["kind"], act["kind"]),
                               "lesson_rows": act_lessons, "minutes": minutes, "start": start})
            start += minutes
        total = sum(a["minutes"] for a in activities)
        meetings.append({"number": number, "title": meeting["title"], "jp": meeting["jp"],
                         "activities": activities, "minutes": total,
                         "planned": (meeting["jp"] or 0) * JP_MINUTES})
    total = sum(m["minutes"] for m in meetings)
    by_kind = {}
    for m in meetings:
        for a in m["activities"]:
            by_kind[a["label"]] = by_kind.get(a["label"], 0) + a["minutes"]
    return {"meetings": meetings, "minutes": total, "target": PLAN_MINUTES, "in_step": total == PLAN_MINUTES,
            "by_kind": by_kind}


# --- dashboard panel --------------------------------------------------------------------

def panel_context(user: User) -> dict:
    ctx = {}
    if user.has_role("trainee"):
        ctx["summary"] = progress_summary(user)
    if user.has_role("teacher", "admin"):
        ctx["classes"] = classes_taught_by(user)
    return ctx
