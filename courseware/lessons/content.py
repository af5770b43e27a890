"""Reading, rendering and linting the shipped lesson content (no database, no request).

Files: content/modules/*.md (front matter + Markdown), content/glossary.yml,
content/references.yml and content/plan.yml (the 5-JP teaching plan). `sync.py` stores
what this module renders; `check_content(root)` is the `flask content check` hook.
"""
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..sanitize import clean_lesson_html, escaping_markdown

# Bump when the rendering pipeline changes, so the next sync re-renders every lesson.
RENDER_VERSION = "3"

ELEMENTS = {
    1: {"title": "Melaksanakan pendekatan untuk menambah kualitas pelayanan", "kuk": ["1.1", "1.2", "1.3", "1.4"],
        "practical": "LIK_1"},
    2: {"title": "Memperbaiki pelayanan kepada pelanggan", "kuk": ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"],
        "practical": "LIK_2"},
}
ALL_KUK = [k for e in ELEMENTS.values() for k in e["kuk"]]
KINDS = ("pengantar", "materi", "penutup")
ACTIVITY_KINDS = ("penjelasan", "diskusi", "latihan-peran", "tes-tertulis", "perekaman-lik", "refleksi")
JP_MINUTES = 45
UNIT_JP = 5
PLAN_MINUTES = UNIT_JP * JP_MINUTES
MIN_WORDS_PER_KUK = 500
MIN_WORDS_TOTAL = 8000
MIN_GLOSSARY_TERMS = 25
# Paths under /materi/ that a lesson id must not shadow.
RESERVED_IDS = {"kamus", "referensi", "rencana", "kelas"}
LESSON_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TERM_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
GLOSSARY_LINK_RE = re.compile(r"\[\[([^\]|\n]+?)(?:\|([^\]\n]+))?\]\]")
FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:", re.MULTILINE)
MD_LINK_RE = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)")
FENCE_RE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
WORD_RE = re.compile(r"\w+")
GLOSSARY_HREF = "kamus#istilah-{id}"      # relative: works from /materi/<id> and /materi/kamus


@dataclass
class LessonFile:
    path: Path
    meta: dict
    body: str
    raw: bytes

    @property
    def id(self) -> str:
        return self.meta.get("id") or self.path.stem

    @property
    def words(self) -> int:
        return len(WORD_RE.findall(self.body))


@dataclass
class Glossary:
    entries: list[dict] = field(default_factory=list)

    @property
    def terms(self) -> dict[str, str]:
        return {e["id"]: e["term"] for e in self.entries if isinstance(e, dict) and "id" in e}

    def fingerprint(self) -> str:
        return "|".join(f"{k}={v}" for k, v in sorted(self.terms.items()))


class ContentError(ValueError):
    pass


# --- reading ----------------------------------------------------------------------------

def content_dir(root) -> Path:
    return Path(root) / "content"


def lesson_paths(root) -> list[Path]:
    return sorted((content_dir(root) / "modules").glob("*.md"))


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split '---\\nYAML\\n---\\nbody'; raise ContentError when the header is missing or invalid."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise ContentError("tidak diawali header YAML (---)")
    parts = re.split(r"^---[ \t]*$", text, maxsplit=2, flags=re.MULTILINE)
    if len(parts) < 3:
        raise ContentError("header YAML tidak ditutup dengan ---")
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as exc:
        raise ContentError(f"header YAML tidak sah: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise ContentError("header YAML harus berupa pasangan kunci: nilai")
    return meta, parts[2].lstrip("\n")


def read_lesson(path: Path) -> LessonFile:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ContentError("berkas bukan UTF-8") from None
    meta, body = split_front_matter(text)
    return LessonFile(path=path, meta=meta, body=body, raw=raw)


def load_yaml_list(path: Path, what: str) -> list:
    if not path.exists():
        raise ContentError(f"{path.name} tidak ada")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: YAML tidak sah: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, list):
        raise ContentError(f"{path.name}: {what} harus berupa daftar")
    return data


def load_glossary(root) -> Glossary:
    return Glossary(load_yaml_list(content_dir(root) / "glossary.yml", "kamus istilah"))


