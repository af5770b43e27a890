from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import force_locale
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import ServiceError
from ..extensions import limiter
from ..inputs import safe_next_path
from . import service
from .. import i18n
from .forms import ChangePasswordForm, LanguageForm, LoginForm

bp = Blueprint("accounts", __name__)


def _login_rate_key() -> str:
    # A whole school shares one public address behind NAT: key on account AND address.
    username = (request.form.get("username") or "").strip().lower()
    return f"login:{username}:{request.remote_addr}"


def _safe_next(target: str | None) -> str:
    return safe_next_path(target) or url_for("dashboard.home")


@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"],
               key_func=_login_rate_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == 401,
               error_message=lambda: _("Terlalu banyak percobaan masuk. Tunggu satu menit lalu coba lagi."))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("Nama pengguna atau kata sandi salah, atau akun tidak aktif."), "error")
            return render_template("accounts/login.html", form=form), 401
        session.clear()
        service.start_login_session(user, remember=bool(form.remember.data))
        login_user(user, remember=bool(form.remember.data))
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


def logout():
    if current_user.is_authenticated:
        service.end_login_session(current_user)
    _forget_this_browser()
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("accounts.login"))


@login_required
def logout_everywhere():
    service.end_all_sessions(current_user)
    _forget_this_browser()
    flash(_("Anda sudah keluar dari semua perangkat."), "info")
    return redirect(url_for("accounts.login"))


def _forget_this_browser() -> None:
    # Clear first: logout_user() leaves the note that deletes the remember cookie in the session.
    session.clear()
    logout_user()


@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current.data, form.new.data, form.confirm.data)
        except ServiceError as exc:
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = [exc.message]
            else:
                flash(exc.message, "error")
            return render_template("accounts/password.html", form=form, language_form=_language_form()), 400
        login_user(current_user._get_current_object())  # new session version: keep this device in
        flash(_("Kata sandi berhasil diganti."), "success")
        return redirect(url_for("dashboard.home"))
    return render_template("accounts/password.html", form=form, language_form=_language_form()),\
        (400 if form.errors else 200)


def _language_form() -> LanguageForm:
    # Shown on the password page, posted to choose_language: never filled from the password form's POST.
    form = LanguageForm(formdata=None)
    form.language.data = i18n.current_language()
    return form


def choose_language():
    """The switch on the login page (cookie) and the account page (saved on the account, and the cookie
    so that the login page after a logout stays in the same language)."""
    form = LanguageForm()
    target = safe_next_path(request.form.get("next")) or url_for(
        "accounts.change_password" if current_user.is_authenticated else "accounts.login")
    if not form.validate_on_submit():
        flash(_("Pilih Bahasa Indonesia atau English."), "error")
        return redirect(target, 303)
    language = form.language.data
    if current_user.is_authenticated:
        service.set_language(current_user, language)
    response = redirect(target, 303)
    i18n.set_language_cookie(response, language)
    with force_locale(language):  # the confirmation in the language just chosen
        flash(_("Bahasa antarmuka: Bahasa Indonesia."), "success")
    return response


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/masuk",           view_func=login, methods=["GET", "POST"])
bp.add_url_rule("/keluar",          view_func=logout, methods=["POST"])
bp.add_url_rule("/keluar/semua",    view_func=logout_everywhere, methods=["POST"])
bp.add_url_rule("/akun/kata-sandi", view_func=change_password, methods=["GET", "POST"])
bp.add_url_rule("/bahasa",          view_func=choose_language, methods=["POST"])
