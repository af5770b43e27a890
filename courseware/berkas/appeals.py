"""FR.AK.04 Banding Asesmen: the rules.

- The trainee appeals a final judgement about them that still counts (not superseded, not void),
  within APPEAL_DAYS days (site setting, default 7) of its finalisation, with reasons, and signs.
  One appeal per judgement. Later: refused with the date it closed.
- Someone else decides: an admin or an assessor of the trainee's class who is neither the assessor
  who made the judgement nor the trainee, nor the partner in that video (service check with a
  message; ORM guard in appeal_models against the judging assessor and the trainee).
- Decision: "dipertahankan" (uphold, with a note) or "asesmen-ulang": the decider re-assesses at
  once, which is a correction of the appealed judgement through the assessments machinery (a new
  final judgement naming the old one, with the appeal as its reason).
- Appeal and decision are audit events ("appeal.submit", "appeal.decide") and appear on the
  trainee's record page and in the class report (FR.AK.05).
"""
from datetime import datetime, timedelta

from flask import abort, current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..assessments.models import Judgement
from ..audit.service import record
from ..classes.models import Classroom, Enrollment
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from ..results import status as results
from .appeal_models import Appeal, DeciderError

KIND = "FR.AK.04"
MAX_TEXT = 3000
MAX_REASONS = 2000          # as content/forms/FR.AK.04.yaml allows
MAX_NOTE = 1000
MIN_REASONS = 10


def appeal_days() -> int:
    return int(current_app.config.get("APPEAL_DAYS") or 7)


def deadline(judgement: Judgement) -> datetime:
    return judgement.finalised_at + timedelta(days=appeal_days())


def clean(text, what: str, minimum: int = 0, limit: int = MAX_TEXT) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > limit:
        raise ServiceError(_("%(what)s terlalu panjang: %(n)d karakter (maksimal %(max)d).",
                             what=what, n=len(text), max=limit), 413)
    if len(text) < minimum:
        raise ServiceError(_("%(what)s minimal %(n)d karakter.", what=what, n=minimum))
    return text


def appealable(trainee: User) -> list[Judgement]:
    """The trainee's current final judgements (the ones their LIK results stand on)."""
    liks = results.lik_results([trainee.id])[trainee.id]
    return [lik.judgement for lik in liks.values() if lik.judgement is not None]


def appeals_of(trainee_id: int) -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.trainee_id == trainee_id).order_by(Appeal.id)))


def appeals_by_trainee(trainee_ids: list[int]) -> dict[int, list[Appeal]]:
    out: dict[int, list[Appeal]] = {}
    if trainee_ids:
        for appeal in db.session.scalars(select(Appeal).where(Appeal.trainee_id.in_(trainee_ids)).order_by(Appeal.id)):
            out.setdefault(appeal.trainee_id, []).append(appeal)
    return out


def appeal_for(judgement_id: int) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.judgement_id == judgement_id))


def judgement_for_appeal_or_404(trainee: User, judgement_id: int) -> Judgement:
    judgement = db.session.get(Judgement, judgement_id)
    if judgement is None or judgement.trainee_id != trainee.id or not judgement.is_final:
        abort(404)
    return judgement


def check_can_appeal(trainee: User, judgement: Judgement, now: datetime | None = None) -> None:
    now = now or utcnow()
    if judgement.trainee_id != trainee.id or not judgement.is_final:
        raise ServiceError(_("Penilaian ini bukan penilaian final Anda."), 404)
    if judgement.id not in {j.id for j in appealable(trainee)}:
        raise ServiceError(_("Penilaian ini sudah tidak berlaku (sudah dikoreksi atau diganti versi baru), "
                             "jadi tidak dapat dibanding."), 409)
    if appeal_for(judgement.id) is not None:
        raise ServiceError(_("Anda sudah mengajukan banding atas penilaian ini."), 409)
    if now > deadline(judgement):
        raise ServiceError(_("Masa banding sudah lewat: banding hanya dapat diajukan dalam %(n)d hari setelah "
                             "penilaian final (sampai %(d)s).", n=appeal_days(),
                             d=deadline(judgement).strftime("%d-%m-%Y %H:%M") + " UTC"), 409)


def class_of(trainee_id: int) -> Classroom | None:
    return db.session.scalar(select(Classroom).join(Enrollment).where(Enrollment.user_id == trainee_id)
                             .order_by(Classroom.archived, Classroom.id.desc()).limit(1))


def submit(trainee: User, judgement: Judgement, reasons: str, sign=None) -> Appeal:
    """File an appeal. `sign(session)` (optional) signs the FR.AK.04 form inside the same transaction."""
    reasons = clean(reasons, _("Alasan banding"), MIN_REASONS, MAX_REASONS)
    check_can_appeal(trainee, judgement)
    classroom = class_of(trainee.id)
    try:
        return _insert(trainee, judgement, reasons, classroom, sign)
    except IntegrityError:          # a second submission racing this one: the unique judgement_id won
        db.session.rollback()
        raise ServiceError(_("Anda sudah mengajukan banding atas penilaian ini."), 409) from None