def load_references(root) -> list:
    return load_yaml_list(content_dir(root) / "references.yml", "daftar rujukan")


def load_plan(root) -> dict:
    path = content_dir(root) / "plan.yml"
    if not path.exists():
        raise ContentError("plan.yml tidak ada")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"plan.yml: YAML tidak sah: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("meetings"), list):
        raise ContentError("plan.yml harus memuat daftar meetings")
    return data


def file_hash(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def lesson_hash(lesson: LessonFile, glossary: Glossary) -> str:
    """Changes when the file, the glossary terms it may link to, or the renderer change."""
    return file_hash(RENDER_VERSION, glossary.fingerprint(), lesson.raw)


# --- rendering --------------------------------------------------------------------------

def replace_glossary_links(text: str, terms: dict[str, str]) -> str:
    """[[id]] / [[id|teks]] -> a Markdown link to the glossary anchor; unknown ids -> plain text."""

    def _sub(match):
        term_id, label = match.group(1).strip(), (match.group(2) or "").strip()
        if term_id not in terms:
            return label or term_id
        return f"[{label or terms[term_id]}]({GLOSSARY_HREF.format(id=term_id)})"

    # leave fenced code blocks alone
    out, last = [], 0
    for fence in FENCE_RE.finditer(text):
        out.append(GLOSSARY_LINK_RE.sub(_sub, text[last:fence.start()]))
        out.append(fence.group(0))
        last = fence.end()
    out.append(GLOSSARY_LINK_RE.sub(_sub, text[last:]))
    return "".join(out)


def _lesson_markdown():
    return escaping_markdown(
        ["tables", "footnotes", "admonition", "toc", "sane_lists", "fenced_code"],
        {
            "toc": {"permalink": "#", "permalink_title": "Tautan ke bagian ini", "toc_depth": "2-4"},
            "footnotes": {"BACKLINK_TITLE": "Kembali ke catatan %d di teks", "SUPERSCRIPT_TEXT": "{}"},
        },
    )


def wrap_tables(html: str) -> str:
    return html.replace("<table>", '<div class="table-scroll"><table>').replace("</table>", "</table></div>")


def mark_glossary_links(html: str) -> str:
    return re.sub(r'<a href="kamus#istilah-', '<a class="glossary-link" href="kamus#istilah-', html)


def render_markdown(text: str, terms: dict[str, str]) -> str:
    """Lesson Markdown -> sanitised HTML (glossary links resolved, tables wrapped to scroll)."""
    html = _lesson_markdown().convert(replace_glossary_links(text, terms))
    return wrap_tables(mark_glossary_links(clean_lesson_html(html)))


def render_inline(text: str, terms: dict[str, str]) -> str:
    """A short Markdown snippet (a question, a definition) without the surrounding <p>."""
    html = render_markdown(str(text or ""), terms).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def render_self_check(items: list, terms: dict[str, str]) -> list[dict]:
    return [{"question_html": render_inline(i.get("question", ""), terms),
             "answer_html": render_inline(i.get("answer", ""), terms)} for i in items or [] if isinstance(i, dict)]


def render_lesson(lesson: LessonFile, glossary: Glossary) -> dict:
    """Everything the database keeps for one lesson, rendered once."""
    terms = glossary.terms
    meta = lesson.meta
    return {
        "id": lesson.id,
        "title": str(meta.get("title", lesson.id)),
        "element": int(meta.get("element", 0)),
        "kind": str(meta.get("kind", "materi")),
        "kuk": [str(k) for k in meta.get("kuk") or []],
        "position": int(meta.get("order", 0)),
        "minutes": int(meta.get("minutes", 0)),
        "indicators": [str(i) for i in meta.get("indicators") or []],
        "self_check": render_self_check(meta.get("self_check"), terms),
        "body_html": render_markdown(lesson.body, terms),
        "words": lesson.words,
        "source_hash": lesson_hash(lesson, glossary),
    }


def render_glossary(glossary: Glossary) -> list[dict]:
    terms = glossary.terms
    entries = []
    for e in glossary.entries:
        if not isinstance(e, dict) or "id" not in e:
            continue
        see_also = [{"id": s, "term": terms[s]} for s in e.get("see_also") or [] if s in terms]
        entries.append({"id": e["id"], "term": str(e.get("term", e["id"])),
                        "definition_html": render_inline(e.get("definition", ""), terms), "see_also": see_also})
    return sorted(entries, key=lambda e: e["term"].lower())


def render_references(references: list) -> list[dict]:
    return [{"id": r["id"], "html": render_inline(r.get("text", ""), {})}
            for r in references if isinstance(r, dict) and "id" in r]


# --- checking ---------------------------------------------------------------------------

def _check_meta(lesson: LessonFile) -> list[str]:
    m, name, problems = lesson.meta, lesson.path.name, []

    def bad(msg):
        problems.append(f"{name}: {msg}")

    lesson_id = m.get("id")
    if not isinstance(lesson_id, str) or not LESSON_ID_RE.match(lesson_id):
        bad("id wajib: huruf kecil, angka, dan tanda hubung")
    elif lesson_id != lesson.path.stem:
        bad(f"id '{lesson_id}' harus sama dengan nama berkas '{lesson.path.stem}'")
    elif lesson_id in RESERVED_IDS:
        bad(f"id '{lesson_id}' dipakai oleh halaman lain di /materi/")
    if not isinstance(m.get("title"), str) or not m["title"].strip():
        bad("title wajib diisi")
    element = m.get("element")
    if element not in ELEMENTS:
        bad("element harus 1 atau 2")
    kind = m.get("kind")
    if kind not in KINDS:
        bad(f"kind harus salah satu dari {', '.join(KINDS)}")
    kuk = m.get("kuk")
    if not isinstance(kuk, list):
        bad("kuk harus berupa daftar, mis. [\"1.1\"] (atau [] untuk pengantar/penutup)")
    else:
        for k in kuk:
            if element in ELEMENTS and str(k) not in ELEMENTS[element]["kuk"]:
                bad(f"KUK {k} bukan KUK elemen {element}")
        if kind == "materi" and not kuk:
            bad("pelajaran materi harus menyebut KUK yang diajarkannya")
        if kind in ("pengantar", "penutup") and kuk:
            bad(f"{kind} tidak boleh menyebut KUK (isi kuk: [])")
    order = m.get("order")
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        bad("order harus bilangan bulat >= 0")
    elif kind == "pengantar" and order != 0:
        bad("pengantar harus order: 0")
    minutes = m.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        bad("minutes harus bilangan bulat > 0")
    indicators = m.get("indicators")
    if not isinstance(indicators, list) or not 2 <= len(indicators) <= 4 \
            or not all(isinstance(i, str) and i.strip() for i in indicators):
        bad("indicators harus berisi 2-4 kalimat")
    checks = m.get("self_check")
    if not isinstance(checks, list) or not 2 <= len(checks) <= 3:
        bad("self_check harus berisi 2-3 pertanyaan")
    else:
        for n, item in enumerate(checks, start=1):
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip()
                                                     for k in ("question", "answer")):
                bad(f"self_check ke-{n} harus punya question dan answer")
    unknown = set(m) - {"id", "title", "element", "kind", "kuk", "order", "minutes", "indicators", "self_check"}
    if unknown:
        bad(f"kunci header tidak dikenal: {', '.join(sorted(unknown))}")
    return problems


