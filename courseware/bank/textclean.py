"""Characters that XML 1.0 forbids (C0 controls other than tab, newline and carriage return,
U+FFFE, U+FFFF and lone surrogates).

Word pastes them (a vertical tab for Shift+Enter, a form feed for a page break); one of them
makes a Moodle XML export ill-formed and Moodle then rejects the whole file. The editor and
the imports refuse them; the exports replace what an older row may still hold.
"""
import re

from ..text import normalize_newlines

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}   # Word's line and page breaks keep their meaning


def has_forbidden(text: str | None) -> bool:
    return bool(text) and _FORBIDDEN.search(text) is not None


def describe_forbidden(text: str) -> str:
    """'U+000B' for the first forbidden character, for a message a teacher can act on."""
    match = _FORBIDDEN.search(text or "")
    return f"U+{ord(match.group(0)):04X}" if match else ""


def xml_safe(text: str | None) -> str:
    """The text with line/page breaks turned into newlines and every other forbidden character removed.

    Carriage returns (browsers send a textarea's newlines as CRLF) become plain newlines too: an
    XML reader turns them into newlines anyway, so leaving them would make a round trip differ."""
    text = normalize_newlines(text)
    return _FORBIDDEN.sub(lambda m: _LINE_BREAKS.get(m.group(0), ""), text)
