"""The glossary page's search and A-Z index, and the way back to the lesson a term was opened from.

Searching is a plain GET (?q=), so it works on any phone without JavaScript.
"""
import re
import unicodedata

from sqlalchemy import select

from ..extensions import db
from .models import Lesson

LESSON_ID_RE = re.compile(r"^[a-z0-9-]{1,80}$")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html or "")


def initial(entry: dict) -> str:
    letter = _fold(entry.get("term", ""))[:1].upper()
    return letter if letter.isalpha() else "#"


def search(entries: list[dict], query: str) -> list[dict]:
    """Entries whose term or definition holds every word of the query (accents and case ignored)."""
    words = _fold(query).split()
    if not words:
        return entries
    found = []
    for entry in entries:
        haystack = _fold(entry.get("term", "") + " " + _plain(entry.get("definition_html", "")))
        if all(word in haystack for word in words):
            found.append(entry)
    return found


def letters(entries: list[dict]) -> list[tuple[str, bool]]:
    """A-Z (plus '#'), each with whether any shown entry starts with it."""
    present = {initial(e) for e in entries}
    return [(letter, letter in present) for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"] + (
        [("#", True)] if "#" in present else [])


def source_lesson(lesson_id: str | None) -> Lesson | None:
    """The lesson a glossary link was followed from (?dari=<id>), if it is a real, current lesson."""
    if not lesson_id or not LESSON_ID_RE.match(lesson_id):
        return None
    return db.session.scalar(select(Lesson).where(Lesson.id == lesson_id, Lesson.retired.is_(False)))


def link_back(body_html: str, lesson_id: str) -> str:
    """Glossary links in a rendered lesson carry the lesson's id, so the glossary can offer the way back."""
    return body_html.replace('href="kamus#', f'href="kamus?dari={lesson_id}#')
