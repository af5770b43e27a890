from flask_babel import lazy_gettext as _l

from ..auth import register_permissions
from ..navigation import add_nav


def init_app(app):
    from . import permissions, views

    app.register_blueprint(views.bp)
    register_permissions(app, *permissions.PREDICATES)
    add_nav(app, "classes", _l("Kelas"), "classes.index", ("teacher", "admin"), order=10)
