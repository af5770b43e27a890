"""Strict parsing of what arrives in URLs, headers and forms, so bad input is a 4xx, never a 500.

Python's int() accepts '²'-like digits only sometimes ('٣' yes, '²' no) and any size; the
databases do not: SQLite and PostgreSQL integers stop at 2**63 - 1.
"""
import re
from urllib.parse import unquote, urlsplit

from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,100}")
_SAFE_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#]*")


def ascii_int(value, maximum: int | None = MAX_DB_INT) -> int | None:
    """The non-negative integer written in ASCII digits in `value` (at most `maximum`), or None."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value.strip()):
        return None
    number = int(value.strip())
    return number if maximum is None or number <= maximum else None


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that only matches ids a database can hold: a larger one is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def safe_next_path(target) -> str | None:
    """`target` when it is a path on this site, else None.

    Browsers drop tabs and newlines inside URLs and treat '\\' as '/', so '/\\t/evil' and
    '/\\\\evil' both mean //evil. Anything with a control character, whitespace, a backslash,
    a scheme or a host is refused, and so is each of those hidden behind percent-encoding.
    """
    if not isinstance(target, str) or not target or len(target) > 2000:
        return None
    decoded = target
    for _ in range(3):  # '%252F' is '%2F' is '/'
        if not _plain_local_path(decoded):
            return None
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    else:
        return None
    return target


def _plain_local_path(value: str) -> bool:
    if not _SAFE_PATH.fullmatch(value):  # also refuses control characters, spaces and '\'
        return False
    if value.startswith("//"):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc
