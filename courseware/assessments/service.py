"""Assessment rules: the assessor's queue, drafts, finalising, corrections, effective results,
the unit result, and the data behind the assessment records (FR.IA.01, FR.AK.02, FR.AK.05).

A judgement is per (submission version, judged trainee): in a pair the submitter and the partner
are judged separately. The effective result of a trainee for a LIK is the newest final judgement
that no correction has superseded, on the trainee's newest version that carries a video.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import lazyload

from .. import UNIT_CODE, UNIT_TITLE
from ..accounts.models import User
from ..audit.service import record
from ..classes.models import Classroom, Enrollment
from ..classes.service import teaches_trainee, trainees_of
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..formats import decimal_comma, to_local
from ..models_base import utcnow
from ..practicals.models import ChecklistPoint, Practical, Submission, SubmissionVersion
from ..practicals.service import evidence_for
from .models import Judgement, JudgementMark

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


@event.listens_for(JudgementMark, "before_update")
@event.listens_for(JudgementMark, "before_delete")
def _guard_final_mark(_mapper, _connection, target):
    judgement = target.judgement
    if judgement is not None and _committed_state(judgement) == "final":
        raise FinalisedJudgementError()


# --- small helpers ------------------------------------------------------------------------

def can_judge(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.has_role("assessor", "admin"))


def result_labels() -> dict:
    return {"K": _("Kompeten (K)"), "BK": _("Belum Kompeten (BK)"), "belum-dinilai": _("Belum dinilai"),
            "belum-mengumpulkan": _("Belum mengumpulkan"), None: _("Belum ditandai")}


def test_labels() -> dict:
    return {"lulus": _("Lulus"), "belum-lulus": _("Belum lulus"), "belum-ikut": _("Belum ikut")}


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
        return _("%(n)d menit", n=minutes)
    hours = minutes // 60
    if hours < 48:
        return _("%(n)d jam", n=hours)
    return _("%(n)d hari", n=hours // 24)


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


def played_role(version: SubmissionVersion, trainee_id: int) -> str:
    practical = version.submission.practical
    return practical.trainee_role if role_in_version(version, trainee_id) == "pengirim" else practical.partner_role


def other_person(version: SubmissionVersion, trainee_id: int) -> User | None:
    if role_in_version(version, trainee_id) == "pengirim":
        return version.partner
    return version.submission.trainee


def version_and_trainee_or_404(version_id: int, trainee_id: int) -> tuple[SubmissionVersion, User]:
    """The version and the judged trainee, who must be its submitter or its partner; 404 otherwise."""
    version = db.session.get(SubmissionVersion, version_id)
    if version is None or role_in_version(version, trainee_id) is None:
        abort(404)
    trainee = db.session.get(User, trainee_id)
    if trainee is None:
        abort(404)
    return version, trainee


# --- judgements: lookups ---------------------------------------------------------------

def _superseded_ids():
    return select(Judgement.supersedes_id).where(Judgement.supersedes_id.is_not(None))


def current_final(version_id: int, trainee_id: int) -> Judgement | None:
    """The newest final judgement of (version, trainee) that no correction superseded."""
    return db.session.scalar(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == "final", Judgement.id.not_in(_superseded_ids()))
        .order_by(Judgement.finalised_at.desc(), Judgement.id.desc()).limit(1))


def open_draft(version_id: int, trainee_id: int) -> Judgement | None:
    return db.session.scalar(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == "draft").order_by(Judgement.id.desc()).limit(1))


def final_history(version_id: int, trainee_id: int) -> list[Judgement]:
    """Every final judgement of (version, trainee), newest first (corrections and the ones they replaced)."""
    return list(db.session.scalars(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == "final")
        .order_by(Judgement.finalised_at.desc(), Judgement.id.desc())))


def superseded_by(judgement: Judgement) -> Judgement | None:
    return db.session.scalar(select(Judgement).where(Judgement.supersedes_id == judgement.id))


def _newest_final_for_update(version_id: int, trainee_id: int) -> Judgement | None:
    return db.session.scalar(_locking(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == "final", Judgement.id.not_in(_superseded_ids()))
        .order_by(Judgement.id.desc()).limit(1)))


def _locking(query):
    """Lock the judgement rows on PostgreSQL. Eager joins are switched off for the locking query,
    since FOR UPDATE is not allowed on the nullable side of their outer joins."""
    return query.options(lazyload("*")).with_for_update()


# --- the effective results -----------------------------------------------------------------

def evidence_version(trainee_id: int, code: str) -> SubmissionVersion | None:
    """The trainee's newest version (as submitter or partner) of `code` that has a video."""
    return evidence_for(trainee_id, code, require_video=True)


