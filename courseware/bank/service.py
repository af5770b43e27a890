"""Question-bank rules: versions, sync of the shipped files, the editor, Moodle interchange.

Versioning: rows with the same uid are versions of one item; the newest version is the one
the editor shows. A change to an item nobody has answered updates the row in place; a change
to an answered item retires that row and adds version+1, so every old attempt still shows what
was asked. Nothing is ever deleted.
"""
import re
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from .loader import read_bank
from .models import KUKS, Question, QuestionOption
from .validation import LETTERS, ItemData, StemRegister, validate_item

# --- "has anyone answered this question?" -------------------------------------------------

_usage_checks: list = []


def register_usage_check(fn):
    """Register fn(question_id) -> bool (the quizzes domain: True once an attempt used it)."""
    if fn not in _usage_checks:
        _usage_checks.append(fn)
    return fn


def unregister_usage_check(fn) -> None:
    if fn in _usage_checks:
        _usage_checks.remove(fn)


def is_answered(question_id: int) -> bool:
    """True when any registered checker says so; with no checker, a question counts as unused."""
    return any(fn(question_id) for fn in list(_usage_checks))


class ItemInvalid(ServiceError):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems), status=400)
        self.problems = problems


# --- queries ------------------------------------------------------------------------------

def get_question_for_editor(question_id: int, user) -> Question:
    """The question if it exists and `user` may edit the bank (teacher/admin); 404 otherwise."""
    question = db.session.get(Question, question_id)
    if question is None or not user.has_role("teacher", "admin"):
        abort(404)
    return question


def latest_version_of(uid: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.uid == uid).order_by(Question.version.desc()).limit(1))


def is_latest(question: Question) -> bool:
    newest = db.session.scalar(select(func.max(Question.version)).where(Question.uid == question.uid))
    return question.version == newest


def versions_of(uid: str) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.uid == uid).order_by(Question.version.desc())))


def _latest_subquery():
    return select(Question.uid, func.max(Question.version).label("v")).group_by(Question.uid).subquery()


def bank_items(kuk: str | None = None, status: str = "aktif") -> list[Question]:
    """Newest version of every item, optionally one KUK; status aktif | pensiun | semua."""
    latest = _latest_subquery()
    query = select(Question).join(latest, (Question.uid == latest.c.uid) & (Question.version == latest.c.v))
    if kuk:
        query = query.where(Question.kuk == kuk)
    if status == "aktif":
        query = query.where(Question.retired.is_(False))
    elif status == "pensiun":
        query = query.where(Question.retired.is_(True))
    return list(db.session.scalars(query.order_by(Question.kuk, Question.uid)))


def active_questions(kuk: str | None = None) -> list[Question]:
    query = select(Question).where(Question.retired.is_(False))
    if kuk:
        query = query.where(Question.kuk == kuk)
    return list(db.session.scalars(query.order_by(Question.kuk, Question.uid)))


def kuk_counts() -> dict[str, dict[str, int]]:
    """{kuk: {"aktif": n, "pensiun": n}} over the newest versions."""
    counts = {k: {"aktif": 0, "pensiun": 0} for k in KUKS}
    for q in bank_items(status="semua"):
        counts.setdefault(q.kuk, {"aktif": 0, "pensiun": 0})["pensiun" if q.retired else "aktif"] += 1
    return counts


def _active_stems(exclude_uid: str = "") -> StemRegister:
    stems = {}
    for uid, stem in db.session.execute(select(Question.uid, Question.stem).where(Question.retired.is_(False))):
        if uid != exclude_uid:
            stems.setdefault(" ".join(stem.casefold().split()), uid)
    return StemRegister(stems)


def item_of(question: Question) -> ItemData:
    key = next((i for i, o in enumerate(question.options) if o.is_key), None)
    return ItemData(kuk=question.kuk, uid=question.uid, stem=question.stem, explanation=question.explanation,
                    options=[o.text for o in question.options], key=key,
                    feedback=[o.feedback for o in question.options], pool=question.pool, level=question.level)


# --- writing rows -------------------------------------------------------------------------

def _new_question(item: ItemData, uid: str, version: int, origin: str, retired: bool = False) -> Question:
    question = Question(uid=uid, version=version, kuk=item.kuk, pool=item.pool, level=item.level, stem=item.stem,
                        explanation=item.explanation, origin=origin, retired=retired)
    question.options = _option_rows(item)
    db.session.add(question)
    return question


