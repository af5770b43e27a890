"""Moodle interchange: GIFT and Moodle XML export, and the import of either (told apart by content).

Every question a file holds is reported: imported (with a note for each image, audio, video or
link that plain text cannot keep) or refused with its reason. A file that cannot be read at all
(binary, not UTF-8, broken or hostile XML, too big) raises ServiceError and writes nothing.
"""
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from .. import UNIT_CODE
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..text import one_line
from . import gift, moodlexml
from .loader import UID_RE
from .models import KUKS, POOLS, Question
from .validation import ItemData

# Moodle XML carries images as base64 inside the file, so a real bank is larger than its text.
MAX_IMPORT_BYTES = 8 * 1024 * 1024


# --- export ---------------------------------------------------------------------------------

def category_path(kuk: str) -> str:
    return f"{UNIT_CODE}/KUK {kuk}"


def _grouped_active() -> list[tuple[str, list[Question]]]:
    from .service import active_questions

    groups = {}
    for q in active_questions():
        groups.setdefault(q.kuk, []).append(q)
    return [(k, groups[k]) for k in KUKS if k in groups] + [(k, v) for k, v in groups.items() if k not in KUKS]


def export_gift() -> str:
    """The active bank as GIFT. Nothing in it depends on row versions or ids, so exporting,
    importing into a fresh instance and exporting again gives the same file."""
    from .. import UNIT_TITLE

    parts = [f"// {UNIT_CODE} {UNIT_TITLE}: bank soal (format GIFT Moodle)\n",
             "// Satu $CATEGORY per KUK; nama soal = kode soal; pembahasan = umpan balik umum (####).\n"]
    for kuk, questions in _grouped_active():
        parts.append("\n" + gift.write_category(category_path(kuk)) + "\n")
        for q in questions:
            parts.append(gift.write_question(q.uid, q.stem, [(o.text, o.is_key, o.feedback) for o in q.options],
                                             q.explanation))
            parts.append("\n")
    return "".join(parts)


def export_moodle_xml() -> bytes:
    return moodlexml.build([(f"$course$/top/{category_path(kuk)}", _("Soal untuk KUK %(k)s", k=kuk), qs)
                            for kuk, qs in _grouped_active()])


# --- reading a file -------------------------------------------------------------------------

_KUK_IN_CATEGORY = re.compile(r"(?<![\d.])([12]\.[1-6])(?![\d.])")


def kuk_from_category(category: str | None) -> str | None:
    """'N.821100.046/KUK 1.1' -> '1.1': the last path segment naming a known KUK wins, so a nested
    Moodle path such as '$course$/top/Layanan/KUK 2.5/Latihan' gives 2.5."""
    if not category:
        return None
    for segment in reversed(category.split("/")):
        for match in reversed(_KUK_IN_CATEGORY.findall(segment)):
            if match in KUKS:
                return match
    return None


_ONLY_SINGLE = "bank hanya menerima pilihan ganda dengan satu jawaban benar."
REFUSAL_REASONS = {
    "description": lambda: _("Teks deskripsi, bukan soal."),
    "essay": lambda: _("Soal esai tidak didukung; %(r)s", r=_ONLY_SINGLE),
    "truefalse": lambda: _("Soal benar/salah tidak didukung; %(r)s", r=_ONLY_SINGLE),
    "shortanswer": lambda: _("Soal isian singkat tidak didukung; %(r)s", r=_ONLY_SINGLE),
    "match": lambda: _("Soal menjodohkan tidak didukung; %(r)s", r=_ONLY_SINGLE),
    "numerical": lambda: _("Soal numerik tidak didukung; %(r)s", r=_ONLY_SINGLE),
    "multianswer": lambda: _("Soal cloze (multianswer, beberapa isian di dalam teks) tidak didukung; %(r)s",
                             r=_ONLY_SINGLE),
    "random": lambda: _("Soal acak (random) hanya menunjuk ke kategori Moodle, bukan soal; impor soal-soal "
                        "kategori itu sendiri."),
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
    format: str = "gift"            # gift | moodlexml

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


def _refusal(q: gift.GiftQuestion) -> str | None:
    if q.error and q.error.startswith("control:"):
        return _("Soal memuat karakter kendali tak terlihat (%(c)s, mis. ganti baris atau halaman dari Word) yang "
                 "membuat berkas Moodle XML rusak; hapus karakter itu di berkas lalu impor lagi.", c=q.error[8:])
    if q.error == "brace":
        return _("Kurung kurawal { } tidak lengkap.")
    if q.qtype != "multichoice":
        known = REFUSAL_REASONS.get(q.qtype)
        if known:
            return known()
        return _("Jenis soal Moodle \"%(t)s\" tidak didukung; %(r)s", t=q.qtype or "-", r=_ONLY_SINGLE)
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
    """The Moodle name when it can serve as a uid (free, short, not a shipped-file id), else 1.1-m01..."""
    candidate = one_line(name)
    if (candidate and len(candidate) <= 40 and not UID_RE.match(candidate) and candidate not in taken
            and db.session.scalar(select(Question.id).where(Question.uid == candidate).limit(1)) is None):
        return candidate
    prefix = f"{kuk}-m"
    used = set(db.session.scalars(select(Question.uid).where(Question.uid.like(f"{prefix}%")))) | taken
    n = 1
    while f"{prefix}{n:02d}" in used:
        n += 1
    return f"{prefix}{n:02d}"


def _check_arguments(default_kuk: str | None, pool: str) -> None:
    if default_kuk and default_kuk not in KUKS:
        raise ServiceError(_("KUK %(k)s tidak dikenal.", k=default_kuk))
    if pool not in POOLS:
        raise ServiceError(_("Pilih kelompok soal tujuan: ujian (tes tertulis) atau latihan (kuis latihan)."))


def _import_questions(questions: list[gift.GiftQuestion], default_kuk: str | None, actor, pool: str,
                      fmt: str) -> ImportReport:
    """Check and store the acceptable ones in one transaction; the report names every question.

    Items go through the bank's validation (2-6 options, one key, distinct options, no "semua
    benar"-style options, no duplicate stem, no forbidden control character); an empty
    explanation is allowed and noted.
    """
    from .service import _active_stems, _check_item, _new_question

    report = ImportReport(format=fmt)
    with write_transaction():
        stems = _active_stems()
        taken: set[str] = set()
        for q in questions:
            entry = ImportEntry(line=q.line, name=q.name, stem=q.text, imported=False)
            report.entries.append(entry)
            refusal = _refusal(q)
            if refusal:
                entry.reason = refusal
                continue
            kuk = kuk_from_category(q.category) or default_kuk or ""
            key = next(i for i, a in enumerate(q.answers) if a.fraction == 1.0)
            item = ItemData(kuk=kuk, stem=q.text, options=[a.text for a in q.answers], key=key,
                            explanation=q.general_feedback, feedback=[a.feedback for a in q.answers], pool=pool)
            problems = _check_item(item, require_explanation=False, stems=stems)
            if not kuk:   # validate_item's KUK problem is then in the list: say what to do instead
                unknown = _("KUK %(k)s tidak dikenal (yang sah: %(all)s).", k="-", all=", ".join(KUKS))
                problems = [p for p in problems if p != unknown]
                problems.insert(0, _("KUK tidak diketahui: kategori tidak memuat KUK (mis. 1.1); pilih KUK bawaan "
                                     "saat mengimpor."))
            if problems:
                entry.reason = " ".join(problems)
                continue
            uid = _import_uid(q.name if q.explicit_name else "", kuk, taken)
            taken.add(uid)
            stems.add(item.stem, uid)
            _new_question(item, uid, 1, fmt)
            entry.imported, entry.uid, entry.kuk = True, uid, kuk
            if not item.explanation:
                entry.notes.append(_("Tanpa pembahasan; lengkapi di penyunting bank soal."))
            for what in q.dropped:
                entry.notes.append(_("Dibuang dari soal \"%(n)s\": %(w)s (bank hanya menyimpan teks).",
                                     n=q.name, w=what))
        record(f"bank.import_{fmt}", actor=actor, target="bank", detail={
            "imported": len(report.imported), "refused": len(report.refused), "pool": pool})
    return report


def import_gift(source: str, default_kuk: str | None, actor, pool: str) -> ImportReport:
    """Import the single-answer multiple-choice items of a GIFT text; report every item."""
    _check_arguments(default_kuk, pool)
    parsed = gift.parse_gift(source)
    if not any(q.qtype != "description" for q in parsed.questions):
        raise ServiceError(_("Berkas ini tidak memuat soal GIFT (tidak ada bagian { ... }). Yang dapat diimpor: "
                             "berkas GIFT atau Moodle XML."))
    return _import_questions(parsed.questions, default_kuk, actor, pool, "gift")


def _xml_problem(exc: moodlexml.NotMoodleXml) -> str:
    if exc.kind in ("doctype", "entity", "external"):
        return _("Berkas Moodle XML ditolak: berkas memuat DOCTYPE atau deklarasi entitas, yang tidak pernah "
                 "ada dalam ekspor Moodle dan dapat dipakai untuk menyerang server. Tidak ada soal yang diimpor.")
    if exc.kind == "root":
        return _("Berkas XML ini bukan bank soal Moodle: elemen teratasnya <%(t)s>, seharusnya <quiz>. Tidak ada "
                 "soal yang diimpor.", t=exc.detail)
    line, column = exc.detail
    return _("Berkas XML rusak dan tidak dapat dibaca (baris %(l)d, kolom %(c)d). Tidak ada soal yang diimpor. "
             "Periksa bahwa berkas diekspor dari Moodle dalam format \"Moodle XML\", tidak terpotong, dan tidak "
             "memuat karakter kendali.", l=line, c=column)


def import_moodle_xml(raw: bytes, default_kuk: str | None, actor, pool: str) -> ImportReport:
    """Import the single-answer multiple-choice questions of a Moodle XML file; report every question."""
    _check_arguments(default_kuk, pool)
    try:
        questions, _categories = moodlexml.parse(raw)
    except moodlexml.NotMoodleXml as exc:
        raise ServiceError(_xml_problem(exc))
    if not questions:
        raise ServiceError(_("Berkas Moodle XML ini tidak memuat soal (hanya kategori atau kosong)."))
    return _import_questions(questions, default_kuk, actor, pool, "moodlexml")


def import_file(raw: bytes, default_kuk: str | None, actor, pool: str) -> ImportReport:
    """Import a GIFT or Moodle XML file, told apart by its content, never by its name."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ServiceError(_("Berkas terlalu besar (maksimal %(n)d MiB). Ekspor bank per kategori lalu impor "
                             "satu per satu.", n=MAX_IMPORT_BYTES // (1024 * 1024)), status=413)
    if moodlexml.looks_like_xml(raw):
        return import_moodle_xml(raw, default_kuk, actor, pool)
    return import_gift(decode_upload(raw), default_kuk, actor, pool)
