"""Who may do what: the decorators views stack, and predicates templates use too."""
from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .errors import ServiceError


def role_required(*roles: str):
    """Allow a view only to logged-in users holding one of `roles` (list "admin" explicitly)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


admin_required = role_required("admin")
teacher_required = role_required("teacher", "admin")
trainee_required = role_required("trainee")
assessor_required = role_required("assessor", "admin")


def may_see_exam_keys(user) -> bool:
    """Teachers and admins see the written-test keys (bank, analysis, any trainee's review); nobody
    who also holds the trainee role does, so a second role never opens the key to a test taker."""
    return bool(getattr(user, "is_authenticated", False) and user.has_role("teacher", "admin")
                and not user.has_role("trainee"))


def exam_keys_required(view):
    """For pages that show keys of `ujian` items to staff: refused, with the reason, to trainees."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.has_role("teacher", "admin"):
            abort(403)
        if not may_see_exam_keys(current_user):
            raise ServiceError(_("Akun Anda juga berperan sebagai peserta, jadi tidak boleh melihat kunci soal "
                                 "ujian. Minta admin memisahkan akun guru dan akun peserta."), 403)
        return view(*args, **kwargs)

    wrapped.required_roles = ("teacher", "admin")
    return wrapped
