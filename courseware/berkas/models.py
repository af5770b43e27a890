"""The berkas asesmen: BNSP forms kept per trainee, their signatures, partner consent, class settings.

A form's wording lives in content/forms/*.yaml (definitions.py); a row here holds only what was
filled in (`content`) and who signed. Once every role the definition names has signed, the form
is locked: `locked_at` and `fingerprint` are set and the content is never changed again.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow

PARTNER_DECISIONS = ("setuju", "menolak")


class AssessmentForm(db.Model):
    """One filled form: kind "FR.APL.02", "FR.AK.01", ...; per object forms carry a subject_key
    such as "version:12", "attempt:5" or "judgement:9" (empty string never used: None = per trainee)."""

    __tablename__ = "assessment_forms"
    __table_args__ = (UniqueConstraint("kind", "trainee_id", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    classroom_id: Mapped[int | None] = mapped_column(ForeignKey("classrooms.id"), index=True)
    subject_key: Mapped[str | None] = mapped_column(String(40))
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_at: Mapped[datetime | None]
    # The trainee's name as it was when the form was locked: the fingerprint covers it, so a later
    # correction of the account's name does not turn an already printed, signed form "tidak sah".
    trainee_name: Mapped[str | None] = mapped_column(String(120))
    # SHA-256 hex of the canonical form (signing.fingerprint); indexed so the public check is one lookup.
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)

    trainee = relationship("User", foreign_keys=[trainee_id], lazy="joined")
    classroom = relationship("Classroom", lazy="select")
    signatures: Mapped[list["FormSignature"]] = relationship(
        back_populates="form", order_by="FormSignature.id", lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def signature_for(self, role: str) -> "FormSignature | None":
        for signature in self.signatures:
            if signature.role == role:
                return signature
        return None


class FormSignature(db.Model):
    """One role's signature on a form: typed full name plus the drawn PNG (validated in signing.py)."""

    __tablename__ = "form_signatures"
    __table_args__ = (UniqueConstraint("form_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("assessment_forms.id", ondelete="CASCADE"), index=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))          # peserta | asesor | guru ... (from the definition)
    typed_name: Mapped[str] = mapped_column(String(120))
    drawing: Mapped[bytes] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    form: Mapped[AssessmentForm] = relationship(back_populates="signatures")
    signer = relationship("User", lazy="joined")


class PartnerConsent(db.Model):
    """The role-play partner's own answer: may this submission version (with them in it) be used?"""

    __tablename__ = "partner_consents"
    __table_args__ = (UniqueConstraint("version_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("practical_submission_versions.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    decision: Mapped[str] = mapped_column(String(8))       # setuju | menolak
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner = relationship("User", lazy="joined")


class ClassFormSettings(db.Model):
    """Per-class berkas settings; a class without a row uses the defaults (APL.02 gate on)."""

    __tablename__ = "class_form_settings"

    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), primary_key=True)
    apl02_required: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClassAssessor(db.Model):
    """An assessor named for a class by its teacher. A class with none named is open to every
    assessor (the site's behaviour before classes named theirs); see permissions.assesses_trainee."""

    __tablename__ = "class_assessors"
    __table_args__ = (UniqueConstraint("classroom_id", "assessor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assessor = relationship("User", lazy="joined")


__all__ = ["AssessmentForm", "FormSignature", "PartnerConsent", "ClassFormSettings", "ClassAssessor",
           "PARTNER_DECISIONS"]
