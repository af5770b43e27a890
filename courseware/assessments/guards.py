"""The database refuses to change a final judgement, or to record someone judging themselves,
whichever code path tries. Imported by the package so the guards are always registered."""
from flask_babel import gettext as _
from sqlalchemy import event, inspect, select

from ..errors import ServiceError
from .models import Judgement, JudgementComment, JudgementMark, JudgementState


class FinalisedJudgementError(ServiceError):
    def __init__(self):
        super().__init__(_("Penilaian yang sudah final tidak dapat diubah. Buat koreksi dengan alasan."), 409)


def _committed_state(judgement: Judgement) -> str | None:
    history = inspect(judgement).attrs.state.history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return None if inspect(judgement).pending else judgement.state


@event.listens_for(Judgement, "before_update")
def _guard_final_judgement(_mapper, _connection, target):
    if _committed_state(target) == JudgementState.FINAL:
        raise FinalisedJudgementError()


@event.listens_for(Judgement, "before_delete")
def _guard_final_delete(_mapper, _connection, target):
    if _committed_state(target) == JudgementState.FINAL:
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
    if judgement is not None and _committed_state(judgement) == JudgementState.FINAL:
        raise FinalisedJudgementError()


@event.listens_for(JudgementComment, "before_insert")
@event.listens_for(JudgementComment, "before_update")
@event.listens_for(JudgementComment, "before_delete")
def _guard_final_comment(_mapper, connection, target):
    """A final judgement's time-stamped comments are frozen: no comment is added to, changed on or
    removed from it. Read from the database, so it holds whatever the session believes. The one
    exception is a judgement inserted in this same flush (a correction receiving its copies)."""
    parent = target.__dict__.get("judgement")
    if parent is not None and inspect(parent).pending:
        return
    state = connection.scalar(select(Judgement.state).where(Judgement.id == target.judgement_id))
    if state == "final":
        raise FinalisedJudgementError()

