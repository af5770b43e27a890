"""Admin pages: the user list, creating users, roles, activation, password resets."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from ..auth import admin_required
from ..confirm import confirm_page, confirmed
from ..errors import ServiceError
from ..extensions import db
from . import service
from .forms import EmptyForm, IdentityForm, UserCreateForm, UserRolesForm
from .models import User

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@admin_required
def users():
    term = (request.args.get("q") or "").strip()
    query = select(User).order_by(User.full_name)
    if term:
        like = f"%{term}%"
        query = query.where(or_(User.username.ilike(like), User.full_name.ilike(like), User.nis.ilike(like)))
    return render_template("admin/users.html", users=db.session.scalars(query.limit(500)).all(),
                           term=term, form=EmptyForm(), labels=service.role_labels())


@admin_required
def create_user():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user, password = service.create_user(form.username.data, form.full_name.data, form.roles.data,
                                                 nis=(form.nis.data or "").strip() or None, actor=current_user)
        except ServiceError as exc:
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = [exc.message]
            else:
                flash(exc.message, "error")
            return render_template("admin/user_form.html", form=form), exc.status
        return render_template("admin/user_created.html", user=user, password=password)
    return render_template("admin/user_form.html", form=form), (400 if form.errors else 200)


def _edit_page(user, form=None, identity_form=None, active_error=None, status=200):
    form = form or UserRolesForm(data={"roles": sorted(user.roles)})
    identity_form = identity_form or IdentityForm(obj=user)
    return render_template("admin/user_edit.html", user=user, form=form, identity_form=identity_form,
                           action_form=EmptyForm(), active_error=active_error,
                           self_message=service.self_deactivate_message()), status


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
            form.roles.errors = [exc.message]
            return _edit_page(user, form=form, status=exc.status)
    return _edit_page(user, form=form, status=400 if form.errors else 200)


@admin_required
def edit_identity(user_id: int):
    user = _get_user(user_id)
    form = IdentityForm()
    if not form.validate_on_submit():
        return _edit_page(user, identity_form=form, status=400)
    try:
        service.update_identity(user, form.full_name.data, form.nis.data, actor=current_user)
    except ServiceError as exc:
        getattr(form, exc.field or "full_name").errors = [exc.message]
        return _edit_page(user, identity_form=form, status=exc.status)
    flash(_("Nama dan NIS %(u)s disimpan.", u=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@admin_required
def toggle_active(user_id: int):
    user = _get_user(user_id)
    active = request.values.get("active") == "1"
    if not active and user.id == current_user.id:
        return _edit_page(user, active_error=service.self_deactivate_message(), status=409)
    if not active and not confirmed():
        return confirm_page(
            title=_("Nonaktifkan akun %(u)s?", u=user.username),
            message=_("%(n)s tidak dapat masuk lagi dan keluar dari semua perangkat sampai akun diaktifkan "
                      "kembali.", n=user.full_name),
            details=[_("Semua data dan hasil kerjanya tetap tersimpan.")],
            button=_("Ya, nonaktifkan"), fields={"active": "0"},
            cancel_url=url_for("admin.edit_user", user_id=user.id))
    if request.method != "POST":
        abort(405)
    service.set_active(user, active, actor=current_user)
    flash(_("Akun %(u)s diaktifkan.", u=user.username) if user.active
          else _("Akun %(u)s dinonaktifkan.", u=user.username), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@admin_required
def reset_password(user_id: int):
    user = _get_user(user_id)
    if not confirmed():
        return confirm_page(
            title=_("Atur ulang kata sandi %(u)s?", u=user.username),
            message=_("Kata sandi lama langsung tidak berlaku dan pengguna keluar dari semua perangkat. "
                      "Kata sandi baru ditampilkan sekali."),
            button=_("Ya, atur ulang kata sandi"), cancel_url=url_for("admin.edit_user", user_id=user.id))
    password = service.reset_password(user, actor=current_user)
    return render_template("admin/user_created.html", user=user, password=password, reset=True), 200, {
        "Cache-Control": "no-store"}


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/pengguna",                           view_func=users)
bp.add_url_rule("/pengguna/baru",                      view_func=create_user, methods=["GET", "POST"])
bp.add_url_rule("/pengguna/<int:user_id>",             view_func=edit_user, methods=["GET", "POST"])
bp.add_url_rule("/pengguna/<int:user_id>/identitas",   view_func=edit_identity, methods=["POST"])
bp.add_url_rule("/pengguna/<int:user_id>/aktif",       view_func=toggle_active, methods=["GET", "POST"])
bp.add_url_rule("/pengguna/<int:user_id>/reset-sandi", view_func=reset_password, methods=["GET", "POST"])
