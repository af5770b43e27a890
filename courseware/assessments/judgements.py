"""Judgement state changes: drafts, finalising and corrections.

A judgement is per (submission version, judged trainee), and the judged trainee is always the
version's submitter: a LIK video is evidence only for the trainee who plays the assessed role
in it. Nobody judges a version they appear in (permissions.check_judgeable). Reading judgements
(drafts, final history, corrections, a trainee's versions) is in lookups.py; effective and unit
results are read from courseware/results; the record pages' data is in records.py.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import lazyload

from ..accounts.models import User
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from ..practicals.models import Practical, SubmissionVersion
from ..results.changes import unit_status_changes
from ..text import clean_text
from .guards import FinalisedJudgementError
from .lookups import current_final, open_draft, points_of, superseded_by
from .models import Judgement, JudgementComment, JudgementMark, JudgementState, Recommendation
from .permissions import check_judgeable

MAX_COMMENT = 2000
MAX_FEEDBACK = 5000
MAX_REASON = 2000
MAX_TUK = 160
MIN_REASON = 10
# The module allows 5% errors; on 5-7 points that rounds to zero BK points, and critical points
# never tolerate BK. Kept as a figure so the rule reads like the module.
TOLERANCE = 0.05


def _newest_final_for_update(version_id: int, trainee_id: int) -> Judgement | None:
    superseded = select(Judgement.supersedes_id).where(Judgement.supersedes_id.is_not(None),
                                                       Judgement.void_reason.is_(None))
    return db.session.scalar(_locking(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == JudgementState.FINAL, Judgement.void_reason.is_(None),
                                Judgement.id.not_in(superseded))
        .order_by(Judgement.id.desc()).limit(1)))


def _locking(query):
    """Lock the judgement rows on PostgreSQL. Eager joins are switched off for the locking query,
    since FOR UPDATE is not allowed on the nullable side of their outer joins."""
    return query.options(lazyload("*")).with_for_update()


# --- drafting, finalising, correcting ---------------------------------------------------

@dataclass
class MarkInput:
    """A point's K/BK and comment. Times in the video are time-stamped comments (comments.py)."""
    result: str | None = None
    comment: str = ""


def _attitudes_not_k(attitudes: dict | None, practical: Practical) -> list[str]:
    return [a["name"] for a in practical.attitudes or [] if ((attitudes or {}).get(a["id"]) or {}).get("result") != Recommendation.K]


def _check_recommendation(recommendation: str | None, marks: dict[int, MarkInput], practical: Practical,
                          attitudes: dict | None = None) -> None:
    if recommendation not in (None, *Recommendation):
        raise ServiceError(_("Rekomendasi harus K atau BK."))
    if recommendation == Recommendation.K and _attitudes_not_k(attitudes, practical):
        raise ServiceError(_("Rekomendasi K hanya boleh jika setiap sikap yang diamati bernilai K. Belum K: %(s)s.",
                             s=", ".join(_attitudes_not_k(attitudes, practical))))
    if recommendation == Recommendation.K:
        points = points_of(practical)
        not_k = [p for p in points if (marks.get(p.id) or MarkInput()).result != Recommendation.K]
        # Tolerance rounds to zero on 5-7 points, and critical points never tolerate BK.
        allowed_bk = int(len(points) * TOLERANCE)
        if any(p.critical for p in not_k) or len(not_k) > allowed_bk:
            raise ServiceError(_("Rekomendasi K hanya boleh jika semua butir bernilai K. "
                                 "Butir yang belum K: %(p)s.", p=", ".join(p.uid for p in not_k)))


def _require_complete(marks: dict[int, MarkInput], practical: Practical, attitudes: dict | None = None) -> None:
    unmarked = [p.uid for p in points_of(practical) if (marks.get(p.id) or MarkInput()).result is None]
    unmarked += [a["name"] for a in practical.attitudes or []
                 if ((attitudes or {}).get(a["id"]) or {}).get("result") is None]
    if unmarked:
        raise ServiceError(_("Semua butir harus dinilai K atau BK sebelum difinalkan. Belum dinilai: %(p)s.",
                             p=", ".join(unmarked)))

