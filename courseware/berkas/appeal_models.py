"""FR.AK.04 appeals and the class-archive jobs (tables of migration 0013).

An appeal is against one final judgement, at most one per judgement. It is decided by someone
other than the assessor who made that judgement and other than the trainee: the service checks
it with a message, and the ORM guard below refuses it whatever code path tries.
"""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow

APPEAL_STATES = ("diajukan", "dipertahankan", "asesmen-ulang")
ARCHIVE_STATES = ("menunggu", "berjalan", "selesai", "gagal")


class Appeal(db.Model):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    judgement_id: Mapped[int] = mapped_column(ForeignKey("judgements.id"), unique=True)
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id", ondelete="SET NULL"), index=True)
    reasons: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="diajukan", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # The re-assessment's judgement (a correction of the appealed one), when the decision is one.
    new_judgement_id: Mapped[int | None] = mapped_column(ForeignKey("judgements.id"))

    trainee = relationship("User", foreign_keys=[trainee_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="joined")
    judgement = relationship("Judgement", foreign_keys=[judgement_id], lazy="joined")
    new_judgement = relationship("Judgement", foreign_keys=[new_judgement_id], lazy="select")

    @property
    def is_open(self) -> bool:
        return self.state == "diajukan"


class DeciderError(ServiceError):
    def __init__(self):
        super().__init__(_("Banding harus diputuskan oleh asesor lain atau admin, bukan oleh asesor yang membuat "
                           "penilaian itu, bukan oleh peserta sendiri, dan bukan oleh orang yang tampil di "
                           "video itu."), 403)


@event.listens_for(Appeal, "before_insert")
@event.listens_for(Appeal, "before_update")
def _guard_decider(_mapper, connection, target):
    """No appeal row is ever decided by the judging assessor or by the appealing trainee."""
    if target.decided_by_id is None:
        return
    from ..assessments.models import Judgement

    assessor_id = connection.execute(
        Judgement.__table__.select().with_only_columns(Judgement.__table__.c.assessor_id)
        .where(Judgement.__table__.c.id == target.judgement_id)).scalar()
    if target.decided_by_id in (assessor_id, target.trainee_id):
        raise DeciderError()


class ArchiveJob(db.Model):
    """One class archive (ZIP of every trainee's berkas PDF and the FR.AK.05 report) being made."""

    __tablename__ = "berkas_archives"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default="menunggu")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    storage_name: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    classroom = relationship("Classroom", lazy="joined")

    @property
    def percent(self) -> int:
        if self.state == "selesai":
            return 100
        # +1: the FR.AK.05 report is the last step
        return min(99, int(100 * self.done / (self.total + 1))) if self.total else 0
