"""Who may do what: the decorators views stack, and predicates templates use too."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


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