def effective_judgement(trainee_id: int, code: str) -> tuple[SubmissionVersion | None, Judgement | None]:
    version = evidence_version(trainee_id, code)
    if version is None:
        return None, None
    return version, current_final(version.id, trainee_id)


def effective_lik_result(trainee_id: int, code: str) -> str:
    """"K" | "BK" | "belum-dinilai" | "belum-mengumpulkan"."""
    version, judgement = effective_judgement(trainee_id, code)
    if version is None:
        return "belum-mengumpulkan"
    if judgement is None:
        return "belum-dinilai"
    return judgement.recommendation


def written_test(user: User) -> dict:
    """The quizzes domain's written_test_status(user), or "belum-ikut" while that domain is missing."""
    try:
        from ..quizzes.service import written_test_status
    except ImportError:  # pragma: no cover - only while the quizzes domain is missing
        return {"status": "belum-ikut", "score": None, "attempt_id": None, "pass_mark": None}
    return written_test_status(user)


def _format_score(score) -> str:
    if score is None:
        return "-"
    return decimal_comma(score, None if float(score).is_integer() else 1)


def unit_result(trainee: User, test: dict | None = None) -> dict:
    """Kompeten when the written test is passed and LIK_1 and LIK_2 are both K; else what is missing.

    `test` lets a caller inside a write transaction pass the written-test status it read before
    (the quizzes domain may close expired attempts, which commits).
    """
    test = dict(test if test is not None else written_test(trainee))
    lik1 = effective_lik_result(trainee.id, "LIK_1")
    lik2 = effective_lik_result(trainee.id, "LIK_2")
    missing = []
    if test.get("status") == "belum-ikut":
        missing.append(_("Tes tertulis belum diikuti."))
    elif test.get("status") != "lulus":
        missing.append(_("Tes tertulis belum lulus (nilai %(s)s, batas lulus %(p)s).",
                         s=_format_score(test.get("score")), p=_format_score(test.get("pass_mark"))))
    for code, result in (("LIK_1", lik1), ("LIK_2", lik2)):
        if result == "belum-mengumpulkan":
            missing.append(_("%(c)s belum dikumpulkan.", c=code))
        elif result == "belum-dinilai":
            missing.append(_("%(c)s belum dinilai asesor.", c=code))
        elif result == "BK":
            missing.append(_("%(c)s Belum Kompeten: perbaiki lalu kirim versi baru.", c=code))
    return {"result": "Belum Kompeten" if missing else "Kompeten", "missing": missing,
            "test": test, "lik1": lik1, "lik2": lik2}


# --- the assessor's queue -------------------------------------------------------------------

@dataclass
class QueueRow:
    version: SubmissionVersion
    trainee: User
    partner: User | None
    practical: Practical
    role: str                       # pengirim | pasangan
    waiting_since: datetime
    waited: timedelta
    draft: Judgement | None = None

    @property
    def media_status(self):
        return self.version.media_status


def queue(class_id: int | None = None, code: str | None = None, now: datetime | None = None) -> list[QueueRow]:
    """(version, trainee) pairs that wait for a final judgement, oldest first.

    Only each trainee's newest version with a video counts; a version already judged final
    for that trainee is done (corrections start from the judgement, not from the queue).
    """
    now = now or utcnow()
    query = (select(SubmissionVersion).join(Submission).join(Practical)
             .where(SubmissionVersion.media_file_id.is_not(None)))
    if code:
        query = query.where(Practical.code == code)
    versions = list(db.session.scalars(query))
    newest: dict[tuple[int, str], SubmissionVersion] = {}
    for version in versions:
        for trainee_id in (version.submission.trainee_id, version.partner_id):
            if trainee_id is None:
                continue
            key = (trainee_id, version.submission.practical.code)
            best = newest.get(key)
            if best is None or (version.created_at, version.id) > (best.created_at, best.id):
                newest[key] = version
    if not newest:
        return []
    version_ids = {v.id for v in newest.values()}
    judged = set(db.session.execute(
        select(Judgement.version_id, Judgement.trainee_id)
        .where(Judgement.state == "final", Judgement.version_id.in_(version_ids))).all())
    drafts = {(j.version_id, j.trainee_id): j for j in db.session.scalars(
        select(Judgement).where(Judgement.state == "draft", Judgement.version_id.in_(version_ids)))}
    allowed = None
    if class_id:
        allowed = set(db.session.scalars(select(Enrollment.user_id).where(Enrollment.classroom_id == class_id)))
    rows = []
    for (trainee_id, _code), version in newest.items():
        if (version.id, trainee_id) in judged or (allowed is not None and trainee_id not in allowed):
            continue
        since = version.attached_at or version.created_at
        rows.append(QueueRow(
            version=version, trainee=db.session.get(User, trainee_id), partner=other_person(version, trainee_id),
            practical=version.submission.practical, role=role_in_version(version, trainee_id),
            waiting_since=since, waited=now - since, draft=drafts.get((version.id, trainee_id))))
    rows.sort(key=lambda r: (r.waiting_since, r.version.id, r.role != "pengirim"))
    return rows


