"""What the FR.IA.05, FR.AK.03 and FR.AK.04 pages share: a form's fixed texts from its data file, and
reading the signature pad's fields from a POST to save and sign a form."""
from flask import request
from sqlalchemy import select

from ..accounts.models import User
from . import definitions
from .models import AssessmentForm


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
