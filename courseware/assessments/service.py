"""Assessment rules: the assessor's queue, drafts, finalising and corrections of judgements.

A judgement is per (submission version, judged trainee), and the judged trainee is always the
version's submitter: a LIK video is evidence only for the trainee who plays the assessed role
in it. Nobody judges a version they appear in. Effective and unit results are read from
courseware/results; the record pages' data is in records.py.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import joinedload, lazyload

from ..accounts.models import User
from ..audit.service import record
from ..classes.models import Classroom, Enrollment
from ..classes.service import teaches_trainee
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from ..practicals.models import ChecklistPoint, Practical, Submission, SubmissionVersion
from ..practicals import service as practicals_service
from ..results import status as results
from ..results.changes import unit_status_changes
from .models import Judgement, JudgementMark
from .records import settled_unit_results

LIK_CODES = ("LIK_1", "LIK_2")
MAX_COMMENT = 2000
MAX_FEEDBACK = 5000
MAX_REASON = 2000
MAX_TUK = 160
MIN_REASON = 10
# The module allows 5% errors; on 5-7 points that rounds to zero BK points, and critical points
# never tolerate BK. Kept as a figure so the rule reads like the module.
TOLERANCE = 0.05


class FinalisedJudgementError(ServiceError):
    def __init__(self):
        super().__init__(_("Penilaian yang sudah final tidak dapat diubah. Buat koreksi dengan alasan."), 409)


# --- the database refuses to change a final judgement, whoever tries -----------------------

def _committed_state(judgement: Judgement) -> str | None:
    history = inspect(judgement).attrs.state.history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return None if inspect(judgement).pending else judgement.state


@event.listens_for(Judgement, "before_update")
def _guard_final_judgement(_mapper, _connection, target):
    if _committed_state(target) == "final":
        raise FinalisedJudgementError()


@event.listens_for(Judgement, "before_delete")
def _guard_final_delete(_mapper, _connection, target):
    if _committed_state(target) == "final":
        raise FinalisedJudgementError()


@event.listens_for(Judgement, "before_insert")
@event.listens_for(Judgement, "before_update")
def _guard_self_judgement(_mapper, _connection, target):
    """No record ever names the same person as trainee and assessor, whatever code path tries."""
    if target.assessor_id is not None and target.assessor_id == target.trainee_id:
        raise ServiceError(_("Peserta tidak boleh menilai dirinya sendiri."), 403)


@event.listens_for(JudgementMark, "before_update")
@event.listens_for(JudgementMark, "before_delete")
def _guard_final_mark(_mapper, _connection, target):
    judgement = target.judgement
    if judgement is not None and _committed_state(judgement) == "final":
        raise FinalisedJudgementError()


# --- small helpers ------------------------------------------------------------------------

def can_judge(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.has_role("assessor", "admin"))


def appears_in(user, version: SubmissionVersion) -> bool:
    """True when `user` is in the video: its submitter or the partner named on that version."""
    return user is not None and user.id in (version.submission.trainee_id, version.partner_id)


def can_judge_version(user, version: SubmissionVersion) -> bool:
    """Assessors and admins judge a version, unless they appear in it (nobody judges themselves)."""
    return can_judge(user) and not appears_in(user, version)


evidence_rule = practicals_service.evidence_rule


def result_labels() -> dict:
    return results.lik_labels()


def test_labels() -> dict:
    return results.test_labels()


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


def format_waiting(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return ngettext("%(n)d menit", "%(n)d menit", minutes, n=minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d jam", "%(n)d jam", hours, n=hours)
    return ngettext("%(n)d hari", "%(n)d hari", hours // 24, n=hours // 24)


def _clean_text(text, limit: int, what: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > limit:
        raise ServiceError(_("%(what)s terlalu panjang: %(n)d karakter (maksimal %(max)d).",
                             what=what, n=len(text), max=limit), status=413)
    return text


def points_of(practical: Practical) -> list[ChecklistPoint]:
    return practical.active_points


def role_in_version(version: SubmissionVersion, trainee_id: int) -> str | None:
    """"pengirim" for the submitter, "pasangan" for the partner named on that version, else None."""
    if version.submission.trainee_id == trainee_id:
        return "pengirim"
    if version.partner_id is not None and version.partner_id == trainee_id:
        return "pasangan"
    return None


def version_and_trainee_or_404(version_id: int, trainee_id: int) -> tuple[SubmissionVersion, User]:
    """The version and a trainee named on it (submitter or partner); 404 otherwise. Whether the
    trainee may be judged from it is check_judgeable's question."""
    version = db.session.get(SubmissionVersion, version_id)
    if version is None or role_in_version(version, trainee_id) is None:
        abort(404)
    trainee = db.session.get(User, trainee_id)
    if trainee is None:
        abort(404)
    return version, trainee