def start_or_resume_draft(version: SubmissionVersion, trainee: User, assessor: User) -> Judgement:
    """The open draft for (version, trainee), created with an empty mark per point if needed."""
    check_judgeable(assessor, version, trainee.id)
    with write_transaction() as session:
        if current_final(version.id, trainee.id) is not None:
            raise ServiceError(_("Kiriman ini sudah dinilai final. Perubahan hanya lewat koreksi dengan alasan."),
                               status=409)
        draft = open_draft(version.id, trainee.id)
        if draft is None:
            draft = Judgement(version_id=version.id, trainee_id=trainee.id, assessor_id=assessor.id,
                              state=JudgementState.DRAFT, tuk=last_tuk(assessor))
            session.add(draft)
            session.flush()
            # One executemany for the empty marks, not one INSERT per point.
            session.execute(insert(JudgementMark), [{"judgement_id": draft.id, "point_id": point.id}
                                                    for point in points_of(version.submission.practical)])
            record("assessment.draft", actor=assessor, target=f"judgement:{draft.id}",
                   detail={"version": version.id, "trainee": trainee.id,
                           "practical": version.submission.practical.code})
    db.session.refresh(draft)
    return draft


def last_tuk(assessor: User) -> str:
    """The place of the assessor's most recently saved judgement (draft or final) that names one."""
    return db.session.scalar(select(Judgement.tuk).where(Judgement.assessor_id == assessor.id, Judgement.tuk != "")
                             .order_by(Judgement.updated_at.desc(), Judgement.id.desc()).limit(1)) or ""


def _apply_marks(judgement: Judgement, marks: dict[int, MarkInput]) -> None:
    existing = {m.point_id: m for m in judgement.marks}
    for point_id, mark in marks.items():
        row = existing.get(point_id)
        if row is None:
            row = JudgementMark(point_id=point_id)
            judgement.marks.append(row)
        row.result, row.comment = mark.result, mark.comment


def save_marks(judgement: Judgement, actor: User, marks: dict[int, MarkInput], recommendation: str | None,
               feedback: str, tuk: str, attitudes: dict | None = None) -> Judgement:
    """Save a draft's marks, observed attitudes, recommendation, feedback and place (attitudes=None
    keeps the draft's). A final judgement is refused."""
    version = judgement.version
    check_judgeable(actor, version, judgement.trainee_id)
    practical = version.submission.practical
    feedback = clean_text(feedback, MAX_FEEDBACK, _("Umpan balik"))
    tuk = clean_text(tuk, MAX_TUK, _("Tempat uji kompetensi (TUK)"))
    recommendation = recommendation or None
    _check_recommendation(recommendation, marks, practical,
                          attitudes if attitudes is not None else judgement.attitude_marks)
    with write_transaction() as session:
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == judgement.id)))
        session.refresh(row)
        if row.state != JudgementState.DRAFT:
            raise FinalisedJudgementError()
        _apply_marks(row, marks)
        if attitudes is not None:
            row.attitude_marks = dict(attitudes)
        row.recommendation, row.feedback, row.tuk = recommendation, feedback, tuk
        row.assessor_id, row.updated_at = actor.id, utcnow()
    return row