def _insert(trainee: User, judgement: Judgement, reasons: str, classroom, sign) -> Appeal:
    with write_transaction() as session:
        if session.scalar(select(Appeal.id).where(Appeal.judgement_id == judgement.id)) is not None:
            raise ServiceError(_("Anda sudah mengajukan banding atas penilaian ini."), 409)
        appeal = Appeal(trainee_id=trainee.id, judgement_id=judgement.id, reasons=reasons,
                        classroom_id=classroom.id if classroom else None)
        session.add(appeal)
        session.flush()
        if sign is not None:
            sign(session, appeal)
        record("appeal.submit", actor=trainee, target=f"judgement:{judgement.id}",
               detail={"appeal": appeal.id, "practical": judgement.version.submission.practical.code,
                       "recommendation": judgement.recommendation,
                       "deadline": deadline(judgement).isoformat(timespec="minutes")})
    return appeal


# --- deciding ---------------------------------------------------------------------------

def subject_key(judgement_id: int) -> str:
    return f"judgement:{judgement_id}"


def may_decide(user: User, appeal: Appeal) -> bool:
    """An admin or an assessor of the trainee's class, except the judgement's assessor and the trainee."""
    from .permissions import assesses_trainee

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from ..assessments.permissions import appears_in

    if user.id in (appeal.judgement.assessor_id, appeal.trainee_id):
        return False
    if appears_in(user, appeal.judgement.version):      # nobody judges a video they appear in
        return False
    return user.is_admin or assesses_trainee(user, appeal.trainee_id)


def check_decider(user: User, appeal: Appeal) -> None:
    if not user.has_role("assessor", "admin"):
        raise ServiceError(_("Hanya asesor atau admin yang dapat memutuskan banding."), 403)
    if not may_decide(user, appeal):
        raise DeciderError()


def open_appeals() -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.state == "diajukan").order_by(Appeal.created_at)))


def appeal_or_404(appeal_id: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        abort(404)
    return appeal


def _claim(session, appeal: Appeal, decider: User) -> Appeal:
    row = session.scalar(select(Appeal).where(Appeal.id == appeal.id).with_for_update(of=Appeal))
    session.refresh(row)
    if row.state != "diajukan":
        raise ServiceError(_("Banding ini sudah diputuskan. Muat ulang halaman."), 409)
    return row


def clean_note(note) -> str:
    return clean(note, _("Catatan keputusan"), MIN_REASONS, MAX_NOTE)


def uphold(appeal: Appeal, decider: User, note: str, sign=None) -> Appeal:
    """Keep the judgement. `sign(session, values)` (optional) signs FR.AK.04 as asesor in the same transaction."""
    check_decider(decider, appeal)
    note = clean_note(note)
    with write_transaction() as session:
        row = _claim(session, appeal, decider)
        row.state, row.decided_by_id, row.decided_at, row.decision_note = "dipertahankan", decider.id, utcnow(), note
        session.flush()
        if sign is not None:
            sign(session, {"decision": "tetap", "decision_note": note})
        record("appeal.decide", actor=decider, target=f"judgement:{row.judgement_id}",
               detail={"appeal": row.id, "decision": "dipertahankan", "note": note[:300]})
    return row


def reassess(appeal: Appeal, decider: User, marks, recommendation, feedback: str, tuk: str, note: str,
             attitudes=None, sign=None) -> Appeal:
    """The decider re-assesses: a correction of the appealed judgement with the appeal as its reason.

    The appeal is checked first (still open, decider allowed); the correction then runs in the
    assessments service's own transaction (which refuses a second correction of the same judgement,
    so two racing deciders cannot both re-assess); the appeal is closed right after."""
    from ..assessments import judgements

    check_decider(decider, appeal)
    note = clean_note(note)
    if appeal.state != "diajukan":
        raise ServiceError(_("Banding ini sudah diputuskan. Muat ulang halaman."), 409)
    reason = _("Asesmen ulang karena banding FR.AK.04 no. %(n)d: %(t)s", n=appeal.id, t=note)
    new = judgements.correct(appeal.judgement, decider, marks, recommendation, feedback, tuk, reason,
                             attitudes=attitudes)
    with write_transaction() as session:
        row = _claim(session, appeal, decider)
        row.state, row.decided_by_id, row.decided_at = "asesmen-ulang", decider.id, utcnow()
        row.decision_note, row.new_judgement_id = note, new.id
        session.flush()
        if sign is not None:
            sign(session, {"decision": "asesmen-ulang", "decision_note": note})
        record("appeal.decide", actor=decider, target=f"judgement:{row.judgement_id}",
               detail={"appeal": row.id, "decision": "asesmen-ulang", "new_judgement": new.id,
                       "from": appeal.judgement.recommendation, "to": new.recommendation, "note": note[:300]})
    return row


def state_labels() -> dict:
    return {"diajukan": _("Menunggu keputusan"), "dipertahankan": _("Penilaian dipertahankan"),
            "asesmen-ulang": _("Asesmen ulang dilakukan")}