# --- judgements: lookups ---------------------------------------------------------------

current_final = results.current_final
evidence_version = results.evidence_version


def open_draft(version_id: int, trainee_id: int) -> Judgement | None:
    return db.session.scalar(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == "draft", Judgement.void_reason.is_(None))
        .order_by(Judgement.id.desc()).limit(1))


def final_history(version_id: int, trainee_id: int) -> list[Judgement]:
    """Every final judgement of (version, trainee), newest first: corrections, the ones they
    replaced, and void ones (shown as not counting)."""
    return list(db.session.scalars(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == "final")
        .order_by(Judgement.finalised_at.desc(), Judgement.id.desc())))


def superseded_by(judgement: Judgement) -> Judgement | None:
    return db.session.scalar(select(Judgement).where(Judgement.supersedes_id == judgement.id,
                                                     Judgement.void_reason.is_(None)))


def _newest_final_for_update(version_id: int, trainee_id: int) -> Judgement | None:
    superseded = select(Judgement.supersedes_id).where(Judgement.supersedes_id.is_not(None),
                                                       Judgement.void_reason.is_(None))
    return db.session.scalar(_locking(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == "final", Judgement.void_reason.is_(None),
                                Judgement.id.not_in(superseded))
        .order_by(Judgement.id.desc()).limit(1)))


def _locking(query):
    """Lock the judgement rows on PostgreSQL. Eager joins are switched off for the locking query,
    since FOR UPDATE is not allowed on the nullable side of their outer joins."""
    return query.options(lazyload("*")).with_for_update()


def effective_lik_result(trainee_id: int, code: str) -> str:
    """"K" | "BK" | "belum-dinilai" | "belum-mengumpulkan" (see courseware/results)."""
    return results.lik_result(trainee_id, code).status


def unit_result(trainee: User) -> results.UnitResult:
    return settled_unit_results([trainee.id])[trainee.id]


