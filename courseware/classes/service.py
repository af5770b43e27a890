"""Class (rombel) rules: creation, renaming, archiving, join codes, members (who may see a class: permissions.py).

The CSV roster import lives in roster.py.
"""
import re
import secrets

from flask import abort, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.service import reset_password, update_identity
from ..audit.service import record
from ..errors import ServiceError
from ..extensions import db
from ..navigation import once_per_request
from ..text import one_line
from .models import Classroom, Enrollment
from .permissions import can_see_class

ACADEMIC_YEAR_RE = re.compile(r"^(\d{4})/(\d{4})$")
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# 10 characters of 32 = 50 bits: at the join limit (10 tries per 10 minutes per account) a
# guesser needs millions of years to expect a hit even with a thousand classes open.
JOIN_CODE_LENGTH = 10


# --- queries that own the 404/403 -------------------------------------------------------

def get_class_for_teacher(class_id: int, user: User) -> Classroom:
    """The class if `user` may see it (permissions.can_see_class); 404 otherwise, so ids do not leak."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not can_see_class(user, classroom):
        abort(404)
    return classroom


def classes_taught_by(user: User, archived: bool = False) -> list[Classroom]:
    """The classes `user` runs (all classes for an admin); archived ones only when asked for, so
    every menu, dashboard and class picker that calls this leaves them out.

    Read once per request: a teacher's dashboard has a panel per domain and each asks. Creating,
    renaming or archiving a class forgets the reading."""
    cache = g.setdefault("classes_taught_by", {}) if has_request_context() else {}
    key = (user.id, archived)
    if key not in cache:
        query = (select(Classroom).where(Classroom.archived.is_(archived))
                 .order_by(Classroom.academic_year.desc(), Classroom.name))
        if not user.is_admin:
            query = query.where(Classroom.teacher_id == user.id)
        cache[key] = list(db.session.scalars(query))
    return list(cache[key])


def _forget_classes_taught() -> None:
    if has_request_context():
        g.pop("classes_taught_by", None)


def classes_of_trainee(user: User) -> list[Classroom]:
    return list(db.session.scalars(
        select(Classroom).join(Enrollment).where(Enrollment.user_id == user.id, Classroom.archived.is_(False))
        .order_by(Classroom.name)
    ))


@once_per_request
def enrolled_classes_for_page(user_id: int) -> tuple[Classroom, ...]:
    """Every class the trainee is enrolled in, archived ones too (the written test's rules still
    follow a class they sat it in), by name. Read once per request for a page whose panels share it
    (the trainee's dashboard); pages that change enrolments call classes_of_trainee()."""
    return tuple(db.session.scalars(select(Classroom).join(Enrollment).where(Enrollment.user_id == user_id)
                                    .order_by(Classroom.name, Classroom.id)))


def current_classes_for_page(user_id: int) -> list[Classroom]:
    """classes_of_trainee() from the reading of enrolled_classes_for_page()."""
    return [c for c in enrolled_classes_for_page(user_id) if not c.archived]


def trainees_of(classroom: Classroom) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id == classroom.id).order_by(User.full_name)
    ))


def same_class(a_id: int, b_id: int) -> bool:
    other = select(Enrollment.classroom_id).where(Enrollment.user_id == b_id)
    return db.session.scalar(
        select(func.count()).select_from(Enrollment)
        .where(Enrollment.user_id == a_id, Enrollment.classroom_id.in_(other))
    ) > 0


# --- creating and joining ---------------------------------------------------------------

def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not db.session.scalar(select(Classroom).where(Classroom.join_code == code)):
            return code


