"""Who may see and do what on IA.05, AK.03, AK.04, the berkas PDF and the class archive, and the
thin glue onto the berkas core (permissions.py, service.py, signing.py) these pages share."""
from flask import abort, request
from sqlalchemy import select

from ..accounts.models import User
from ..classes.models import Classroom
from ..extensions import db
from . import definitions, permissions
from .models import AssessmentForm


def trainee_or_404(user: User, trainee_id: int) -> User:
    """The trainee themself, a teacher of their class, an assessor of their class or an admin; else 404."""
    return permissions.trainee_or_404(user, trainee_id)


def staff_view_of(user: User, trainee_id: int) -> bool:
    """True when `user` looks at someone else's records as staff (never at their own)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id == trainee_id:
        return False
    return permissions.may_view_trainee(user, trainee_id)


def may_see_keys(user: User) -> bool:
    """Staff see every key of the written test, unless the account also holds the trainee role."""
    return not user.has_role("trainee")


def may_assess(user: User, trainee_id: int) -> bool:
    """An assessor of the trainee's class writes the assessor parts; never on their own forms."""
    return permissions.assesses_trainee(user, trainee_id)


def class_or_404(user: User, class_id: int) -> Classroom:
    """A class for its teacher, its assessors and admins; 404 otherwise."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not (user.is_admin or classroom.teacher_id == user.id
                                 or permissions.assesses_class(user, classroom.id)):
        abort(404)
    return classroom


def fixed_texts(kind: str) -> list[str]:
    """The form's intro from its data file (declarations are shown by the signature block)."""
    try:
        found = definitions.definition(kind)
    except KeyError:
        return []
    return [found["intro"]] if found.get("intro") else []


def declaration(kind: str, role: str) -> str:
    try:
        return definitions.declaration(kind, role)
    except KeyError:
        return ""


def signature_input() -> tuple[str, bytes]:
    """The typed name and the PNG of the signature pad's fields, validated (ServiceError otherwise)."""
    from .signing import clean_typed_name, drawing_from_data_url, validate_drawing

    drawing = validate_drawing(drawing_from_data_url(request.form.get("drawing")))
    return clean_typed_name(request.form.get("typed_name")), drawing


def save_and_sign(kind: str, trainee: User, subject_key: str | None, values: dict, signer: User,
                  role: str) -> AssessmentForm:
    """Validate the signature, then set `role`'s fields and sign in one transaction."""
    from .service import get_or_create_form
    from .signing import sign_and_commit

    signature_input()          # refuse bad signature data before anything is written
    form = get_or_create_form(kind, trainee, subject_key)
    return sign_and_commit(form.id, signer, role, request.form.get("typed_name"), request.form.get("drawing"),
                           values)


def sign_in(session, kind: str, trainee: User, subject_key: str, values: dict, signer: User, role: str,
            name: str, drawing: bytes) -> AssessmentForm:
    """Inside the caller's write transaction: set `role`'s fields on the (existing) form and sign."""
    from .signing import sign, update_content

    form = session.scalar(select(AssessmentForm).where(
        AssessmentForm.kind == kind, AssessmentForm.trainee_id == trainee.id,
        AssessmentForm.subject_key == subject_key).with_for_update(of=AssessmentForm))
    update_content(form, role, values)
    sign(form, signer, role, name, drawing)
    return form


def may_sign(user: User, form: AssessmentForm | None, role: str) -> bool:
    return form is not None and permissions.may_sign(user, form, role)