# --- the assessor's queue -------------------------------------------------------------------

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
        Judgement.state == "final", Judgement.void_reason.is_(None), Judgement.version_id.in_(ids),
        Judgement.trainee_id == Submission.trainee_id).join(SubmissionVersion).join(Submission)))
    drafts = {j.version_id: j for j in db.session.scalars(
        select(Judgement).where(Judgement.state == "draft", Judgement.void_reason.is_(None),
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


# --- drafting, finalising, correcting ---------------------------------------------------

@dataclass
class MarkInput:
    result: str | None = None
    comment: str = ""
    seconds: int | None = None


def parse_marks(form, practical: Practical) -> dict[int, MarkInput]:
    """Read hasil-<id>, komentar-<id>, waktu-<id> for every active point of `practical` from a form dict."""
    marks = {}
    for point in points_of(practical):
        result = (form.get(f"hasil-{point.id}") or "").strip().upper() or None
        if result not in (None, *("K", "BK")):
            raise ServiceError(_("Hasil butir %(p)s harus K atau BK.", p=point.uid))
        marks[point.id] = MarkInput(
            result=result,
            comment=_clean_text(form.get(f"komentar-{point.id}"), MAX_COMMENT, _("Komentar butir %(p)s", p=point.uid)),
            seconds=parse_seconds(form.get(f"waktu-{point.id}")),
        )
    return marks


def parse_attitudes(form, practical: Practical) -> dict:
    """sikap-<id> (K/BK) and sikap-komentar-<id> for every attitude the sheet names."""
    attitudes = {}
    for attitude in practical.attitudes or []:
        result = (form.get(f"sikap-{attitude['id']}") or "").strip().upper() or None
        if result not in (None, "K", "BK"):
            raise ServiceError(_("Hasil sikap %(s)s harus K atau BK.", s=attitude["name"]))
        comment = _clean_text(form.get(f"sikap-komentar-{attitude['id']}"), MAX_COMMENT,
                              _("Komentar sikap %(s)s", s=attitude["name"]))
        attitudes[attitude["id"]] = {"result": result, "comment": comment}
    return attitudes


def _attitudes_not_k(attitudes: dict | None, practical: Practical) -> list[str]:
    return [a["name"] for a in practical.attitudes or [] if ((attitudes or {}).get(a["id"]) or {}).get("result") != "K"]


def _check_recommendation(recommendation: str | None, marks: dict[int, MarkInput], practical: Practical,
                          attitudes: dict | None = None) -> None:
    if recommendation not in (None, "K", "BK"):
        raise ServiceError(_("Rekomendasi harus K atau BK."))
    if recommendation == "K" and _attitudes_not_k(attitudes, practical):
        raise ServiceError(_("Rekomendasi K hanya boleh jika setiap sikap yang diamati bernilai K. Belum K: %(s)s.",
                             s=", ".join(_attitudes_not_k(attitudes, practical))))
    if recommendation == "K":
        points = points_of(practical)
        not_k = [p for p in points if (marks.get(p.id) or MarkInput()).result != "K"]
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


def check_judgeable(actor: User, version: SubmissionVersion, trainee_id: int) -> None:
    """May `actor` open, save, finalise or correct a judgement of `trainee_id` on `version`?"""
    if not can_judge(actor):
        raise ServiceError(_("Hanya asesor yang dapat menilai."), status=403)
    role = role_in_version(version, trainee_id)
    if role is None:
        raise ServiceError(_("Peserta ini tidak tercantum pada versi kiriman tersebut."), status=404)
    if role == "pasangan":
        raise ServiceError(evidence_rule(version.submission.practical), status=403)
    if appears_in(actor, version):
        raise ServiceError(_("Anda tampil di video ini (sebagai pengirim atau pasangan), jadi tidak boleh "
                             "menilainya. Penilaian ini harus dilakukan asesor lain."), status=403)
    if version.media_file_id is None:
        raise ServiceError(_("Versi ini belum memiliki video; belum dapat dinilai."), status=409)


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
                              state="draft", tuk=_last_tuk(assessor))
            session.add(draft)
            session.flush()
            for point in points_of(version.submission.practical):
                session.add(JudgementMark(judgement_id=draft.id, point_id=point.id))
            record("assessment.draft", actor=assessor, target=f"judgement:{draft.id}",
                   detail={"version": version.id, "trainee": trainee.id,
                           "practical": version.submission.practical.code})
    db.session.refresh(draft)
    return draft


def _last_tuk(assessor: User) -> str:
    return db.session.scalar(select(Judgement.tuk).where(Judgement.assessor_id == assessor.id, Judgement.tuk != "")
                             .order_by(Judgement.id.desc()).limit(1)) or ""


def _apply_marks(judgement: Judgement, marks: dict[int, MarkInput]) -> None:
    existing = {m.point_id: m for m in judgement.marks}
    for point_id, mark in marks.items():
        row = existing.get(point_id)
        if row is None:
            row = JudgementMark(point_id=point_id)
            judgement.marks.append(row)
        row.result, row.comment, row.video_seconds = mark.result, mark.comment, mark.seconds


def save_marks(judgement: Judgement, actor: User, marks: dict[int, MarkInput], recommendation: str | None,
               feedback: str, tuk: str, attitudes: dict | None = None) -> Judgement:
    """Save a draft's marks, observed attitudes, recommendation, feedback and place (attitudes=None
    keeps the draft's). A final judgement is refused."""
    version = judgement.version
    check_judgeable(actor, version, judgement.trainee_id)
    practical = version.submission.practical
    feedback = _clean_text(feedback, MAX_FEEDBACK, _("Umpan balik"))
    tuk = _clean_text(tuk, MAX_TUK, _("Tempat uji kompetensi (TUK)"))
    recommendation = recommendation or None
    _check_recommendation(recommendation, marks, practical,
                          attitudes if attitudes is not None else judgement.attitude_marks)
    with write_transaction() as session:
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == judgement.id)))
        session.refresh(row)
        if row.state != "draft":
            raise FinalisedJudgementError()
        _apply_marks(row, marks)
        if attitudes is not None:
            row.attitude_marks = dict(attitudes)
        row.recommendation, row.feedback, row.tuk = recommendation, feedback, tuk
        row.assessor_id, row.updated_at = actor.id, utcnow()
    return row