def _checked_name_and_year(teacher_id: int, name: str, academic_year: str, class_id: int | None = None):
    name = one_line(name)
    if not name or len(name) > 60:
        raise ServiceError(_("Nama kelas wajib diisi (maksimal 60 karakter)."), field="name")
    match = ACADEMIC_YEAR_RE.match((academic_year or "").strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ServiceError(_("Tahun ajaran ditulis seperti 2026/2027."), field="academic_year")
    academic_year = match.group(0)
    exists = db.session.scalar(select(Classroom.id).where(
        Classroom.teacher_id == teacher_id, Classroom.name == name, Classroom.academic_year == academic_year,
        Classroom.id != (class_id or 0)))
    if exists:
        raise ServiceError(_("Anda sudah punya kelas %(n)s untuk tahun ajaran itu.", n=name), status=409,
                           field="name")
    return name, academic_year


def create_class(teacher: User, name: str, academic_year: str) -> Classroom:
    name, academic_year = _checked_name_and_year(teacher.id, name, academic_year)
    classroom = Classroom(name=name, academic_year=academic_year, teacher_id=teacher.id, join_code=new_join_code())
    db.session.add(classroom)
    db.session.flush()
    record("class.create", actor=teacher, target=f"class:{classroom.id}", detail={"name": name})
    db.session.commit()
    _forget_classes_taught()
    return classroom


def rename_class(classroom: Classroom, name: str, academic_year: str, actor: User) -> None:
    """Correct a class's name or year; every record refers to the class by id, so all follow."""
    name, academic_year = _checked_name_and_year(classroom.teacher_id, name, academic_year, classroom.id)
    before = classroom.label
    classroom.name, classroom.academic_year = name, academic_year
    record("class.rename", actor=actor, target=f"class:{classroom.id}", detail={"from": before, "to": classroom.label})
    db.session.commit()
    _forget_classes_taught()


def set_archived(classroom: Classroom, archived: bool, actor: User) -> None:
    """Archive (or bring back) a class. Nothing is deleted: enrolments, attempts, submissions and
    judgements stay, and the class page stays reachable from the archive list."""
    if classroom.archived == archived:
        return
    classroom.archived = archived
    record("class.archive" if archived else "class.unarchive", actor=actor, target=f"class:{classroom.id}")
    db.session.commit()
    _forget_classes_taught()


def regenerate_join_code(classroom: Classroom, actor: User) -> None:
    classroom.join_code = new_join_code()
    record("class.join_code", actor=actor, target=f"class:{classroom.id}")
    db.session.commit()


def join_with_code(user: User, code: str) -> tuple[Classroom, bool]:
    """Enroll a trainee by join code. Returns (class, newly_enrolled); a second use is harmless."""
    code = re.sub(r"[\s-]", "", code or "").upper()
    classroom = db.session.scalar(select(Classroom).where(Classroom.join_code == code)) if code else None
    if classroom is None or not classroom.join_open or classroom.archived:
        raise ServiceError(_("Kode kelas tidak dikenal. Periksa lagi kode dari guru Anda."), status=404)
    if _is_enrolled(classroom.id, user.id):
        return classroom, False
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id, joined_via="code"))
    record("class.join", actor=user, target=f"class:{classroom.id}")
    db.session.commit()
    return classroom, True


def add_existing_trainee(classroom: Classroom, identifier: str, actor: User) -> tuple[User, bool]:
    """Enrol an existing trainee found by NIS or username. Returns (trainee, newly_enrolled)."""
    value = (identifier or "").strip()
    if not value:
        raise ServiceError(_("Isi NIS atau nama pengguna peserta."))
    user = (db.session.scalar(select(User).where(User.nis == value))
            or db.session.scalar(select(User).where(User.username == value.lower())))
    if user is None:
        raise ServiceError(_("Tidak ada akun dengan NIS atau nama pengguna %(v)s. Untuk peserta baru, "
                             "pakai impor daftar peserta.", v=value), status=404)
    if not user.has_role("trainee"):
        raise ServiceError(_("Akun %(u)s bukan akun peserta.", u=user.username), status=409)
    if not user.active:
        raise ServiceError(_("Akun %(u)s nonaktif. Minta admin mengaktifkannya dulu.", u=user.username), status=409)
    if _is_enrolled(classroom.id, user.id):
        return user, False
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id, joined_via="teacher"))
    record("class.add", actor=actor, target=f"class:{classroom.id}", detail={"user": user.id})
    db.session.commit()
    return user, True


def get_member(classroom: Classroom, trainee_id: int) -> User:
    """A trainee enrolled in `classroom`; 404 for anyone else."""
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == trainee_id))
    if enrollment is None:
        abort(404)
    return enrollment.user


def edit_member(classroom: Classroom, trainee: User, full_name: str, nis: str, actor: User) -> None:
    """The class's teacher corrects a trainee's name or NIS (they go onto FR.AK.02 and FR.AK.05)."""
    _refuse_staff(trainee, actor, _("Nama akun staf hanya dapat diubah oleh admin."))
    update_identity(trainee, full_name, nis, actor=actor)


def reset_member_password(classroom: Classroom, trainee: User, actor: User) -> str:
    _refuse_staff(trainee, actor, _("Kata sandi akun staf hanya dapat diatur ulang oleh admin."))
    return reset_password(trainee, actor=actor)


def _refuse_staff(trainee: User, actor: User, message: str) -> None:
    # A teacher must not take over an admin or another teacher who is also enrolled as a trainee.
    if not actor.is_admin and trainee.has_role("admin", "teacher", "assessor"):
        raise ServiceError(message, status=403)


def remove_trainee(classroom: Classroom, trainee_id: int, actor: User) -> None:
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.classroom_id == classroom.id, Enrollment.user_id == trainee_id))
    if enrollment is None:
        abort(404)
    db.session.delete(enrollment)
    record("class.remove", actor=actor, target=f"class:{classroom.id}", detail={"user": trainee_id})
    db.session.commit()


def _is_enrolled(class_id: int, user_id: int) -> bool:
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.classroom_id == class_id, Enrollment.user_id == user_id)) is not None
