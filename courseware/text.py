"""The small rules for text people type, written once: newlines, single-line names, length limits.

The spreadsheet-formula guard for exports is formats.spreadsheet_safe; HTML is sanitize.py's job.
"""
from flask_babel import gettext as _

from .errors import ServiceError


def normalize_newlines(text: str | None) -> str:
    """Browsers send a textarea's newlines as CRLF; old Macs and some pastes as CR: all become LF."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def one_line(text: str | None) -> str:
    """A name or title: surrounding whitespace gone, every run of spaces, tabs or newlines one space."""
    return " ".join((text or "").split())


def clean_text(text: str | None, limit: int, what: str) -> str:
    """A comment, feedback or transcript: LF newlines, no NUL (PostgreSQL refuses it), trimmed, at most
    `limit` characters; longer is refused (413) naming `what`, never cut silently."""
    text = normalize_newlines(text).replace("\x00", "").strip()
    if len(text) > limit:
        raise ServiceError(_("%(what)s terlalu panjang: %(n)d karakter (maksimal %(max)d).",
                             what=what, n=len(text), max=limit), status=413)
    return text