def _marks_of(judgement: Judgement) -> dict[int, MarkInput]:
    return {m.point_id: MarkInput(m.result, m.comment or "", m.video_seconds) for m in judgement.marks}


def _record_lik_change(actor: User, trainee: User, code: str, before: str) -> None:
    after = effective_lik_result(trainee.id, code)
    if after != before:
        record("assessment.result", actor=actor, target=f"user:{trainee.id}",
               detail={"practical": code, "from": str(before), "to": str(after)})


def finalise(judgement: Judgement, actor: User) -> Judgement:
    """Freeze a draft: every active point marked, a recommendation consistent with the marks."""
    version = judgement.version
    check_judgeable(actor, version, judgement.trainee_id)
    practical = version.submission.practical
    trainee = judgement.trainee
    with write_transaction() as session, unit_status_changes([trainee.id], actor, "penilaian",
                                                             {"practical": practical.code}):
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == judgement.id)))
        session.refresh(row)
        if row.state != "draft":
            raise FinalisedJudgementError()
        if _newest_final_for_update(row.version_id, row.trainee_id) is not None:
            raise ServiceError(_("Kiriman ini sudah dinilai final oleh asesor lain. Muat ulang halaman."), 409)
        marks = _marks_of(row)
        _require_complete(marks, practical, row.attitude_marks)
        if row.recommendation is None:
            raise ServiceError(_("Pilih rekomendasi K atau BK sebelum memfinalkan."))
        _check_recommendation(row.recommendation, marks, practical, row.attitude_marks)
        before_lik = effective_lik_result(trainee.id, practical.code)
        row.state, row.finalised_at, row.assessor_id, row.updated_at = "final", utcnow(), actor.id, utcnow()
        session.flush()
        record("assessment.finalise", actor=actor, target=f"judgement:{row.id}",
               detail={"practical": practical.code, "version": version.number, "trainee": trainee.id,
                       "recommendation": row.recommendation})
        _record_lik_change(actor, trainee, practical.code, before_lik)
    return row


