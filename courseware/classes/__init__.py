from flask_babel import lazy_gettext as _l

from ..navigation import add_nav


def init_app(app):
    from . import views

    app.register_blueprint(views.bp)
    add_nav(app, "classes", _l("Kelas"), "classes.index", ("teacher", "admin"), order=10)
