"""Time-stamped comments on a judgement: any number, anywhere in the video, each optionally tied
to one checklist point of the version's sheet.

They belong to the judgement. On a draft, an assessor who may judge the version adds them and
removes their own (an admin removes any); finalising freezes them with the rest of the judgement
(guards.py refuses any insert, update or delete on a final judgement's comments, whatever code
path tries); a correction carries copies onto the new final judgement (judgements.correct).
Trainees read only the comments of the final judgement about them that counts now, never a
draft's. The text is stored as typed (control characters removed, at most MAX_TEXT characters)
and shown only through the user-Markdown sanitiser (courseware/sanitize.py, the user_md filter).
"""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..practicals.models import Practical, SubmissionVersion
from .form_input import format_seconds, parse_seconds
from .guards import FinalisedJudgementError
from ..text import clean_text
from .lookups import final_history, points_of, superseded_by
from .judgements import _locking, start_or_resume_draft
from .models import Judgement, JudgementComment
from .permissions import check_judgeable

MAX_TEXT = 1000
MAX_PER_JUDGEMENT = 300
# C0 controls other than tab and newline, DEL, and the bidirectional overrides that can make a
# comment read differently from what was typed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@dataclass
class CommentInput:
    seconds: int
    point_id: int | None
    text: str


def clean_comment_text(text) -> str:
    return clean_text(_CONTROL.sub("", text or ""), MAX_TEXT, _("Komentar berwaktu"))


def parse_comment(form, practical: Practical, duration: float | None, prefix: str = "",
                  required: bool = True) -> CommentInput | None:
    """<prefix>waktu, <prefix>butir, <prefix>teks -> a comment. With `required` False (the composer's
    fields saved along with a draft) an empty composer gives None, and a time without text is kept
    as a bare time mark (text "", like the old per-point times), so a marked time is never lost."""
    text = clean_comment_text(form.get(f"{prefix}teks"))
    if not text:
        if required:
            raise ServiceError(_("Tulis isi komentarnya dulu."))
        if not (form.get(f"{prefix}waktu") or "").strip():
            return None
    seconds = parse_seconds(form.get(f"{prefix}waktu"))
    if seconds is None:
        raise ServiceError(_("Isi menit komentar di video, misalnya 1:23 (atau tekan \"Tandai waktu\")."))
    if duration and seconds > int(duration) + 1:
        raise ServiceError(_("Menit %(t)s melewati panjang video (%(d)s).", t=format_seconds(seconds),
                             d=format_seconds(duration)))
    raw_point = (form.get(f"{prefix}butir") or "").strip()
    point_id = None
    if raw_point:
        ids = {p.id for p in points_of(practical)}
        if not raw_point.isdigit() or int(raw_point) not in ids:
            raise ServiceError(_("Butir yang dipilih bukan butir daftar cek LIK ini."))
        point_id = int(raw_point)
    return CommentInput(seconds=seconds, point_id=point_id, text=text)


def comments_of(judgement_id: int | None) -> list[JudgementComment]:
    if judgement_id is None:
        return []
    return list(db.session.scalars(select(JudgementComment).where(JudgementComment.judgement_id == judgement_id)
                                   .order_by(JudgementComment.seconds, JudgementComment.id)))


def _draft_for_update(draft: Judgement):
    row = db.session.scalar(_locking(select(Judgement).where(Judgement.id == draft.id)))
    db.session.refresh(row)
    if row.state != "draft":
        raise FinalisedJudgementError()
    return row


def add_comment(version: SubmissionVersion, trainee: User, actor: User, comment: CommentInput) -> Judgement:
    """Add to the open draft of (version, trainee), starting it if needed. A final judgement: 409."""
    draft = start_or_resume_draft(version, trainee, actor)   # checks who may judge; 409 after final
    with write_transaction() as session:
        row = _draft_for_update(draft)
        count = session.scalar(select(func.count(JudgementComment.id)).where(JudgementComment.judgement_id == row.id))
        if count >= MAX_PER_JUDGEMENT:
            raise ServiceError(_("Satu penilaian paling banyak memuat %(n)d komentar berwaktu.",
                                 n=MAX_PER_JUDGEMENT), 409)
        session.add(JudgementComment(judgement_id=row.id, seconds=comment.seconds, point_id=comment.point_id,
                                     text=comment.text, author_id=actor.id))
    return row


def remove_comments(version: SubmissionVersion, trainee: User, actor: User, ids) -> int:
    """Remove comments of the open draft of (version, trainee): the author's own, or any for an admin."""
    check_judgeable(actor, version, trainee.id)
    wanted = set()
    for raw in ids:
        if not str(raw).strip().isdigit():
            raise ServiceError(_("Komentar yang akan dihapus tidak dikenal."), 404)
        wanted.add(int(raw))
    if not wanted:
        return 0
    with write_transaction() as session:
        rows = list(session.scalars(select(JudgementComment).where(JudgementComment.id.in_(wanted))))
        judgement_ids = {c.judgement_id for c in rows}
        if len(rows) != len(wanted) or len(judgement_ids) != 1:
            raise ServiceError(_("Komentar yang akan dihapus tidak dikenal."), 404)
        judgement = session.get(Judgement, judgement_ids.pop())
        if judgement.version_id != version.id or judgement.trainee_id != trainee.id:
            raise ServiceError(_("Komentar yang akan dihapus tidak dikenal."), 404)
        _draft_for_update(judgement)
        if any(c.author_id != actor.id for c in rows) and not actor.has_role("admin"):
            raise ServiceError(_("Hanya penulis komentar yang dapat menghapusnya."), 403)
        for comment in rows:
            session.delete(comment)
    return len(wanted)


def copies_for_correction(old: Judgement) -> list[JudgementComment]:
    """Fresh rows with the comments of `old`, for the correction that replaces it."""
    return [JudgementComment(seconds=c.seconds, point_id=c.point_id, text=c.text, author_id=c.author_id,
                             created_at=c.created_at) for c in comments_of(old.id)]


def timelines_for_trainee(history) -> dict[int, list[JudgementComment]]:
    """{version id: comments} of the final judgement that counts on each version of a trainee's
    history (lookups.trainee_history: only judgements about that trainee, only final ones)."""
    timelines = {}
    for entry in history:
        current = next((j for j in entry.judgements if j.is_final and not j.is_void and superseded_by(j) is None),
                       None)
        if current is not None:
            timelines[entry.version.id] = comments_of(current.id)
    return timelines


def timeline_for_submitter(viewer, version: SubmissionVersion) -> list[JudgementComment]:
    """For the practical's submission page: the comments of the final judgement that counts on
    `version`, shown only to its submitter (never a draft, never to the partner or anyone else)."""
    if not getattr(viewer, "is_authenticated", False) or version.submission.trainee_id != viewer.id:
        return []
    for judgement in final_history(version.id, viewer.id):
        if not judgement.is_void and superseded_by(judgement) is None:
            return comments_of(judgement.id)
    return []
