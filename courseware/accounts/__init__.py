from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..navigation import add_nav

# Pages a user with a first (generated) password may still open.
# The language switch too: whoever cannot read the password page must be able to change its language.
_OPEN_DURING_FIRST_PASSWORD = {"accounts.change_password", "accounts.logout",
                               "accounts.logout_everywhere", "accounts.choose_language", "static"}


def init_app(app):
    from . import admin_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    add_nav(app, "admin-users", _l("Pengguna"), "admin.users", ("admin",), order=90)

    @app.before_request
    def _require_own_password():
        if request.endpoint in _OPEN_DURING_FIRST_PASSWORD or not current_user.is_authenticated \
                or not current_user.must_change_password:
            return None
        if request.method in ("GET", "HEAD"):
            flash(_l("Ganti kata sandi awal Anda sebelum melanjutkan."), "info")
            return redirect(url_for("accounts.change_password"))
        from ..errors import render_error

        return render_error(403, _("Anda masih memakai kata sandi awal. Ganti kata sandi dulu, "
                                   "baru simpan atau kirim yang lain."))
