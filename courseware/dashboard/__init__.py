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
    # Placeholders; each domain replaces its own by key when it arrives.
    for key, title, roles, order in (
        ("lessons", _l("Materi pembelajaran"), ("trainee", "teacher"), 20),
        ("quiz", _l("Tes tertulis"), ("trainee", "teacher"), 30),
        ("practicals", _l("Praktik LIK_1 dan LIK_2"), ("trainee", "teacher"), 40),
        ("assessment", _l("Penilaian praktik"), ("assessor",), 20),
    ):
        add_panel(app, key, title, "dashboard/panels/not_yet.html", roles, order=order)