def _check_body(lesson: LessonFile, terms: dict, lesson_ids: set) -> list[str]:
    name, body, problems = lesson.path.name, lesson.body, []
    if not body.strip():
        problems.append(f"{name}: isi pelajaran kosong")
    if re.search(r"^# ", FENCE_RE.sub("", body), re.MULTILINE):
        problems.append(f"{name}: jangan menulis judul H1 (# ...); judul diambil dari header")
    texts = [body] + [str(i.get(k, "")) for i in lesson.meta.get("self_check") or [] if isinstance(i, dict)
                      for k in ("question", "answer")]
    for text in texts:
        for match in GLOSSARY_LINK_RE.finditer(FENCE_RE.sub("", text)):
            if match.group(1).strip() not in terms:
                problems.append(f"{name}: tautan kamus [[{match.group(1).strip()}]] tidak ada di glossary.yml")
    refs, defs = set(FOOTNOTE_REF_RE.findall(body)), set(FOOTNOTE_DEF_RE.findall(body))
    for missing in sorted(refs - defs):
        problems.append(f"{name}: catatan kaki [^{missing}] tidak punya isi")
    for unused in sorted(defs - refs):
        problems.append(f"{name}: catatan kaki [^{unused}] tidak pernah dirujuk")
    for target in MD_LINK_RE.findall(body):
        if re.match(r"^(https?:|mailto:|#)", target):
            continue
        page = target.split("#", 1)[0]
        if page not in lesson_ids and page not in {"kamus", "referensi"}:
            problems.append(f"{name}: tautan ({target}) tidak menuju pelajaran yang ada")
    return problems


