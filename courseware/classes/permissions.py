"""Who may see a class and whose trainees a teacher teaches: the definitions, written once.

Views (through the *_or_404 helpers in service.py), other domains, templates (as Jinja tests,
`current_user is can_see_class(classroom)`) and tests/test_authz_matrix.py all use these.
"""
from sqlalchemy import func, select

from ..auth import signed_in
from ..extensions import db
from .models import Classroom, Enrollment


def can_see_class(user, classroom: Classroom) -> bool:
    """The class's own teacher and admins see a class (its members, codes, results); nobody else."""
    if not signed_in(user):
        return False
    return user.is_admin or (classroom.teacher_id == user.id and user.has_role("teacher"))


def teaches_trainee(user, trainee_id: int | None) -> bool:
    """True when `user` holds the teacher role and `trainee_id` is enrolled in a class `user` runs."""
    if trainee_id is None or not signed_in(user) or not user.has_role("teacher"):
        return False
    return db.session.scalar(
        select(func.count()).select_from(Enrollment).join(Classroom)
        .where(Enrollment.user_id == trainee_id, Classroom.teacher_id == user.id)
    ) > 0


PREDICATES = (can_see_class, teaches_trainee)
