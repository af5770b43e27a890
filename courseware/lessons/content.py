"""Reading and rendering the shipped lesson content (no database, no request).

Files: content/modules/*.md (front matter + Markdown), content/glossary.yml,
content/references.yml and content/plan.yml (the 5-JP teaching plan). `sync.py` stores
what this module renders; checks.py lints it (`flask content check`).
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