def queue_summary() -> dict:
    rows = queue()
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


def _check_recommendation(recommendation: str | None, marks: dict[int, MarkInput], practical: Practical) -> None:
    if recommendation not in (None, "K", "BK"):
        raise ServiceError(_("Rekomendasi harus K atau BK."))
    if recommendation == "K":
        points = points_of(practical)
        not_k = [p for p in points if (marks.get(p.id) or MarkInput()).result != "K"]
        # Tolerance rounds to zero on 5-7 points, and critical points never tolerate BK.
        allowed_bk = int(len(points) * TOLERANCE)
        if any(p.critical for p in not_k) or len(not_k) > allowed_bk:
            raise ServiceError(_("Rekomendasi K hanya boleh jika semua butir bernilai K. "
                                 "Butir yang belum K: %(p)s.", p=", ".join(p.uid for p in not_k)))


def _require_complete(marks: dict[int, MarkInput], practical: Practical) -> None:
    unmarked = [p.uid for p in points_of(practical) if (marks.get(p.id) or MarkInput()).result is None]
    if unmarked:
        raise ServiceError(_("Semua butir harus dinilai K atau BK sebelum difinalkan. Belum dinilai: %(p)s.",
                             p=", ".join(unmarked)))


def _check_judgeable(actor: User, version: SubmissionVersion, trainee_id: int) -> None:
    if not can_judge(actor):
        raise ServiceError(_("Hanya asesor yang dapat menilai."), status=403)
    if role_in_version(version, trainee_id) is None:
        raise ServiceError(_("Peserta ini tidak tercantum pada versi kiriman tersebut."), status=404)
    if version.media_file_id is None:
        raise ServiceError(_("Versi ini belum memiliki video; belum dapat dinilai."), status=409)


def start_or_resume_draft(version: SubmissionVersion, trainee: User, assessor: User) -> Judgement:
    """The open draft for (version, trainee), created with an empty mark per point if needed."""
    _check_judgeable(assessor, version, trainee.id)
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
               feedback: str, tuk: str) -> Judgement:
    """Save a draft's marks, recommendation, feedback and place. A final judgement is refused."""
    version = judgement.version
    _check_judgeable(actor, version, judgement.trainee_id)
    practical = version.submission.practical
    feedback = _clean_text(feedback, MAX_FEEDBACK, _("Umpan balik"))
    tuk = _clean_text(tuk, MAX_TUK, _("Tempat uji kompetensi (TUK)"))
    recommendation = recommendation or None
    _check_recommendation(recommendation, marks, practical)
    with write_transaction() as session:
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == judgement.id)))
        session.refresh(row)
        if row.state != "draft":
            raise FinalisedJudgementError()
        _apply_marks(row, marks)
        row.recommendation, row.feedback, row.tuk = recommendation, feedback, tuk
        row.assessor_id, row.updated_at = actor.id, utcnow()
    return row


def _marks_of(judgement: Judgement) -> dict[int, MarkInput]:
    return {m.point_id: MarkInput(m.result, m.comment or "", m.video_seconds) for m in judgement.marks}


def _record_result_changes(actor: User, trainee: User, code: str, before_lik: str, before_unit: str,
                           test: dict) -> None:
    after_lik = effective_lik_result(trainee.id, code)
    if after_lik != before_lik:
        record("assessment.result", actor=actor, target=f"user:{trainee.id}",
               detail={"practical": code, "from": before_lik, "to": after_lik})
    after_unit = unit_result(trainee, test)["result"]
    if after_unit != before_unit:
        record("assessment.unit_result", actor=actor, target=f"user:{trainee.id}",
               detail={"from": before_unit, "to": after_unit})


