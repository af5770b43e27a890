"""tus metadata and the display name of an upload (never used as a path)."""
from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from flask_babel import gettext as _

from ..errors import ServiceError


def sanitize_filename(name: str) -> str:
    """Keep a readable, harmless file name for display (never used as a path)."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    name = " ".join(name.split()).strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 110] + dot + ext[:9]) if dot and len(ext) < 10 else name[:120]
    return name or "video"


def parse_metadata(header: str | None) -> dict[str, str]:
    """Decode tus Upload-Metadata: "key base64value,key2 base64value2"."""
    result: dict[str, str] = {}
    if not header:
        return result
    if len(header) > 4000:
        raise ServiceError(_("Metadata unggahan terlalu panjang."), 400)
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _sep, value = pair.partition(" ")
        if not re.fullmatch(r"[A-Za-z0-9_\-.]{1,64}", key) or key in result:
            raise ServiceError(_("Metadata unggahan tidak sah."), 400)
        try:
            result[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            raise ServiceError(_("Metadata unggahan tidak sah (base64)."), 400)
    return result
