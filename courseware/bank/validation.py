"""The one place that decides whether a multiple-choice item is acceptable.

Used by the lint of the shipped files, the sync, the bank editor and the GIFT import, so a
rule changes in one spot. Pure functions: no database, no request.

Option count: the shipped bank files must have exactly four options (A-D). Items written in
the editor or imported from Moodle may have 2 to 6 options (Moodle's own single-answer
multiple-choice items often have three), stored at positions 0..n-1.
"""
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .models import KUKS, LEVELS, POOLS
from .textclean import describe_forbidden, has_forbidden

MIN_OPTIONS = 2
MAX_OPTIONS = 6
LETTERS = "ABCDEF"
MAX_STEM = 4000
MAX_OPTION = 1000

# Options that test reading tricks rather than the competency ("all of the above", "A and B").
FORBIDDEN_OPTION_PATTERNS = [
    re.compile(r"^(semua|seluruh)(nya)?( (jawaban|pilihan|pernyataan|opsi))?( (di atas|tersebut))? (benar|salah)$"),
    re.compile(r"^(semua|seluruh) (jawaban|pilihan|pernyataan|opsi)( (di atas|tersebut))?$"),
    re.compile(r"^tidak ada( (jawaban|pilihan|pernyataan))?( yang)? (benar|salah)$"),
    re.compile(r"^(jawaban |pilihan )?[a-f] ?(,|dan|&|atau|serta) ?[a-f]( ?(,|dan|&|atau|serta) ?[a-f])*( (benar|salah))?$"),
    re.compile(r"^(all|none) of the above$"),
    re.compile(r"^both [a-f] and [a-f]$"),
]


@dataclass
class ItemData:
    """One item as written by a person (file, form or GIFT), before it becomes rows."""
    kuk: str
    stem: str
    options: list[str]
    key: int | None                 # index into options; None when the source had no valid key
    explanation: str = ""
    feedback: list[str] = field(default_factory=list)   # per option, may be shorter than options
    uid: str = ""
    pool: str = "ujian"
    level: str = "penerapan"

    def fingerprint(self) -> tuple:
        feedback = list(self.feedback) + [""] * (len(self.options) - len(self.feedback))
        return (self.kuk, self.stem, self.explanation,
                tuple((text, i == self.key, feedback[i]) for i, text in enumerate(self.options)))


def normalise(text: str) -> str:
    """Case- and space-insensitive form used to compare stems and options."""
    return " ".join((text or "").casefold().split())


def _bare(text: str) -> str:
    return re.sub(r"[.!?;:]+$", "", normalise(text).replace('"', "").replace("'", "")).strip()


def is_forbidden_option(text: str) -> bool:
    bare = _bare(text)
    return any(p.match(bare) for p in FORBIDDEN_OPTION_PATTERNS)


def key_index_from_letter(letter, option_count: int = 4) -> int | None:
    """'B' -> 1; anything that is not exactly one letter among the first option_count -> None."""
    if not isinstance(letter, str):
        return None
    letter = letter.strip().upper()
    if len(letter) != 1 or letter not in LETTERS[:option_count]:
        return None
    return LETTERS.index(letter)


def validate_item(item: ItemData, *, shipped: bool = False, require_explanation: bool = True) -> list[str]:
    """Every problem of one item, in Indonesian; empty when it is acceptable.

    shipped=True applies the rules of the bank files (exactly four options, key A-D).
    """
    problems = []
    if item.pool not in POOLS:
        problems.append(_("Kelompok soal (pool) harus 'ujian' (tes tertulis) atau 'latihan' (kuis latihan)."))
    problems += _control_character_problems(item)
    if item.kuk not in KUKS:
        problems.append(_("KUK %(k)s tidak dikenal (yang sah: %(all)s).", k=item.kuk or "-", all=", ".join(KUKS)))
    if not (item.stem or "").strip():
        problems.append(_("Pertanyaan (stem) kosong."))
    elif len(item.stem) > MAX_STEM:
        problems.append(_("Pertanyaan terlalu panjang (maksimal %(n)d karakter).", n=MAX_STEM))
    options = item.options or []
    if shipped:
        if len(options) != 4:
            problems.append(_("Harus tepat 4 pilihan jawaban (ada %(n)d).", n=len(options)))
    elif not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        problems.append(_("Butuh %(a)d sampai %(b)d pilihan jawaban (ada %(n)d).",
                          a=MIN_OPTIONS, b=MAX_OPTIONS, n=len(options)))
    seen = {}
    for i, text in enumerate(options):
        letter = LETTERS[i] if i < len(LETTERS) else str(i + 1)
        if not isinstance(text, str) or not text.strip():
            problems.append(_("Pilihan %(l)s kosong.", l=letter))
            continue
        if len(text) > MAX_OPTION:
            problems.append(_("Pilihan %(l)s terlalu panjang (maksimal %(n)d karakter).", l=letter, n=MAX_OPTION))
        norm = normalise(text)
        if norm in seen:
            problems.append(_("Pilihan %(l)s sama dengan pilihan %(o)s.", l=letter, o=seen[norm]))
        else:
            seen[norm] = letter
        if is_forbidden_option(text):
            problems.append(_("Pilihan %(l)s (\"%(t)s\") tidak boleh dipakai: hindari \"semua benar\", "
                              "\"semua salah\", atau \"A dan B\".", l=letter, t=text.strip()))
    if item.key is None or not 0 <= item.key < max(len(options), 0):
        if shipped:
            problems.append(_("Kunci harus tepat satu huruf A-D."))
        else:
            problems.append(_("Pilih tepat satu kunci jawaban."))
    if require_explanation and not (item.explanation or "").strip():
        problems.append(_("Pembahasan (explanation) kosong."))
    if shipped:
        if item.level not in LEVELS:
            problems.append(_("level harus salah satu dari: %(all)s (ada: %(v)s).",
                              all=", ".join(LEVELS), v=item.level or "-"))
    return problems


def _control_character_problems(item: ItemData) -> list[str]:
    fields = [(_("Pertanyaan"), item.stem), (_("Pembahasan"), item.explanation)]
    fields += [(_("Pilihan %(l)s", l=LETTERS[i] if i < len(LETTERS) else i + 1), t)
               for i, t in enumerate(item.options or []) if isinstance(t, str)]
    fields += [(_("Umpan balik pilihan %(l)s", l=LETTERS[i] if i < len(LETTERS) else i + 1), t)
               for i, t in enumerate(item.feedback or []) if isinstance(t, str)]
    return [_("%(f)s memuat karakter kendali tak terlihat (%(c)s, mis. ganti baris atau halaman dari Word) "
              "yang membuat berkas Moodle XML rusak; hapus lalu ketik ulang bagian itu.",
              f=label, c=describe_forbidden(text)) for label, text in fields if has_forbidden(text)]


class StemRegister:
    """Finds duplicate stems (normalised) within one batch and against what is already stored."""

    def __init__(self, existing: dict[str, str] | None = None):
        self._seen = dict(existing or {})     # normalised stem -> uid that has it

    def duplicate_of(self, stem: str, uid: str = "") -> str | None:
        other = self._seen.get(normalise(stem))
        return other if other is not None and other != uid else None

    def add(self, stem: str, uid: str) -> None:
        self._seen.setdefault(normalise(stem), uid)

    def duplicate_message(self, stem: str, uid: str = "") -> str | None:
        other = self.duplicate_of(stem, uid)
        if other is None:
            return None
        return _("Pertanyaan sama dengan soal %(u)s.", u=other)
