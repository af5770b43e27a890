"""Question-bank rules: versions, sync of the shipped files, the editor, Moodle interchange.

Versioning: rows with the same uid are versions of one item; the newest version is the one
the editor shows. A change to an item nobody has answered updates the row in place; a change
to an answered item retires that row and adds version+1, so every old attempt still shows what
was asked. Nothing is ever deleted.
"""
import re
from dataclasses import dataclass, field

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import UNIT_CODE
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from . import gift, moodlexml
from .loader import UID_RE, read_bank
from .models import KUKS, POOLS, Question, QuestionOption
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


# --- Moodle interchange ------------------------------------------------------------------

def category_path(kuk: str) -> str:
    return f"{UNIT_CODE}/KUK {kuk}"


def _grouped_active() -> list[tuple[str, list[Question]]]:
    groups = {}
    for q in active_questions():
        groups.setdefault(q.kuk, []).append(q)
    return [(k, groups[k]) for k in KUKS if k in groups] + [(k, v) for k, v in groups.items() if k not in KUKS]


def export_gift() -> str:
    from .. import UNIT_TITLE

    parts = [f"// {UNIT_CODE} {UNIT_TITLE}: bank soal (format GIFT Moodle)\n",
             "// Satu $CATEGORY per KUK; nama soal = kode soal; pembahasan = umpan balik umum (####).\n"]
    for kuk, questions in _grouped_active():
        parts.append("\n" + gift.write_category(category_path(kuk)) + "\n")
        for q in questions:
            parts.append(f"// {q.uid} versi {q.version}\n")
            parts.append(gift.write_question(q.uid, q.stem, [(o.text, o.is_key, o.feedback) for o in q.options],
                                             q.explanation))
            parts.append("\n")
    return "".join(parts)


def export_moodle_xml() -> bytes:
    return moodlexml.build([(f"$course$/top/{category_path(kuk)}", _("Soal untuk KUK %(k)s", k=kuk), qs)
                            for kuk, qs in _grouped_active()])


_KUK_IN_CATEGORY = re.compile(r"(?<![\d.])([12]\.[1-6])(?![\d.])")


def kuk_from_category(category: str | None) -> str | None:
    """'N.821100.046/KUK 1.1' -> '1.1': the last path segment naming a known KUK wins."""
    if not category:
        return None
    for segment in reversed(category.split("/")):
        for match in reversed(_KUK_IN_CATEGORY.findall(segment)):
            if match in KUKS:
                return match
    return None


REFUSAL_REASONS = {
    "description": lambda: _("Teks deskripsi, bukan soal."),
    "essay": lambda: _("Soal esai tidak didukung; bank hanya menerima pilihan ganda dengan satu jawaban benar."),
    "truefalse": lambda: _("Soal benar/salah tidak didukung; bank hanya menerima pilihan ganda dengan satu "
                           "jawaban benar."),
    "shortanswer": lambda: _("Soal isian singkat tidak didukung; bank hanya menerima pilihan ganda dengan satu "
                             "jawaban benar."),
    "match": lambda: _("Soal menjodohkan tidak didukung; bank hanya menerima pilihan ganda dengan satu "
                       "jawaban benar."),
    "numerical": lambda: _("Soal numerik tidak didukung; bank hanya menerima pilihan ganda dengan satu "
                           "jawaban benar."),
}


@dataclass
class ImportEntry:
    line: int
    name: str
    stem: str
    imported: bool
    reason: str = ""
    uid: str = ""
    kuk: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    entries: list[ImportEntry] = field(default_factory=list)

    @property
    def imported(self) -> list[ImportEntry]:
        return [e for e in self.entries if e.imported]

    @property
    def refused(self) -> list[ImportEntry]:
        return [e for e in self.entries if not e.imported]