def _option_rows(item: ItemData) -> list[QuestionOption]:
    feedback = list(item.feedback) + [""] * len(item.options)
    return [QuestionOption(position=i, text=text, is_key=(i == item.key), feedback=feedback[i] or "")
            for i, text in enumerate(item.options)]


def _update_in_place(question: Question, item: ItemData, origin: str | None = None) -> None:
    question.kuk, question.stem, question.explanation = item.kuk, item.stem, item.explanation
    question.pool, question.level = item.pool, item.level
    if origin:
        question.origin = origin
    # Rewrite the option rows by position (ids stay stable); drop or add rows when the count changed.
    new_rows = _option_rows(item)
    existing = sorted(question.options, key=lambda o: o.position)
    for row, new in zip(existing, new_rows):
        row.text, row.is_key, row.feedback = new.text, new.is_key, new.feedback
    for row in existing[len(new_rows):]:
        question.options.remove(row)
    db.session.flush()
    question.options.extend(new_rows[len(existing):])


def _apply_change(question: Question, item: ItemData, origin: str) -> tuple[Question, str]:
    """Change an item: in place when unanswered, else retire it and add version+1.

    Returns (the row now holding the item, "updated" | "new_version").
    """
    if not is_answered(question.id):
        _update_in_place(question, item, origin)
        return question, "updated"
    was_retired = question.retired
    question.retired = True
    return _new_question(item, question.uid, question.version + 1, origin, retired=was_retired), "new_version"


# --- sync of the shipped files -----------------------------------------------------------

@dataclass
class SyncSummary:
    created: int = 0
    updated: int = 0
    new_versions: int = 0
    retired: int = 0
    unchanged: int = 0
    kept_edits: int = 0

    def __str__(self):
        return _("%(c)d baru, %(u)d diperbarui, %(v)d versi baru, %(r)d dipensiunkan, %(s)d tetap, "
                 "%(k)d suntingan guru dipertahankan.", c=self.created, u=self.updated, v=self.new_versions,
                 r=self.retired, s=self.unchanged, k=self.kept_edits)


def sync_shipped_bank(root) -> SyncSummary:
    """Load quizzes/bank/*.yml into rows, idempotently by uid. Refuses broken files entirely.

    An item whose newest version came from the editor or an import (a teacher's edit) is left
    alone: the teacher's change wins over the shipped text.
    """
    items, problems, _info = read_bank(root)
    if problems:
        raise ItemInvalid([_("Berkas soal bermasalah; tidak ada yang dimuat.")] + problems)
    summary = SyncSummary()
    in_files = {item.uid for item in items}
    with write_transaction():
        for item in items:
            latest = latest_version_of(item.uid)
            if latest is None:
                _new_question(item, item.uid, 1, "bank")
                summary.created += 1
            elif latest.origin != "bank":
                summary.kept_edits += 1
            elif item_of(latest).fingerprint() == item.fingerprint():
                if (latest.pool, latest.level) == (item.pool, item.level):
                    summary.unchanged += 1
                else:   # a new pool or level changes no text, so no new version
                    latest.pool, latest.level = item.pool, item.level
                    summary.updated += 1
            else:
                _row, how = _apply_change(latest, item, "bank")
                if how == "updated":
                    summary.updated += 1
                else:
                    summary.new_versions += 1
        gone = list(db.session.scalars(select(Question).where(
            Question.origin == "bank", Question.retired.is_(False), Question.uid.not_in(in_files))))
        for question in gone:
            question.retired = True
            summary.retired += 1
        if summary.created or summary.updated or summary.new_versions or summary.retired:
            record("bank.sync", actor=None, target="bank", detail={
                "created": summary.created, "updated": summary.updated, "new_versions": summary.new_versions,
                "retired": summary.retired})
    return summary


# --- the editor ---------------------------------------------------------------------------