def finalise(judgement: Judgement, actor: User) -> Judgement:
    """Freeze a draft: every active point marked, a recommendation consistent with the marks."""
    version = judgement.version
    _check_judgeable(actor, version, judgement.trainee_id)
    practical = version.submission.practical
    trainee = judgement.trainee
    test = written_test(trainee)   # before the transaction: it may commit on its own
    with write_transaction() as session:
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == judgement.id)))
        session.refresh(row)
        if row.state != "draft":
            raise FinalisedJudgementError()
        if _newest_final_for_update(row.version_id, row.trainee_id) is not None:
            raise ServiceError(_("Kiriman ini sudah dinilai final oleh asesor lain. Muat ulang halaman."), 409)
        marks = _marks_of(row)
        _require_complete(marks, practical)
        if row.recommendation is None:
            raise ServiceError(_("Pilih rekomendasi K atau BK sebelum memfinalkan."))
        _check_recommendation(row.recommendation, marks, practical)
        before_lik = effective_lik_result(trainee.id, practical.code)
        before_unit = unit_result(trainee, test)["result"]
        row.state, row.finalised_at, row.assessor_id, row.updated_at = "final", utcnow(), actor.id, utcnow()
        session.flush()
        record("assessment.finalise", actor=actor, target=f"judgement:{row.id}",
               detail={"practical": practical.code, "version": version.number, "trainee": trainee.id,
                       "recommendation": row.recommendation})
        _record_result_changes(actor, trainee, practical.code, before_lik, before_unit, test)
    return row


def correct(old: Judgement, actor: User, marks: dict[int, MarkInput], recommendation: str | None,
            feedback: str, tuk: str, reason: str) -> Judgement:
    """A new final judgement replacing `old` (kept as is), with the reason for the correction."""
    version = old.version
    _check_judgeable(actor, version, old.trainee_id)
    practical = version.submission.practical
    trainee = old.trainee
    reason = _clean_text(reason, MAX_REASON, _("Alasan koreksi"))
    if len(reason) < MIN_REASON:
        raise ServiceError(_("Tulis alasan koreksi (minimal %(n)d karakter).", n=MIN_REASON))
    feedback = _clean_text(feedback, MAX_FEEDBACK, _("Umpan balik"))
    tuk = _clean_text(tuk, MAX_TUK, _("Tempat uji kompetensi (TUK)"))
    recommendation = recommendation or None
    _require_complete(marks, practical)
    if recommendation is None:
        raise ServiceError(_("Pilih rekomendasi K atau BK."))
    _check_recommendation(recommendation, marks, practical)
    test = written_test(trainee)   # before the transaction: it may commit on its own
    with write_transaction() as session:
        row = session.scalar(_locking(select(Judgement).where(Judgement.id == old.id)))
        if row.state != "final":
            raise ServiceError(_("Hanya penilaian final yang dikoreksi; draf cukup disimpan ulang."), 409)
        if superseded_by(row) is not None:
            raise ServiceError(_("Penilaian ini sudah dikoreksi. Koreksi penilaian yang terbaru."), 409)
        before_lik = effective_lik_result(trainee.id, practical.code)
        before_unit = unit_result(trainee, test)["result"]
        now = utcnow()
        new = Judgement(version_id=row.version_id, trainee_id=row.trainee_id, assessor_id=actor.id, state="final",
                        recommendation=recommendation, feedback=feedback, tuk=tuk, created_at=now, updated_at=now,
                        finalised_at=now, supersedes_id=row.id, correction_reason=reason)
        session.add(new)
        session.flush()
        for point_id, mark in marks.items():
            session.add(JudgementMark(judgement_id=new.id, point_id=point_id, result=mark.result,
                                      comment=mark.comment, video_seconds=mark.seconds))
        session.flush()
        record("assessment.correct", actor=actor, target=f"judgement:{new.id}",
               detail={"supersedes": row.id, "practical": practical.code, "trainee": trainee.id,
                       "from": row.recommendation, "to": recommendation, "reason": reason[:300]})
        _record_result_changes(actor, trainee, practical.code, before_lik, before_unit, test)
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


# --- records (FR.IA.01, FR.AK.02, FR.AK.05) -------------------------------------------------

@dataclass
class LikRecord:
    code: str
    practical: Practical | None
    result: str
    version: SubmissionVersion | None = None
    judgement: Judgement | None = None
    rows: list = field(default_factory=list)        # (point, mark or None)

    @property
    def k_count(self) -> int:
        return sum(1 for _p, m in self.rows if m is not None and m.result == "K")


@dataclass
class AssessmentRecord:
    trainee: User
    unit_code: str
    unit_title: str
    unit: dict
    test: dict
    test_date: datetime | None
    liks: list
    elements: list                  # dicts: number, title, evidence [str], result K|BK
    assessors: list
    tuk: str
    dates: list
    feedback: list                  # (code, text)
    classes: list


