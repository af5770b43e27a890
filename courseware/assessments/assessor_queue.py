"""The assessor's queue: each trainee's newest own version with a video, waiting for a final judgement."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..classes.models import Classroom, Enrollment
from ..extensions import db
from ..models_base import utcnow
from ..practicals.models import Practical, Submission, SubmissionVersion
from .models import Judgement, JudgementState
from .permissions import appears_in


@dataclass
class QueueRow:
    version: SubmissionVersion
    trainee: User
    partner: User | None
    practical: Practical
    waiting_since: datetime
    waited: timedelta
    draft: Judgement | None = None

    @property
    def media_status(self):
        return self.version.media_status


def queue(viewer: User, class_id: int | None = None, code: str | None = None,
          now: datetime | None = None) -> list[QueueRow]:
    """Versions waiting for a final judgement of their submitter, oldest first.

    Only each trainee's newest own version with a video counts (partners are never queued); a
    version already judged final is done (corrections start from the judgement); a version the
    viewer appears in is never listed for them.
    """
    now = now or utcnow()
    query = (select(SubmissionVersion).join(Submission).join(Practical)
             .where(SubmissionVersion.media_file_id.is_not(None))
             .options(joinedload(SubmissionVersion.submission)))
    if code:
        query = query.where(Practical.code == code)
    if class_id:
        query = query.where(Submission.trainee_id.in_(
            select(Enrollment.user_id).where(Enrollment.classroom_id == class_id)))
    newest: dict[tuple[int, str], SubmissionVersion] = {}
    for version in db.session.scalars(query):
        key = (version.submission.trainee_id, version.submission.practical.code)
        best = newest.get(key)
        if best is None or (version.created_at, version.id) > (best.created_at, best.id):
            newest[key] = version
    versions = [v for v in newest.values() if not appears_in(viewer, v)]
    if not versions:
        return []
    ids = [v.id for v in versions]
    judged = set(db.session.scalars(select(Judgement.version_id).where(
        Judgement.state == JudgementState.FINAL, Judgement.void_reason.is_(None), Judgement.version_id.in_(ids),
        Judgement.trainee_id == Submission.trainee_id).join(SubmissionVersion).join(Submission)))
    drafts = {j.version_id: j for j in db.session.scalars(
        select(Judgement).where(Judgement.state == JudgementState.DRAFT, Judgement.void_reason.is_(None),
                                Judgement.version_id.in_(ids)))}
    rows = []
    for version in versions:
        if version.id in judged:
            continue
        since = version.attached_at or version.created_at
        rows.append(QueueRow(version=version, trainee=version.submission.trainee, partner=version.partner,
                             practical=version.submission.practical, waiting_since=since, waited=now - since,
                             draft=drafts.get(version.id)))
    rows.sort(key=lambda r: (r.waiting_since, r.version.id))
    return rows


def queue_summary(viewer: User) -> dict:
    rows = queue(viewer)
    return {"count": len(rows), "oldest": rows[0] if rows else None}


def queue_classes() -> list[Classroom]:
    return list(db.session.scalars(select(Classroom).order_by(Classroom.academic_year.desc(), Classroom.name)))



def format_waiting(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return ngettext("%(n)d menit", "%(n)d menit", minutes, n=minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d jam", "%(n)d jam", hours, n=hours)
    return ngettext("%(n)d hari", "%(n)d hari", hours // 24, n=hours // 24)