def save_draft(version: SubmissionVersion, trainee: User, actor: User, marks: dict[int, MarkInput],
               recommendation: str | None, feedback: str, tuk: str, attitudes: dict | None = None,
               then_finalise: bool = False) -> Judgement:
    """start_or_resume_draft, save_marks and (then_finalise) finalise in one transaction: the
    marking form's POST, with the same checks and audit as the three calls and a third of the
    statements. A draft that may not be finalised yet is still saved, then the reason is raised.
    attitudes=None keeps the draft's."""
    check_judgeable(actor, version, trainee.id)
    practical = version.submission.practical
    feedback = clean_text(feedback, MAX_FEEDBACK, _("Umpan balik"))
    tuk = clean_text(tuk, MAX_TUK, _("Tempat uji kompetensi (TUK)"))
    recommendation = recommendation or None
    existing = open_draft(version.id, trainee.id)
    _check_recommendation(recommendation, marks, practical,
                          attitudes if attitudes is not None else (existing.attitude_marks if existing else None))
    with write_transaction() as session:
        if current_final(version.id, trainee.id) is not None:
            raise ServiceError(_("Kiriman ini sudah dinilai final. Perubahan hanya lewat koreksi dengan alasan."),
                               status=409)
        row = session.scalar(_locking(select(Judgement).where(
            Judgement.version_id == version.id, Judgement.trainee_id == trainee.id, Judgement.state == JudgementState.DRAFT,
            Judgement.void_reason.is_(None)).order_by(Judgement.id.desc()).limit(1))
            .execution_options(populate_existing=True))
        if row is None:
            row = Judgement(version_id=version.id, trainee_id=trainee.id, assessor_id=actor.id, state=JudgementState.DRAFT,
                            tuk=last_tuk(actor), attitude_marks={})
            session.add(row)
            session.flush()
            point_ids = [p.id for p in points_of(practical)] + [i for i in marks if i not in
                                                                   {p.id for p in points_of(practical)}]
            session.execute(insert(JudgementMark), [
                {"judgement_id": row.id, "point_id": pid, "result": (marks.get(pid) or MarkInput()).result,
                 "comment": (marks.get(pid) or MarkInput()).comment}
                for pid in point_ids])
            record("assessment.draft", actor=actor, target=f"judgement:{row.id}",
                   detail={"version": version.id, "trainee": trainee.id, "practical": practical.code})
        else:
            _apply_marks(row, marks)
        if attitudes is not None:
            row.attitude_marks = dict(attitudes)
        row.recommendation, row.feedback, row.tuk = recommendation, feedback, tuk
        row.assessor_id, row.updated_at = actor.id, utcnow()
        refused = None
        if then_finalise:
            session.flush()
            try:
                refuse_while_berkas_blocks(version, trainee.id)
                _check_finalisable(row, practical)
            except ServiceError as exc:
                refused = exc              # the draft above is still committed
            else:
                _finalise_row(session, row, actor, version, practical, trainee)
    if refused is not None:
        raise refused
    return row


def _marks_of(judgement: Judgement) -> dict[int, MarkInput]:
    return {m.point_id: MarkInput(m.result, m.comment or "") for m in judgement.marks}


def _record_lik_change(actor: User, trainee: User, code: str):
    """A hook for unit_status_changes: audit the effective LIK result's change from its two readings."""
    def hook(before: dict, after: dict) -> None:
        old, new = before[trainee.id].liks[code].status, after[trainee.id].liks[code].status
        if new != old:
            record("assessment.result", actor=actor, target=f"user:{trainee.id}",
                   detail={"practical": code, "from": str(old), "to": str(new)})
    return hook


def berkas_block_reason(version: SubmissionVersion, trainee_id: int) -> str | None:
    """Why the berkas holds finalising back: FR.AK.01 not signed by both, or the partner on the
    version has not agreed (or declined) to be recorded. None when finalising may go ahead."""
    from ..berkas.gates import finalise_block_reason

    return finalise_block_reason(version, trainee_id)


def refuse_while_berkas_blocks(version: SubmissionVersion, trainee_id: int) -> None:
    reason = berkas_block_reason(version, trainee_id)
    if reason:
        raise ServiceError(reason, 409)


def finalise(judgement: Judgement, actor: User) -> Judgement:
    """Freeze a draft: every active point marked, a recommendation consistent with the marks."""
    version = judgement.version
    check_judgeable(actor, version, judgement.trainee_id)
    refuse_while_berkas_blocks(version, judgement.trainee_id)
    practical = version.submission.practical
    trainee = judgement.trainee
    with write_transaction() as session:
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == judgement.id))
                             .execution_options(populate_existing=True))
        if row.state != JudgementState.DRAFT:
            raise FinalisedJudgementError()
        _check_finalisable(row, practical)
        _finalise_row(session, row, actor, version, practical, trainee)
    return row


def _check_finalisable(row: Judgement, practical: Practical) -> None:
    """Refuse (ServiceError) a draft another final beat, or with a point unmarked or a recommendation
    missing or inconsistent with its marks."""
    if _newest_final_for_update(row.version_id, row.trainee_id) is not None:
        raise ServiceError(_("Kiriman ini sudah dinilai final oleh asesor lain. Muat ulang halaman."), 409)
    marks = _marks_of(row)
    _require_complete(marks, practical, row.attitude_marks)
    if row.recommendation is None:
        raise ServiceError(_("Pilih rekomendasi K atau BK sebelum memfinalkan."))
    _check_recommendation(row.recommendation, marks, practical, row.attitude_marks)