def _check_glossary(glossary: Glossary) -> list[str]:
    problems, seen = [], set()
    for n, e in enumerate(glossary.entries, start=1):
        if not isinstance(e, dict):
            problems.append(f"glossary.yml: entri ke-{n} bukan pasangan kunci: nilai")
            continue
        term_id = e.get("id")
        if not isinstance(term_id, str) or not TERM_ID_RE.match(term_id):
            problems.append(f"glossary.yml: entri ke-{n} punya id tidak sah")
            continue
        if term_id in seen:
            problems.append(f"glossary.yml: id {term_id} muncul dua kali")
        seen.add(term_id)
        for key in ("term", "definition"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                problems.append(f"glossary.yml: {term_id} tidak punya {key}")
        for other in e.get("see_also") or []:
            if other not in glossary.terms:
                problems.append(f"glossary.yml: {term_id} see_also '{other}' tidak ada di kamus")
    if len(seen) < MIN_GLOSSARY_TERMS:
        problems.append(f"glossary.yml: baru {len(seen)} istilah, minimal {MIN_GLOSSARY_TERMS}")
    return problems


def _check_references(references: list) -> list[str]:
    problems, seen = [], set()
    for n, r in enumerate(references, start=1):
        if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not isinstance(r.get("text"), str):
            problems.append(f"references.yml: entri ke-{n} harus punya id dan text")
            continue
        if r["id"] in seen:
            problems.append(f"references.yml: id {r['id']} muncul dua kali")
        seen.add(r["id"])
    return problems


def plan_problems(plan: dict, minutes_by_lesson: dict[str, int]) -> list[str]:
    """Every lesson exactly once, activities well formed, meetings sum to their JP, all to 225."""
    problems, seen, total, jp_total = [], {}, 0, 0
    for m_no, meeting in enumerate(plan.get("meetings") or [], start=1):
        where = f"plan.yml pertemuan {m_no}"
        if not isinstance(meeting, dict) or not isinstance(meeting.get("activities"), list):
            problems.append(f"{where}: harus punya title, jp, dan activities")
            continue
        jp = meeting.get("jp")
        if not isinstance(jp, int) or jp <= 0:
            problems.append(f"{where}: jp harus bilangan bulat > 0")
            jp = 0
        jp_total += jp
        meeting_minutes = 0
        for a_no, act in enumerate(meeting["activities"], start=1):
            here = f"{where}, kegiatan {a_no}"
            if not isinstance(act, dict):
                problems.append(f"{here}: bukan pasangan kunci: nilai")
                continue
            if act.get("kind") not in ACTIVITY_KINDS:
                problems.append(f"{here}: kind harus salah satu dari {', '.join(ACTIVITY_KINDS)}")
            if not isinstance(act.get("title"), str) or not act["title"].strip():
                problems.append(f"{here}: title wajib diisi")
            lessons = act.get("lessons") or []
            if lessons:
                if "minutes" in act:
                    problems.append(f"{here}: menit kegiatan yang mengajarkan pelajaran diambil dari header "
                                    "pelajaran; hapus minutes")
                for lesson_id in lessons:
                    if lesson_id not in minutes_by_lesson:
                        problems.append(f"{here}: pelajaran {lesson_id} tidak ada")
                        continue
                    if lesson_id in seen:
                        problems.append(f"{here}: pelajaran {lesson_id} sudah ada di {seen[lesson_id]}")
                    seen[lesson_id] = here
                    meeting_minutes += minutes_by_lesson[lesson_id]
            else:
                minutes = act.get("minutes")
                if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
                    problems.append(f"{here}: minutes harus bilangan bulat > 0")
                else:
                    meeting_minutes += minutes
        if jp and meeting_minutes != jp * JP_MINUTES:
            problems.append(f"{where}: {meeting_minutes} menit, seharusnya {jp} JP = {jp * JP_MINUTES} menit")
        total += meeting_minutes
    for lesson_id in sorted(set(minutes_by_lesson) - set(seen)):
        problems.append(f"plan.yml: pelajaran {lesson_id} tidak ada di rencana")
    if jp_total != UNIT_JP:
        problems.append(f"plan.yml: jumlah JP {jp_total}, seharusnya {UNIT_JP}")
    if total != PLAN_MINUTES:
        problems.append(f"plan.yml: jumlah menit {total}, seharusnya {PLAN_MINUTES} ({UNIT_JP} JP x {JP_MINUTES})")
    return problems


def check_content(root) -> tuple[list[str], list[str]]:
    """The `content check` hook: (problems, info lines incl. words per KUK)."""
    problems, info = [], []
    try:
        glossary = load_glossary(root)
        problems += _check_glossary(glossary)
    except ContentError as exc:
        problems.append(str(exc))
        glossary = Glossary()
    try:
        problems += _check_references(load_references(root))
    except ContentError as exc:
        problems.append(str(exc))

    paths = lesson_paths(root)
    if not paths:
        problems.append("content/modules/ tidak berisi pelajaran (*.md)")
    lessons = []
    for path in paths:
        try:
            lesson = read_lesson(path)
        except ContentError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        meta_problems = _check_meta(lesson)
        problems += meta_problems
        if not meta_problems:
            lessons.append(lesson)
    ids = {l.id for l in lessons}
    for lesson in lessons:
        problems += _check_body(lesson, glossary.terms, ids)

    words_per_kuk = {k: 0 for k in ALL_KUK}
    for element in ELEMENTS:
        mine = [l for l in lessons if l.meta["element"] == element]
        for kind in ("pengantar", "penutup"):
            if sum(1 for l in mine if l.meta["kind"] == kind) != 1:
                problems.append(f"elemen {element} harus punya tepat satu {kind}")
        orders = [l.meta["order"] for l in mine]
        for dup in sorted({o for o in orders if orders.count(o) > 1}):
            problems.append(f"elemen {element}: order {dup} dipakai lebih dari satu pelajaran")
        for lesson in mine:
            for k in lesson.meta["kuk"]:
                words_per_kuk[str(k)] += lesson.words
    for kuk, words in words_per_kuk.items():
        if words == 0:
            problems.append(f"KUK {kuk} tidak punya pelajaran")
        elif words < MIN_WORDS_PER_KUK:
            problems.append(f"KUK {kuk}: {words} kata, minimal {MIN_WORDS_PER_KUK}")
        info.append(f"KUK {kuk}: {words} kata")
    linked = {m.group(1).strip() for l in lessons for m in GLOSSARY_LINK_RE.finditer(l.body)}
    unlinked = sorted(set(glossary.terms) - linked)
    if unlinked:
        info.append(f"istilah kamus yang tidak ditautkan dari pelajaran mana pun: {', '.join(unlinked)}")
    total_words = sum(l.words for l in lessons)
    info.append(f"{len(lessons)} pelajaran, {total_words} kata, "
                f"{sum(l.meta['minutes'] for l in lessons)} menit baca/ajar, {len(glossary.terms)} istilah")
    if lessons and total_words < MIN_WORDS_TOTAL:
        problems.append(f"jumlah kata {total_words}, minimal {MIN_WORDS_TOTAL}")

    try:
        plan = load_plan(root)
        problems += plan_problems(plan, {l.id: l.meta["minutes"] for l in lessons})
    except ContentError as exc:
        problems.append(str(exc))
    return problems, info
