"""Who may see and do what on IA.05, AK.03, AK.04, the berkas PDF and the class archive, and the
thin glue onto the berkas core (forms, signing) these pages share."""
from flask import abort, request
from flask_babel import gettext as _

from ..accounts.models import User
from ..assessments import permissions as assessment_perms
from ..classes.service import teaches_trainee
from ..errors import ServiceError
from ..extensions import db


def trainee_or_404(user: User, trainee_id: int) -> User:
    """The trainee themself, a teacher of their class, an assessor or an admin; 404 otherwise."""
    return assessment_perms.trainee_for_records_or_404(user, trainee_id)


def staff_view_of(user: User, trainee_id: int) -> bool:
    """True when `user` looks at someone else's records as staff (never at their own)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.id == trainee_id:
        return False
    if user.has_role("assessor", "admin"):
        return True
    return user.has_role("teacher") and teaches_trainee(user, trainee_id)


def may_see_keys(user: User) -> bool:
    """Staff see every key of the written test, unless they also hold the trainee role."""
    return not user.has_role("trainee")


def may_assess(user: User, trainee_id: int) -> bool:
    """Assessors (and admins) write assessor parts of a trainee's forms; never on their own."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role("assessor", "admin")
                and user.id != trainee_id)


def class_or_404(user: User, class_id: int):
    return assessment_perms.class_for_report_or_404(user, class_id)


def fixed_texts(kind: str) -> list[str]:
    """The fixed texts/declarations of a form kind from its data file, as plain strings."""
    from .definitions import definition

    try:
        found = definition(kind)
    except Exception:   # no data file for this kind: no fixed texts
        return []
    texts = getattr(found, "texts", None)
    if texts is None and isinstance(found, dict):
        texts = found.get("texts") or found.get("declarations") or []
    if isinstance(texts, dict):
        texts = list(texts.values())
    return [str(t.get("text") if isinstance(t, dict) else t) for t in texts or []]