def _finalise_row(session, row: Judgement, actor: User, version: SubmissionVersion, practical: Practical,
                  trainee: User) -> None:
    """Inside a write transaction, on a draft _check_finalisable passed: make it final, audited, with
    the unit results read once before and once after."""
    with unit_status_changes([trainee.id], actor, "penilaian", {"practical": practical.code},
                             liks_only=True) as changes:
        row.state, row.finalised_at, row.assessor_id, row.updated_at = JudgementState.FINAL, utcnow(), actor.id, utcnow()
        session.flush()
        record("assessment.finalise", actor=actor, target=f"judgement:{row.id}",
               detail={"practical": practical.code, "version": version.number, "trainee": trainee.id,
                       "recommendation": row.recommendation})
        changes.then(_record_lik_change(actor, trainee, practical.code))


def correct(old: Judgement, actor: User, marks: dict[int, MarkInput], recommendation: str | None,
            feedback: str, tuk: str, reason: str, attitudes: dict | None = None) -> Judgement:
    """A new final judgement replacing `old` (kept as is), with the reason for the correction.
    attitudes=None keeps the observed attitudes of `old`."""
    version = old.version
    check_judgeable(actor, version, old.trainee_id)
    practical = version.submission.practical
    trainee = old.trainee
    reason = clean_text(reason, MAX_REASON, _("Alasan koreksi"))
    if len(reason) < MIN_REASON:
        raise ServiceError(_("Tulis alasan koreksi (minimal %(n)d karakter).", n=MIN_REASON))
    feedback = clean_text(feedback, MAX_FEEDBACK, _("Umpan balik"))
    tuk = clean_text(tuk, MAX_TUK, _("Tempat uji kompetensi (TUK)"))
    recommendation = recommendation or None
    attitudes = dict(attitudes if attitudes is not None else old.attitude_marks or {})
    _require_complete(marks, practical, attitudes)
    if recommendation is None:
        raise ServiceError(_("Pilih rekomendasi K atau BK."))
    _check_recommendation(recommendation, marks, practical, attitudes)
    with write_transaction() as session, unit_status_changes([trainee.id], actor, "koreksi",
                                                             {"practical": practical.code}, liks_only=True) as changes:
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == old.id)))
        if row.state != JudgementState.FINAL:
            raise ServiceError(_("Hanya penilaian final yang dikoreksi; draf cukup disimpan ulang."), 409)
        if row.void_reason is not None:
            raise ServiceError(_("Penilaian ini tidak berlaku lagi, jadi tidak dapat dikoreksi."), 409)
        if superseded_by(row) is not None:
            raise ServiceError(_("Penilaian ini sudah dikoreksi. Koreksi penilaian yang terbaru."), 409)
        now = utcnow()
        new = Judgement(version_id=row.version_id, trainee_id=row.trainee_id, assessor_id=actor.id, state=JudgementState.FINAL,
                        recommendation=recommendation, feedback=feedback, tuk=tuk, created_at=now, updated_at=now,
                        finalised_at=now, supersedes_id=row.id, correction_reason=reason,
                        attitude_marks=attitudes)
        # The time-stamped comments carry over; inserted in the same flush as the new judgement
        # (guards.py freezes a final judgement's comments once it exists).
        new.comments = [JudgementComment(seconds=c.seconds, point_id=c.point_id, text=c.text, author_id=c.author_id,
                                         created_at=c.created_at)
                        for c in session.scalars(select(JudgementComment).where(JudgementComment.judgement_id == row.id)
                                                 .order_by(JudgementComment.seconds, JudgementComment.id))]
        session.add(new)
        session.flush()
        for point_id, mark in marks.items():
            session.add(JudgementMark(judgement_id=new.id, point_id=point_id, result=mark.result,
                                      comment=mark.comment))
        session.flush()
        record("assessment.correct", actor=actor, target=f"judgement:{new.id}",
               detail={"supersedes": row.id, "practical": practical.code, "trainee": trainee.id,
                       "from": row.recommendation, "to": recommendation, "reason": reason[:300]})
        changes.then(_record_lik_change(actor, trainee, practical.code))
    db.session.refresh(new)
    return new
