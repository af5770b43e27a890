"""Registers the FR.IA.05 / FR.AK.03 / FR.AK.04 / berkas PDF / class archive pages (record_views)."""
from flask_babel import lazy_gettext as _l

from ..navigation import add_panel


def trainee_panel(user) -> dict:
    from . import feedback, ia05

    form = feedback.form_of(user.id)
    return {"trainee": user, "attempt": ia05.counted_attempt(user.id),
            "feedback_due": feedback.is_open_for(user.id) and (form is None or form.locked_at is None)}


def assessor_panel(user) -> dict:
    from . import appeals, perms2

    return {"count": sum(1 for a in appeals.open_appeals() if perms2.staff_view_of(user, a.trainee_id))}


def teacher_panel(user) -> dict:
    from ..classes.service import classes_taught_by

    return {"classes": classes_taught_by(user)}


def init_app(app):
    from . import appeal_models, archive, record_views  # noqa: F401 - models and the huey task register here

    app.config.setdefault("APPEAL_DAYS", 7)
    app.register_blueprint(record_views.bp)
    # No menu entry: a user with every role must keep the menu on one line at 1280 px (test_crawl).
    add_panel(app, "berkas-records-assessor", _l("Banding asesmen"), "berkas2/panels/assessor.html",
              ("assessor", "admin"), order=21, context=assessor_panel)
    add_panel(app, "berkas-records-trainee", _l("Umpan balik, banding, dan berkas PDF"), "berkas2/panels/trainee.html", ("trainee",),
              order=46, context=trainee_panel)
    add_panel(app, "berkas-records-teacher", _l("Arsip dan umpan balik kelas"), "berkas2/panels/teacher.html", ("teacher",),
              order=46, context=teacher_panel)
