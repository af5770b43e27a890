"""Admin pages: the user list, creating users, roles, activation, password resets."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from ..auth import admin_required
from ..errors import ServiceError
from ..extensions import db
from . import service
from .forms import EmptyForm, UserCreateForm, UserRolesForm
from .models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/pengguna")
@admin_required
def users():
    term = (request.args.get("q") or "").strip()
    query = select(User).order_by(User.full_name)
    if term:
        like = f"%{term}%"
        query = query.where(or_(User.username.ilike(like), User.full_name.ilike(like), User.nis.ilike(like)))
    return render_template("admin/users.html", users=db.session.scalars(query.limit(500)).all(),
                           term=term, form=EmptyForm(), labels=service.role_labels())


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@admin_required
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user, password = service.create_user(form.username.data, form.full_name.data, form.roles.data,
                                                 nis=(form.nis.data or "").strip() or None, actor=current_user)
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("admin/user_form.html", form=form), exc.status
        return render_template("admin/user_created.html", user=user, password=password)
    return render_template("admin/user_form.html", form=form), (400 if form.errors else 200)


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = _get_user(user_id)
    form = UserRolesForm(data={"roles": sorted(user.roles)} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.set_roles(user, form.roles.data, actor=current_user)
            flash(_("Peran %(u)s diperbarui.", u=user.username), "success")
            return redirect(url_for("admin.users"))
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("admin/user_edit.html", user=user, form=form, action_form=EmptyForm()), exc.status
    return render_template("admin/user_edit.html", user=user, form=form, action_form=EmptyForm()), (
        400 if form.errors else 200)


@bp.route("/pengguna/<int:user_id>/aktif", methods=["POST"])
@admin_required
def toggle_active(user_id: int):
    user = _get_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.set_active(user, request.form.get("active") == "1", actor=current_user)
    flash(_("Akun %(u)s diaktifkan.", u=user.username) if user.active
          else _("Akun %(u)s dinonaktifkan.", u=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/reset-sandi", methods=["POST"])
@admin_required
def reset_password(user_id: int):
    user = _get_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    password = service.reset_password(user, actor=current_user)
    return render_template("admin/user_created.html", user=user, password=password, reset=True)
