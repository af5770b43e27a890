"""The marking form's HTTP fields (hasil-<id>, komentar-<id>, sikap-<id>) read into the values the
judgement services take. Field names live here, in comments.parse_comment (the time-stamped
comment composer) and in the templates, nowhere else."""
import re

from flask_babel import gettext as _

from ..errors import ServiceError
from ..practicals.models import Practical
from ..text import clean_text
from .lookups import points_of
from .judgements import MAX_COMMENT, MarkInput
from .models import Recommendation


def parse_seconds(text) -> int | None:
    """"83", "1:23" or "1:02:03" -> seconds; empty -> None; anything else is refused."""
    text = ("" if text is None else str(text)).strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,5}(:\d{1,2}){0,2}", text):
        raise ServiceError(_("Waktu video ditulis seperti 1:23 (menit:detik) atau dalam detik, misalnya 83."))
    parts = [int(p) for p in text.split(":")]
    if any(p >= 60 for p in parts[1:]):
        raise ServiceError(_("Waktu video ditulis seperti 1:23 (menit:detik) atau dalam detik, misalnya 83."))
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    if seconds > 24 * 3600:
        raise ServiceError(_("Waktu video terlalu besar."))
    return seconds


def format_seconds(seconds) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_marks(form, practical: Practical) -> dict[int, MarkInput]:
    """Read hasil-<id> and komentar-<id> for every active point of `practical` from a form dict.
    (A time per point, waktu-<id>, is gone: times are time-stamped comments since migration 0014.)"""
    marks = {}
    for point in points_of(practical):
        result = (form.get(f"hasil-{point.id}") or "").strip().upper() or None
        if result not in (None, *Recommendation):
            raise ServiceError(_("Hasil butir %(p)s harus K atau BK.", p=point.uid))
        marks[point.id] = MarkInput(
            result=result,
            comment=clean_text(form.get(f"komentar-{point.id}"), MAX_COMMENT, _("Komentar butir %(p)s", p=point.uid)),
        )
    return marks


def parse_attitudes(form, practical: Practical) -> dict:
    """sikap-<id> (K/BK) and sikap-komentar-<id> for every attitude the sheet names."""
    attitudes = {}
    for attitude in practical.attitudes or []:
        result = (form.get(f"sikap-{attitude['id']}") or "").strip().upper() or None
        if result not in (None, *Recommendation):
            raise ServiceError(_("Hasil sikap %(s)s harus K atau BK.", s=attitude["name"]))
        comment = clean_text(form.get(f"sikap-komentar-{attitude['id']}"), MAX_COMMENT,
                              _("Komentar sikap %(s)s", s=attitude["name"]))
        attitudes[attitude["id"]] = {"result": result, "comment": comment}
    return attitudes