def correct(old: Judgement, actor: User, marks: dict[int, MarkInput], recommendation: str | None,
            feedback: str, tuk: str, reason: str, attitudes: dict | None = None) -> Judgement:
    """A new final judgement replacing `old` (kept as is), with the reason for the correction.
    attitudes=None keeps the observed attitudes of `old`."""
    version = old.version
    check_judgeable(actor, version, old.trainee_id)
    practical = version.submission.practical
    trainee = old.trainee
    reason = _clean_text(reason, MAX_REASON, _("Alasan koreksi"))
    if len(reason) < MIN_REASON:
        raise ServiceError(_("Tulis alasan koreksi (minimal %(n)d karakter).", n=MIN_REASON))
    feedback = _clean_text(feedback, MAX_FEEDBACK, _("Umpan balik"))
    tuk = _clean_text(tuk, MAX_TUK, _("Tempat uji kompetensi (TUK)"))
    recommendation = recommendation or None
    attitudes = dict(attitudes if attitudes is not None else old.attitude_marks or {})
    _require_complete(marks, practical, attitudes)
    if recommendation is None:
        raise ServiceError(_("Pilih rekomendasi K atau BK."))
    _check_recommendation(recommendation, marks, practical, attitudes)
    with write_transaction() as session, unit_status_changes([trainee.id], actor, "koreksi",
                                                             {"practical": practical.code}):
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == old.id)))
        if row.state != "final":
            raise ServiceError(_("Hanya penilaian final yang dikoreksi; draf cukup disimpan ulang."), 409)
        if row.void_reason is not None:
            raise ServiceError(_("Penilaian ini tidak berlaku lagi, jadi tidak dapat dikoreksi."), 409)
        if superseded_by(row) is not None:
            raise ServiceError(_("Penilaian ini sudah dikoreksi. Koreksi penilaian yang terbaru."), 409)
        before_lik = effective_lik_result(trainee.id, practical.code)
        now = utcnow()
        new = Judgement(version_id=row.version_id, trainee_id=row.trainee_id, assessor_id=actor.id, state="final",
                        recommendation=recommendation, feedback=feedback, tuk=tuk, created_at=now, updated_at=now,
                        finalised_at=now, supersedes_id=row.id, correction_reason=reason,
                        attitude_marks=attitudes)
        session.add(new)
        session.flush()
        for point_id, mark in marks.items():
            session.add(JudgementMark(judgement_id=new.id, point_id=point_id, result=mark.result,
                                      comment=mark.comment, video_seconds=mark.seconds))
        session.flush()
        record("assessment.correct", actor=actor, target=f"judgement:{new.id}",
               detail={"supersedes": row.id, "practical": practical.code, "trainee": trainee.id,
                       "from": row.recommendation, "to": recommendation, "reason": reason[:300]})
        _record_lik_change(actor, trainee, practical.code, before_lik)
    db.session.refresh(new)
    return new


# --- who may see a trainee's results and records ------------------------------------------

def can_see_trainee_records(user: User, trainee_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.id == trainee_id or user.has_role("assessor", "admin"):
        return True
    return user.has_role("teacher") and teaches_trainee(user, trainee_id)


def trainee_for_records_or_404(user: User, trainee_id: int) -> User:
    """The trainee if `user` is that trainee, a teacher of their class, an assessor or an admin; else 404."""
    trainee = db.session.get(User, trainee_id)
    if trainee is None or not trainee.has_role("trainee") or not can_see_trainee_records(user, trainee_id):
        abort(404)
    return trainee


def judgement_for_viewer_or_404(user: User, judgement_id: int) -> Judgement:
    """A final judgement for anyone who may see the judged trainee's records; drafts only for assessors."""
    judgement = db.session.get(Judgement, judgement_id)
    if judgement is None or not can_see_trainee_records(user, judgement.trainee_id):
        abort(404)
    if not judgement.is_final and not can_judge(user):
        abort(404)
    return judgement


def class_for_report_or_404(user: User, class_id: int) -> Classroom:
    """A class report: the class's teacher, assessors and admins; 404 otherwise."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not (user.has_role("assessor", "admin") or classroom.teacher_id == user.id):
        abort(404)
    return classroom


# --- the trainee's view ---------------------------------------------------------------------

@dataclass
class VersionHistory:
    version: SubmissionVersion
    role: str
    judgements: list                # final judgements about this trainee, newest first
    is_evidence: bool = False       # the version the effective result is taken from


def trainee_history(trainee: User, code: str) -> list[VersionHistory]:
    """Every version of `code` naming the trainee (own or as partner), newest first, with only the
    final judgements about this trainee (never the partner's)."""
    versions = db.session.scalars(
        select(SubmissionVersion).join(Submission).join(Practical)
        .where(Practical.code == code,
               or_(Submission.trainee_id == trainee.id, SubmissionVersion.partner_id == trainee.id))
        .order_by(SubmissionVersion.created_at.desc(), SubmissionVersion.id.desc()))
    evidence = evidence_version(trainee.id, code)
    return [VersionHistory(v, role_in_version(v, trainee.id), final_history(v.id, trainee.id),
                           evidence is not None and v.id == evidence.id) for v in versions]