def _practical(code: str) -> Practical | None:
    return db.session.scalar(select(Practical).where(Practical.code == code))


def observation_rows(judgement: Judgement) -> list:
    practical = judgement.version.submission.practical
    marks = {m.point_id: m for m in judgement.marks}
    points = [p for p in practical.points if not p.retired or p.id in marks]
    return [(p, marks.get(p.id)) for p in points]


def _test_date(test: dict) -> datetime | None:
    attempt_id = test.get("attempt_id")
    if not attempt_id:
        return None
    try:
        from ..quizzes.models import Attempt
    except ImportError:  # pragma: no cover
        return None
    attempt = db.session.get(Attempt, attempt_id)
    return getattr(attempt, "submitted_at", None)


def assessment_record(trainee: User) -> AssessmentRecord:
    unit = unit_result(trainee)
    test = unit["test"]
    liks = []
    for code, result in (("LIK_1", unit["lik1"]), ("LIK_2", unit["lik2"])):
        practical = _practical(code)
        version, judgement = effective_judgement(trainee.id, code)
        lik = LikRecord(code, practical, result, version, judgement)
        if judgement is not None:
            lik.rows = observation_rows(judgement)
        liks.append(lik)
    test_text = _("Tes tertulis: %(st)s, nilai %(s)s (batas lulus %(p)s)",
                  st=test_labels().get(test.get("status"), test.get("status")),
                  s=_format_score(test.get("score")), p=_format_score(test.get("pass_mark")))
    elements = []
    for lik in liks:
        practical = lik.practical
        number = practical.element if practical else (1 if lik.code == "LIK_1" else 2)
        if lik.judgement is not None:
            lik_text = _("%(c)s (ceklis observasi): %(k)d dari %(n)d butir K, rekomendasi %(r)s",
                         c=lik.code, k=lik.k_count, n=len(lik.rows), r=lik.judgement.recommendation)
        else:
            lik_text = _("%(c)s (ceklis observasi): %(r)s", c=lik.code, r=result_labels()[lik.result])
        ok = test.get("status") == "lulus" and lik.result == "K"
        elements.append({"number": number, "title": practical.element_title if practical else "",
                         "evidence": [test_text, lik_text], "result": "K" if ok else "BK"})
    judgements = [lik.judgement for lik in liks if lik.judgement is not None]
    assessors = sorted({j.assessor.full_name for j in judgements})
    tuk = "; ".join(sorted({j.tuk for j in judgements if j.tuk}))
    dates = sorted({to_local(j.finalised_at).date() for j in judgements if j.finalised_at})
    test_date = _test_date(test)
    if test_date:
        dates = sorted(set(dates) | {to_local(test_date).date()})
    feedback = [(lik.code, lik.judgement.feedback) for lik in liks if lik.judgement and lik.judgement.feedback]
    classes = list(db.session.scalars(select(Classroom).join(Enrollment).where(Enrollment.user_id == trainee.id)))
    return AssessmentRecord(trainee, UNIT_CODE, UNIT_TITLE, unit, test, test_date, liks, elements, assessors, tuk,
                            dates, feedback, classes)


def class_recap(classroom: Classroom) -> list[tuple[User, dict]]:
    return [(trainee, unit_result(trainee)) for trainee in trainees_of(classroom)]


def class_report(classroom: Classroom) -> list[tuple[User, dict, list]]:
    """FR.AK.05 rows: trainee, unit result, and the assessors of their effective judgements."""
    rows = []
    for trainee, unit in class_recap(classroom):
        names = set()
        for code in LIK_CODES:
            _v, judgement = effective_judgement(trainee.id, code)
            if judgement is not None:
                names.add(judgement.assessor.full_name)
        rows.append((trainee, unit, sorted(names)))
    return rows


def recap_table(classroom: Classroom) -> tuple[list[str], list[list]]:
    """Header and rows of the class recap, as exported to CSV and XLSX."""
    header = [_("No"), _("NIS"), _("Nama"), _("Tes tertulis"), _("Nilai tes"), "LIK_1", "LIK_2",
              _("Hasil unit"), _("Yang masih kurang")]
    labels, tests = result_labels(), test_labels()
    rows = []
    for number, (trainee, unit) in enumerate(class_recap(classroom), start=1):
        score = unit["test"].get("score")
        rows.append([number, trainee.nis or "", trainee.full_name,
                     tests.get(unit["test"].get("status"), unit["test"].get("status") or ""),
                     "" if score is None else round(float(score), 1),
                     labels[unit["lik1"]], labels[unit["lik2"]], unit["result"], "; ".join(unit["missing"])])
    return header, rows
