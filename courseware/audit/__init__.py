from flask_babel import lazy_gettext as _l

from ..navigation import add_nav


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
    add_nav(app, "audit", _l("Log audit"), "audit.index", ("admin",), order=95)
