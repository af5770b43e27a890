"""Who may see, fill and sign which berkas form: defined once here, used by every view and service.

- A trainee: only their own forms, and signs only as "peserta" on them.
- A teacher: forms of trainees enrolled in a class they run (classes.permissions.teaches_trainee).
- An assessor: trainees of a class they assess. A class's teacher may name its assessors
  (ClassAssessor); a class that names none is open to every assessor, which is how the site
  worked before (assessors are site-wide in the assessments domain). Signing as "asesor" on a
  form about oneself is never allowed, whatever roles the account has.
- An admin sees everything but signs nothing as asesor/peserta unless the account has that role.
"""
from flask import abort
from sqlalchemy import exists, select

from ..accounts.models import User
from ..classes.models import Classroom, Enrollment
from ..classes.permissions import teaches_trainee
from ..extensions import db
from .models import AssessmentForm, ClassAssessor


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def assesses_class(user, classroom_id: int) -> bool:
    if not _authenticated(user) or not user.has_role("assessor"):
        return False
    named = db.session.scalars(select(ClassAssessor.assessor_id)
                               .where(ClassAssessor.classroom_id == classroom_id)).all()
    return not named or user.id in named


def assesses_trainee(user, trainee_id: int) -> bool:
    """True when `user` is an assessor of a class `trainee_id` is enrolled in (never of themselves)."""
    if not _authenticated(user) or not user.has_role("assessor") or user.id == trainee_id:
        return False
    class_ids = db.session.scalars(select(Enrollment.classroom_id).where(Enrollment.user_id == trainee_id)).all()
    return any(assesses_class(user, class_id) for class_id in class_ids)


def may_view_trainee(user, trainee_id: int) -> bool:
    if not _authenticated(user):
        return False
    if user.id == trainee_id or user.is_admin:
        return True
    if user.has_role("teacher") and teaches_trainee(user, trainee_id):
        return True
    return assesses_trainee(user, trainee_id)


def may_view_form(user, form: AssessmentForm) -> bool:
    return may_view_trainee(user, form.trainee_id)


def views_as_staff(user, trainee_id: int) -> bool:
    """True when `user` looks at someone else's berkas as staff (never at their own)."""
    return _authenticated(user) and user.id != trainee_id and may_view_trainee(user, trainee_id)


def may_see_keys(user) -> bool:
    """Staff see every key on an FR.IA.05 answer sheet, unless the account also holds the trainee role."""
    return _authenticated(user) and not user.has_role("trainee")


def may_sign(user, form: AssessmentForm | None, role: str) -> bool:
    if form is None or not _authenticated(user):
        return False
    if role == "peserta":
        return user.id == form.trainee_id and user.has_role("trainee")
    if role == "asesor":
        return user.id != form.trainee_id and assesses_trainee(user, form.trainee_id)
    if role == "guru":
        return user.id != form.trainee_id and user.has_role("teacher") and teaches_trainee(user, form.trainee_id)
    return False


def trainee_or_404(user, trainee_id: int) -> User:
    """The trainee when `user` may see their berkas; 404 otherwise so ids do not leak."""
    trainee = db.session.get(User, trainee_id)
    if trainee is None or not trainee.has_role("trainee") or not may_view_trainee(user, trainee_id):
        abort(404)
    return trainee


def form_or_404(user, form_id: int) -> AssessmentForm:
    form = db.session.get(AssessmentForm, form_id)
    if form is None or not may_view_form(user, form):
        abort(404)
    return form


def class_or_404(user, class_id: int) -> Classroom:
    """A class's berkas pages (archive, feedback summary): its teacher, its assessors and admins; 404 otherwise."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not (user.is_admin or classroom.teacher_id == user.id
                                 or assesses_class(user, classroom.id)):
        abort(404)
    return classroom


def trainee_classroom(trainee_id: int) -> Classroom | None:
    """The trainee's current class (the newest non-archived enrollment), for forms and settings."""
    return db.session.scalar(
        select(Classroom).join(Enrollment).where(Enrollment.user_id == trainee_id)
        .order_by(Classroom.archived, Enrollment.id.desc()).limit(1))


def classes_assessed_by(user) -> list[Classroom]:
    """Classes `user` assesses (every class for an admin)."""
    query = select(Classroom).where(Classroom.archived.is_(False)).order_by(Classroom.name)
    if user.is_admin:
        return list(db.session.scalars(query))
    if not user.has_role("assessor"):
        return []
    named_any = exists().where(ClassAssessor.classroom_id == Classroom.id)
    named_me = exists().where(ClassAssessor.classroom_id == Classroom.id, ClassAssessor.assessor_id == user.id)
    return list(db.session.scalars(query.where(~named_any | named_me)))
