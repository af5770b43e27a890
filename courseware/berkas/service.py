"""Finding and creating a trainee's forms, and per-class berkas settings (shared by every form kind)."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from . import definitions
from .models import AssessmentForm, ClassAssessor, ClassFormSettings
from .permissions import trainee_classroom


def find_form(kind: str, trainee_id: int, subject_key: str | None = None) -> AssessmentForm | None:
    query = select(AssessmentForm).where(AssessmentForm.kind == kind, AssessmentForm.trainee_id == trainee_id)
    query = query.where(AssessmentForm.subject_key.is_(None) if subject_key is None
                        else AssessmentForm.subject_key == subject_key)
    return db.session.scalar(query.limit(1))


def get_or_create_form(kind: str, trainee: User, subject_key: str | None = None,
                       content: dict | None = None) -> AssessmentForm:
    """The trainee's form of `kind` (per trainee, or per object with subject_key), created empty once.

    Two racing creators: the unique (kind, trainee, subject_key) keeps one row; on PostgreSQL, where
    NULL subject keys do not collide, the lock on the trainee's row does."""
    definitions.definition(kind)
    form = find_form(kind, trainee.id, subject_key)
    if form is not None:
        return form
    try:
        with write_transaction() as session:
            # PostgreSQL lets NULL subject keys repeat: lock the trainee row so creators queue.
            session.scalar(select(User.id).where(User.id == trainee.id).with_for_update())
            form = find_form(kind, trainee.id, subject_key)
            if form is None:
                classroom = trainee_classroom(trainee.id)
                form = AssessmentForm(kind=kind, trainee_id=trainee.id, subject_key=subject_key,
                                      classroom_id=classroom.id if classroom else None, content=content or {})
                session.add(form)
                session.flush()
    except IntegrityError:
        db.session.rollback()
        form = find_form(kind, trainee.id, subject_key)
    return form


def forms_of(trainee_id: int) -> list[AssessmentForm]:
    return list(db.session.scalars(select(AssessmentForm).where(AssessmentForm.trainee_id == trainee_id)
                                   .order_by(AssessmentForm.kind, AssessmentForm.id)))


def status_label(form: AssessmentForm | None) -> str:
    """"Belum diisi", "Menunggu tanda tangan ...", "Lengkap"."""
    if form is None or (not form.signatures and not form.content):
        return _("Belum diisi")
    if form.is_locked:
        return _("Lengkap, ditandatangani")
    missing = [r for r in definitions.required_roles(form.kind) if form.signature_for(r) is None]
    return _("Menunggu tanda tangan %(roles)s", roles=", ".join(missing))


# --- per-class settings ---------------------------------------------------------------------------

def class_settings(classroom_id: int) -> ClassFormSettings:
    """The class's settings, or the defaults (not saved) when the class never changed them."""
    row = db.session.get(ClassFormSettings, classroom_id)
    return row or ClassFormSettings(classroom_id=classroom_id, apl02_required=True)


def set_apl02_required(classroom, value: bool, actor: User) -> None:
    with write_transaction() as session:
        row = session.get(ClassFormSettings, classroom.id)
        if row is None:
            row = ClassFormSettings(classroom_id=classroom.id)
            session.add(row)
        row.apl02_required, row.updated_at = bool(value), utcnow()
        record("berkas.settings", actor=actor, target=f"class:{classroom.id}",
               detail={"apl02_required": bool(value)})


def class_assessors(classroom_id: int) -> list[User]:
    return [row.assessor for row in db.session.scalars(
        select(ClassAssessor).where(ClassAssessor.classroom_id == classroom_id).order_by(ClassAssessor.id))]


def add_class_assessor(classroom, username: str, actor: User) -> User:
    username = (username or "").strip()
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    if user is None or not user.has_role("assessor"):
        raise ServiceError(_("Tidak ada akun asesor dengan nama pengguna itu."), field="username")
    try:
        with write_transaction() as session:
            exists = session.scalar(select(ClassAssessor).where(ClassAssessor.classroom_id == classroom.id,
                                                                ClassAssessor.assessor_id == user.id))
            if exists is None:
                session.add(ClassAssessor(classroom_id=classroom.id, assessor_id=user.id))
                record("berkas.assessor_add", actor=actor, target=f"class:{classroom.id}",
                       detail={"assessor": user.id})
    except IntegrityError:
        db.session.rollback()
    return user


def remove_class_assessor(classroom, assessor_id: int, actor: User) -> None:
    with write_transaction() as session:
        row = session.scalar(select(ClassAssessor).where(ClassAssessor.classroom_id == classroom.id,
                                                         ClassAssessor.assessor_id == assessor_id))
        if row is not None:
            session.delete(row)
            record("berkas.assessor_remove", actor=actor, target=f"class:{classroom.id}",
                   detail={"assessor": assessor_id})