def _next_uid(kuk: str, letter: str) -> str:
    """A fresh uid like 1.1-g01 (g = guru/editor, m = Moodle import); never a shipped-file id."""
    prefix = f"{kuk}-{letter}"
    used = db.session.scalars(select(Question.uid).where(Question.uid.like(f"{prefix}%")))
    numbers = [int(m.group(1)) for u in used if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", u))]
    return f"{prefix}{(max(numbers) + 1 if numbers else 1):02d}"


def _check_item(item: ItemData, exclude_uid: str = "", require_explanation: bool = True,
                stems: StemRegister | None = None) -> list[str]:
    problems = validate_item(item, require_explanation=require_explanation)
    stems = stems if stems is not None else _active_stems(exclude_uid)
    if item.stem.strip():
        duplicate = stems.duplicate_message(item.stem, exclude_uid)
        if duplicate:
            problems.append(duplicate)
    return problems


def _clean(item: ItemData) -> ItemData:
    item.stem = (item.stem or "").strip()
    item.explanation = (item.explanation or "").strip()
    item.options = [(o or "").strip() for o in item.options]
    return item


def create_question(item: ItemData, actor) -> Question:
    item = _clean(item)
    with write_transaction():
        problems = _check_item(item)
        if problems:
            raise ItemInvalid(problems)
        uid = _next_uid(item.kuk, "g")
        question = _new_question(item, uid, 1, "editor")
        db.session.flush()
        record("bank.create", actor=actor, target=f"question:{uid}", detail={"id": question.id, "kuk": item.kuk})
    return question


def update_question(question: Question, item: ItemData, actor) -> tuple[Question, str]:
    """Save an edit. Returns (row holding the item, "unchanged" | "updated" | "new_version")."""
    item = _clean(item)
    item.uid = question.uid
    with write_transaction():
        if not is_latest(question):
            raise ServiceError(_("Ini versi lama soal %(u)s; ubah versi terbarunya.", u=question.uid), 409)
        problems = _check_item(item, exclude_uid=question.uid)
        if problems:
            raise ItemInvalid(problems)
        old = item_of(question)
        # Keep per-option feedback (from imports) for options whose text did not change.
        by_text = {text: fb for text, fb in zip(old.options, old.feedback)}
        item.feedback = [by_text.get(text, "") for text in item.options]
        if old.fingerprint() == item.fingerprint():
            if (old.pool, old.level) == (item.pool, item.level):
                return question, "unchanged"
            question.pool, question.level = item.pool, item.level
            record("bank.pool", actor=actor, target=f"question:{question.uid}",
                   detail={"id": question.id, "pool": [old.pool, item.pool], "level": [old.level, item.level]})
            return question, "updated"
        row, how = _apply_change(question, item, "editor")
        db.session.flush()
        record(f"bank.{how}", actor=actor, target=f"question:{question.uid}",
               detail={"id": row.id, "version": row.version, "previous_id": question.id})
    return row, how


def set_retired(question: Question, retired: bool, actor) -> None:
    with write_transaction():
        if not is_latest(question):
            raise ServiceError(_("Ini versi lama soal %(u)s; yang berlaku adalah versi terbarunya.",
                                 u=question.uid), 409)
        if question.retired == retired:
            return
        if not retired:
            duplicate = _active_stems(question.uid).duplicate_message(question.stem, question.uid)
            if duplicate:
                raise ServiceError(_("Tidak dapat diaktifkan: %(m)s", m=duplicate), 409)
        question.retired = retired
        record("bank.retire" if retired else "bank.reactivate", actor=actor, target=f"question:{question.uid}",
               detail={"id": question.id, "version": question.version})


def item_from_form(kuk: str, stem: str, options: list[str], key_letter: str, explanation: str,
                   pool: str, level: str = "penerapan") -> ItemData:
    """Build an item from the editor's fields: options A-F filled in order, empty trailing ones dropped."""
    options = [(o or "").strip() for o in options]
    while options and not options[-1]:
        options.pop()
    key = LETTERS.index(key_letter) if key_letter in LETTERS[:max(len(options), 1)] else None
    return ItemData(kuk=kuk, stem=stem, options=options, key=key, explanation=explanation, pool=pool, level=level)


# --- Moodle interchange: courseware/bank/interchange.py (re-exported for callers of service) ---

from .interchange import (  # noqa: E402,F401
    MAX_IMPORT_BYTES, REFUSAL_REASONS, ImportEntry, ImportReport, category_path, decode_upload, export_gift,
    export_moodle_xml, import_file, import_gift, import_moodle_xml, kuk_from_category,
)
