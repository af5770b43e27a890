"""Who may do what: the decorators views stack, and predicates templates use too."""
from functools import wraps

from flask import abort, current_app
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .errors import ServiceError


def signed_in(user) -> bool:
    """A logged-in, active account (anonymous visitors and None are not)."""
    return bool(user is not None and getattr(user, "is_authenticated", False))


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
    wrapped.required_check = may_see_exam_keys
    return wrapped


def can_open(endpoint: str, user=None) -> bool:
    """True when `user` (default: the current user) holds a role the endpoint's decorator asks for.

    Templates use it to show a link only to those the view would let in (`can_open('lessons.plan')`),
    so the role list is written once, on the view. Views without `required_roles` need only a login.
    """
    user = current_user if user is None else user
    if not signed_in(user):
        return False
    view = current_app.view_functions.get(endpoint)
    if view is None:
        raise KeyError(f"no view named {endpoint!r}")
    if getattr(view, "required_roles", None) and not user.has_role(*view.required_roles):
        return False
    required_check = getattr(view, "required_check", None)   # e.g. the exam-key rule
    return required_check is None or required_check(user)


def register_permissions(app, *predicates) -> None:
    """Make object-permission predicates `f(user, obj)` Jinja tests under their own names:
    `{% if current_user is can_view_submission(submission) %}` calls can_view_submission(current_user, submission)."""
    for predicate in predicates:
        app.jinja_env.tests[predicate.__name__] = predicate
    app.jinja_env.globals.setdefault("can_open", can_open)
