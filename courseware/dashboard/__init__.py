from flask_babel import lazy_gettext as _l

from ..navigation import add_nav, add_panel


def init_app(app):
    from . import views
    from .panels import lab_address_context, my_classes_context, taught_classes_context

    app.register_blueprint(views.bp)
    add_nav(app, "home", _l("Beranda"), "dashboard.home", ("admin", "teacher", "trainee", "assessor"), order=0)
    add_panel(app, "trainee-classes", _l("Kelas saya"), "dashboard/panels/trainee_classes.html",
              ("trainee",), order=10, context=my_classes_context)
    add_panel(app, "teacher-classes", _l("Kelas yang saya ajar"), "dashboard/panels/teacher_classes.html",
              ("teacher",), order=10, context=taught_classes_context)
    add_panel(app, "lab-address", _l("Alamat untuk ponsel peserta"), "dashboard/panels/lab_address.html",
              ("teacher", "admin"), order=90, context=lab_address_context)