def decode_upload(raw: bytes) -> str:
    if b"\x00" in raw:
        raise ServiceError(_("Berkas bukan teks GIFT (berisi data biner)."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(_("Berkas tidak dapat dibaca: simpan sebagai teks UTF-8."))


def _gift_refusal(q: gift.GiftQuestion) -> str | None:
    if q.error == "brace":
        return _("Kurung kurawal { } tidak lengkap.")
    if q.qtype != "multichoice":
        return REFUSAL_REASONS.get(q.qtype, lambda: _("Jenis soal tidak dikenal."))()
    if not q.single:
        return _("Soal pilihan ganda dengan beberapa jawaban benar (bobot %) tidak didukung; bank hanya "
                 "menerima satu jawaban benar.")
    if q.missing_word:
        return _("Soal kata hilang (pilihan di tengah kalimat) tidak didukung.")
    if any(a.fraction not in (0.0, 1.0) for a in q.answers):
        return _("Ada pilihan dengan bobot nilai sebagian atau negatif (%n%); bank hanya menerima satu kunci "
                 "bernilai penuh dan pilihan lain bernilai nol.")
    keys = sum(1 for a in q.answers if a.fraction == 1.0)
    if keys != 1:
        return _("Harus tepat satu jawaban benar (ada %(n)d).", n=keys)
    return None


def _import_uid(name: str, kuk: str, taken: set[str]) -> str:
    """The GIFT name when it can serve as a uid (free, short, not a shipped-file id), else 1.1-m01..."""
    candidate = " ".join((name or "").split())
    if (candidate and len(candidate) <= 40 and not UID_RE.match(candidate) and candidate not in taken
            and db.session.scalar(select(Question.id).where(Question.uid == candidate).limit(1)) is None):
        return candidate
    prefix = f"{kuk}-m"
    used = set(db.session.scalars(select(Question.uid).where(Question.uid.like(f"{prefix}%")))) | taken
    n = 1
    while f"{prefix}{n:02d}" in used:
        n += 1
    return f"{prefix}{n:02d}"


def import_gift(source: str, default_kuk: str | None, actor, pool: str) -> ImportReport:
    """Import the single-answer multiple-choice items of a GIFT text; report every item.

    Items are checked with the bank's validation (2-6 options, one key, distinct options, no
    "semua benar"-style options, no duplicate stem); an empty explanation is allowed and noted.
    """
    if default_kuk and default_kuk not in KUKS:
        raise ServiceError(_("KUK %(k)s tidak dikenal.", k=default_kuk))
    if pool not in POOLS:
        raise ServiceError(_("Pilih kelompok soal tujuan: ujian (tes tertulis) atau latihan (kuis latihan)."))
    parsed = gift.parse_gift(source)
    report = ImportReport()
    with write_transaction():
        stems = _active_stems()
        taken: set[str] = set()
        for q in parsed.questions:
            entry = ImportEntry(line=q.line, name=q.name, stem=q.text, imported=False)
            report.entries.append(entry)
            refusal = _gift_refusal(q)
            if refusal:
                entry.reason = refusal
                continue
            kuk = kuk_from_category(q.category) or default_kuk or ""
            key = next(i for i, a in enumerate(q.answers) if a.fraction == 1.0)
            item = ItemData(kuk=kuk, stem=q.text, options=[a.text for a in q.answers], key=key,
                            explanation=q.general_feedback, feedback=[a.feedback for a in q.answers], pool=pool)
            problems = _check_item(item, require_explanation=False, stems=stems)
            if not kuk:   # validate_item's first problem is then the unknown KUK: say what to do
                problems[0] = _("KUK tidak diketahui: kategori tidak memuat KUK (mis. 1.1); pilih KUK bawaan "
                                "saat mengimpor.")
            if problems:
                entry.reason = " ".join(problems)
                continue
            uid = _import_uid(q.name if q.explicit_name else "", kuk, taken)
            taken.add(uid)
            stems.add(item.stem, uid)
            _new_question(item, uid, 1, "gift")
            entry.imported, entry.uid, entry.kuk = True, uid, kuk
            if not item.explanation:
                entry.notes.append(_("Tanpa pembahasan; lengkapi di penyunting bank soal."))
        record("bank.import_gift", actor=actor, target="bank", detail={
            "imported": len(report.imported), "refused": len(report.refused), "pool": pool})
    return report

